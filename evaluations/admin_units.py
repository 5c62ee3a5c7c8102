"""Official administrative units of any province, before and after 1/7/2025, and the official old -> new mapping.

The lists and the mapping come from the ``vietnamadminunits`` package:

- ``dataset.db``, table ``admin_units_legacy``: the 63 former provinces with their districts and communes (one
  row per commune; five island districts had no commune level: one row each, without a commune);
- ``dataset.db``, table ``admin_units``: the 34 provinces from 1/7/2025 and their communes;
- ``converter_2025.json``: ``DICT_PROVINCE`` (new province key -> former province keys),
  ``DICT_PROVINCE_WARD_NO_DIVIDED`` (new province key -> new commune key -> former commune keys
  ``"<province>_<district>_<commune>"``) and ``DICT_PROVINCE_WARD_DIVIDED`` (new province key -> former
  commune key -> the new communes it was divided between, one of them the default).

A load is asked for today's provinces: naming a former province loads the province it went into. Each is
loaded with its communes (valid from 1/7/2025), every former province that went into it with its districts
and communes (valid to 30/6/2025), and the ``UnitSuccession`` rows old -> new. The default is today's
Khánh Hòa (code 56), which holds the former Ninh Thuận (58) and the former Khánh Hòa (also 56).

Units are matched on (GSO code, start date): GSO gave many new communes the code of an old one, and
today's Khánh Hòa has the code of the former Khánh Hòa, so a code alone is no key across 2025. Loading
again changes nothing; a unit whose name was edited gets the official one back.

Optionally a national root (the national association, Hội Khuyến học Việt Nam) holds the provinces; see
:func:`ensure_national_root`.
"""

from __future__ import annotations

import datetime
import functools
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from treebeard.exceptions import PathOverflow

import vietnamadminunits

from .models import AdministrativeUnit, UnitLevel, UnitSuccession
from .models.units import PATH_STEP
from .signals import units_moved
from .text import fold_key

DATA_DIR = Path(vietnamadminunits.__file__).resolve().parent / "data"
#: Today's Khánh Hòa: the default load (with the former Ninh Thuận and the former Khánh Hòa).
DEFAULT_PROVINCE = "56"
OLD_VALID_TO = datetime.date(2025, 6, 30)
NEW_VALID_FROM = datetime.date(2025, 7, 1)
SOURCE = "vietnamadminunits converter_2025 (Nghị quyết 1667/NQ-UBTVQH15)"
#: The national root: ISO 3166 code of Viet Nam (the GSO lists start at the provinces).
NATION_CODE = "VN"
NATION_NAME = "Việt Nam"
OFFICIAL_LEVELS = (UnitLevel.NATION, UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


class AdminUnitsError(ValueError):
    """A request the official lists cannot serve; ``args[0]`` is the message in Vietnamese."""


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    #: Today's provinces loaded, as "56 Tỉnh Khánh Hòa".
    provinces: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.moved + self.successions_created + self.successions_updated


# --- the package's data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Province:
    key: str  # the package's key, e.g. "tinhkhanhhoa"
    code: str
    name: str
    short_name: str
    keywords: tuple[str, ...]  # folded names and aliases, e.g. ("thanhphohochiminh", "hochiminh", "hcm")

    @property
    def unit_type(self) -> str:
        return "Thành phố" if self.name.startswith("Thành phố") else self.name.split(" ")[0]


@dataclass(frozen=True)
class Successor:
    province: str  # new province key
    commune: str  # new commune key
    is_default: bool
    is_divided: bool


class OfficialData:
    """Both official lists and the converter, read once (see :func:`official_data`)."""

    #: The columns read (the tables also hold coordinates, bounds and aliases of every unit).
    PROVINCE_COLUMNS = "provinceKey, provinceCode, province, provinceShort, provinceKeywords"
    DISTRICT_COLUMNS = "districtKey, districtCode, district, districtShort, districtType"
    COMMUNE_COLUMNS = "wardKey, wardCode, ward, wardShort, wardType"

    def __init__(self, data_dir: Path = DATA_DIR):
        province, district, commune = self.PROVINCE_COLUMNS, self.DISTRICT_COLUMNS, self.COMMUNE_COLUMNS
        with sqlite3.connect(data_dir / "dataset.db") as conn:
            conn.row_factory = sqlite3.Row
            legacy = [
                dict(r)
                for r in conn.execute(
                    f"SELECT {province}, {district}, {commune} FROM admin_units_legacy "  # noqa: S608 (constants)
                    "ORDER BY provinceCode, districtCode, wardCode"
                )
            ]
            new = [
                dict(r)
                for r in conn.execute(
                    f"SELECT {province}, {commune} FROM admin_units ORDER BY provinceCode, wardCode"  # noqa: S608
                )
            ]
        with open(data_dir / "converter_2025.json", encoding="utf-8") as fh:
            converter = json.load(fh)

        #: former province key -> its rows (one per commune), by district and commune code
        self.legacy: dict[str, list[dict]] = defaultdict(list)
        #: new province key -> its rows (one per commune), by commune code
        self.new: dict[str, list[dict]] = defaultdict(list)
        self.former_provinces: dict[str, Province] = {}
        self.provinces: dict[str, Province] = {}
        for rows, target, provinces in ((legacy, self.legacy, self.former_provinces), (new, self.new, self.provinces)):
            for row in rows:
                target[row["provinceKey"]].append(row)
                if row["provinceKey"] not in provinces:
                    provinces[row["provinceKey"]] = Province(
                        key=row["provinceKey"],
                        code=row["provinceCode"],
                        name=row["province"],
                        short_name=row["provinceShort"],
                        keywords=tuple(json.loads(row["provinceKeywords"] or "[]")),
                    )
        #: new province key -> former province keys (by code); former province key -> new province key
        self.former: dict[str, list[str]] = {
            new_key: sorted(olds, key=lambda k: self.former_provinces[k].code)
            for new_key, olds in converter["DICT_PROVINCE"].items()
        }
        self.went_into: dict[str, str] = {old: new_key for new_key, olds in self.former.items() for old in olds}
        #: former commune key -> its successors (an island district without communes: its district's key)
        self.successors: dict[str, list[Successor]] = defaultdict(list)
        for new_key, communes in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for commune_key, old_keys in communes.items():
                for old_key in old_keys:
                    self.successors[old_key].append(Successor(new_key, commune_key, True, False))
        for new_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old_key, targets in olds.items():
                for target in targets:
                    self.successors[old_key].append(
                        Successor(new_key, target["newWardKey"], bool(target["isDefaultNewWard"]), True)
                    )

    @staticmethod
    def commune_key(row: dict) -> str:
        """The converter's key of a former commune (or of an island district that had none)."""
        return f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"

    def resolve(self, text: str) -> str:
        """Today's province key for a GSO code or a name (with or without diacritics, before or after
        1/7/2025): a former province resolves to the province it went into. Raises ``KeyError``."""
        wanted = fold_key(str(text))
        if wanted.isdigit():
            wanted = wanted.zfill(2)
            for province in self.provinces.values():
                if province.code == wanted:
                    return province.key
            for province in self.former_provinces.values():
                if province.code == wanted:
                    return self.went_into[province.key]
            raise KeyError(text)
        if wanted:
            for province in self.provinces.values():
                if wanted in province.keywords:
                    return province.key
            for province in self.former_provinces.values():
                if wanted in province.keywords:
                    return self.went_into[province.key]
        raise KeyError(text)


@functools.cache
def official_data() -> OfficialData:
    return OfficialData()


# --- writing many tree nodes at once ---------------------------------------------------------------------


class TreeWriter:
    """Adds units under their parents in bulk, in treebeard's path scheme.

    ``add_child`` reads the parent's last child and updates the parent's ``numchild`` for every unit it adds;
    for 13,400 communes that is tens of thousands of queries. Here the paths are computed in memory (one query
    per existing parent for its last child), the rows are written by ``bulk_create`` and each existing
    parent's ``numchild`` is raised once. A unit added here can be the parent of others added here: only its
    path is needed until :meth:`flush`.
    """

    def __init__(self) -> None:
        self._next_step: dict[str, int] = {}
        self._pending: list[AdministrativeUnit] = []
        self._pending_paths: set[str] = set()
        self._added: Counter[str] = Counter()

    def add(self, parent: AdministrativeUnit | None, **fields) -> AdministrativeUnit:
        parent_path = parent.path if parent is not None else ""
        step = self._next_step.get(parent_path)
        if step is None:
            step = 1 if parent_path in self._pending_paths else self._last_step(parent_path) + 1
        depth = len(parent_path) // PATH_STEP + 1
        path = AdministrativeUnit._get_path(parent_path, depth, step)
        if len(path) != depth * PATH_STEP:
            raise PathOverflow(path)
        self._next_step[parent_path] = step + 1
        unit = AdministrativeUnit(path=path, depth=depth, numchild=0, **fields)
        self._pending.append(unit)
        self._pending_paths.add(path)
        self._added[parent_path] += 1
        return unit

    @staticmethod
    def _last_step(parent_path: str) -> int:
        last = (
            AdministrativeUnit.objects.filter(path__startswith=parent_path, depth=len(parent_path) // PATH_STEP + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return AdministrativeUnit._str2int(last[-PATH_STEP:]) if last else 0

    def flush(self) -> int:
        """Write the units added since the last flush (their ``pk`` is set); returns how many."""
        for unit in self._pending:
            unit.numchild = self._added.get(unit.path, 0)
        AdministrativeUnit.objects.bulk_create(self._pending, batch_size=1000)
        for parent_path, count in self._added.items():
            if parent_path and parent_path not in self._pending_paths:
                AdministrativeUnit.objects.filter(path=parent_path).update(numchild=F("numchild") + count)
        written = len(self._pending)
        # Later adds continue after what was written (the steps stay in ``_next_step``).
        self._pending, self._pending_paths, self._added = [], set(), Counter()
        return written


# --- the national root -----------------------------------------------------------------------------------


def national_root() -> AdministrativeUnit | None:
    """The national root, if one was created."""
    return AdministrativeUnit.objects.filter(level=UnitLevel.NATION).order_by("path").first()


@transaction.atomic
def ensure_national_root(report: LoadReport | None = None) -> AdministrativeUnit:
    """The national root (created when missing), with every province that is a root moved under it.

    Moving a subtree rewrites its paths (treebeard). Rows that point at units by key (evaluations, subjects,
    targets, assignments, decisions) are unaffected; the stored copies of paths are kept in step: the search
    index follows the ``units_moved`` signal, and a report snapshot's paths only relate its own rows to each
    other (it is read by its structure, never matched against the live tree).
    """
    report = report or LoadReport()
    nation = national_root()
    if nation is None:
        nation = AdministrativeUnit.add_root(
            name=NATION_NAME, short_name=NATION_NAME, unit_type="", level=UnitLevel.NATION, code=NATION_CODE
        )
        report.created += 1
    for province in AdministrativeUnit.objects.filter(depth=1, level=UnitLevel.PROVINCE).order_by("path"):
        old_path = province.path
        province.move(AdministrativeUnit.objects.get(pk=nation.pk), "last-child")
        province.refresh_from_db()
        units_moved.send(sender=AdministrativeUnit, old_path=old_path, new_path=province.path)
        report.moved += 1
    return AdministrativeUnit.objects.get(pk=nation.pk)


# --- the load ------------------------------------------------------------------------------------------


def province_keys(provinces: Iterable[str] | None, *, data: OfficialData | None = None) -> list[str]:
    """Today's province keys for the requested codes or names (the default province when none), by code.

    Raises :class:`AdminUnitsError` naming every request that matches no province.
    """
    data = data or official_data()
    wanted = [str(p).strip() for p in (provinces or []) if str(p).strip()] or [DEFAULT_PROVINCE]
    keys, unknown = [], []
    for text in wanted:
        try:
            keys.append(data.resolve(text))
        except KeyError:
            unknown.append(text)
    if unknown:
        raise AdminUnitsError(
            _(
                "No province has the code or name %(names)s. Give a GSO code (e.g. 56) or a name, before or "
                "after 1/7/2025 (e.g. “Khánh Hòa”, “Ninh Thuận”, “ninh thuan”)."
            )
            % {"names": ", ".join(f"“{name}”" for name in unknown)}
        )
    return sorted(set(keys), key=lambda k: data.provinces[k].code)


def _with_successor_provinces(keys: list[str], data: OfficialData) -> list[str]:
    """``keys`` plus any province a former commune of theirs went into (none in the 2025 data: every former
    province went whole into one new province; kept so a mapping across a border still finds its units)."""
    keys = list(keys)
    queue = list(keys)
    while queue:
        key = queue.pop()
        for former in data.former[key]:
            for row in data.legacy[former]:
                for successor in data.successors.get(data.commune_key(row), []):
                    if successor.province not in keys:
                        keys.append(successor.province)
                        queue.append(successor.province)
    return sorted(keys, key=lambda k: data.provinces[k].code)


class _Loader:
    def __init__(self, report: LoadReport, parent_of_provinces: AdministrativeUnit | None):
        self.report = report
        self.top = parent_of_provinces
        self.writer = TreeWriter()
        self.existing = {
            (u.code, u.valid_from): u
            for u in AdministrativeUnit.objects.filter(code__isnull=False, level__in=OFFICIAL_LEVELS)
        }

    def ensure(self, parent: AdministrativeUnit | None, code: str, **fields) -> AdministrativeUnit:
        """The unit of ``code`` for the period starting ``fields["valid_from"]``: created under ``parent`` when
        missing, else its fields brought up to date (it is not moved)."""
        unit = self.existing.get((code, fields["valid_from"]))
        if unit is None:
            self.report.created += 1
            unit = self.existing[(code, fields["valid_from"])] = self.writer.add(parent, code=code, **fields)
            return unit
        changed = [name for name, value in fields.items() if getattr(unit, name) != value]
        if changed:
            for name in changed:
                setattr(unit, name, fields[name])
            unit.save(update_fields=changed)
            self.report.updated += 1
        else:
            self.report.unchanged += 1
        return unit

    def province(self, province: Province, dates: dict) -> AdministrativeUnit:
        return self.ensure(
            self.top,
            province.code,
            name=province.name,
            short_name=province.short_name,
            unit_type=province.unit_type,
            level=UnitLevel.PROVINCE,
            **dates,
        )


def load_admin_units(
    provinces: Iterable[str] | None = None,
    *,
    all_provinces: bool = False,
    national: bool = False,
    progress: Callable[[str], None] | None = None,
    data: OfficialData | None = None,
) -> LoadReport:
    """Load today's ``provinces`` (codes or names; today's Khánh Hòa when none; every province with
    ``all_provinces``) with their former provinces and the old -> new mapping, in one transaction.

    With ``national`` the national root is created (when missing) and holds every province; once it exists,
    provinces loaded later go under it too. Returns what was created, updated and counted; raises
    :class:`AdminUnitsError` (nothing stored) for an unknown province or a former commune without successor.
    ``data``: the package's lists (read once by default).
    """
    data = data or official_data()
    progress = progress or (lambda message: None)
    if all_provinces:
        keys = sorted(data.provinces, key=lambda k: data.provinces[k].code)
    else:
        keys = province_keys(provinces, data=data)
    keys = _with_successor_provinces(keys, data)
    report = LoadReport(provinces=[f"{data.provinces[k].code} {data.provinces[k].name}" for k in keys])
    with transaction.atomic():
        nation = ensure_national_root(report) if national else national_root()
        loader = _Loader(report, nation)
        old_dates = {"valid_from": None, "valid_to": OLD_VALID_TO}
        new_dates = {"valid_from": NEW_VALID_FROM, "valid_to": None}
        old_by_key: dict[str, AdministrativeUnit] = {}
        new_by_key: dict[tuple[str, str], AdministrativeUnit] = {}
        counts = Counter()
        for number, key in enumerate(keys, start=1):
            for former_key in data.former[key]:
                former = loader.province(data.former_provinces[former_key], old_dates)
                counts["former provinces"] += 1
                districts: dict[str, AdministrativeUnit] = {}
                for row in data.legacy[former_key]:
                    district = districts.get(row["districtCode"])
                    if district is None:
                        district = districts[row["districtCode"]] = loader.ensure(
                            former,
                            row["districtCode"],
                            name=row["district"],
                            short_name=row["districtShort"],
                            unit_type=row["districtType"],
                            level=UnitLevel.DISTRICT,
                            **old_dates,
                        )
                    if not row["wardCode"]:
                        # An island district without communes (Côn Đảo, Lý Sơn...): it is what maps onto its
                        # new special zone.
                        old_by_key[data.commune_key(row)] = district
                        counts["former districts without communes"] += 1
                        continue
                    old_by_key[data.commune_key(row)] = loader.ensure(
                        district,
                        row["wardCode"],
                        name=row["ward"],
                        short_name=row["wardShort"],
                        unit_type=row["wardType"],
                        level=UnitLevel.COMMUNE,
                        **old_dates,
                    )
                    counts["former communes"] += 1
                counts["former districts"] += len(districts)
            province = loader.province(data.provinces[key], new_dates)
            counts["provinces"] += 1
            for row in data.new[key]:
                new_by_key[(key, row["wardKey"])] = loader.ensure(
                    province,
                    row["wardCode"],
                    name=row["ward"],
                    short_name=row["wardShort"],
                    unit_type=row["wardType"],
                    level=UnitLevel.COMMUNE,
                    **new_dates,
                )
                counts["communes"] += 1
            if len(keys) > 1:
                progress(
                    f"[{number}/{len(keys)}] {data.provinces[key].code} {data.provinces[key].name}: "
                    f"{len(data.new[key])} communes, {len(data.former[key])} former province(s)"
                )
        loader.writer.flush()
        counts["successions"] = _load_successions(report, data, old_by_key, new_by_key)
    report.counts = {
        "provinces": counts["provinces"],
        "communes": counts["communes"],
        "former provinces": counts["former provinces"],
        "former districts": counts["former districts"],
        "former communes": counts["former communes"],
        "former districts without communes": counts["former districts without communes"],
        "successions": counts["successions"],
    }
    return report


def _load_successions(
    report: LoadReport,
    data: OfficialData,
    old_by_key: dict[str, AdministrativeUnit],
    new_by_key: dict[tuple[str, str], AdministrativeUnit],
) -> int:
    """Create or correct the ``UnitSuccession`` rows of the former units loaded; returns how many there are."""
    wanted: dict[tuple[int, int], tuple[bool, bool]] = {}  # (old pk, new pk) -> (is_default, is_divided)
    missing = []
    for old_key, old in old_by_key.items():
        successors = data.successors.get(old_key, [])
        for successor in successors:
            wanted[(old.pk, new_by_key[(successor.province, successor.commune)].pk)] = (
                successor.is_default,
                successor.is_divided,
            )
        if sum(s.is_default for s in successors) != 1:
            missing.append(old)
    if missing:
        raise AdminUnitsError(
            _("The official mapping (converter_2025.json) gives no single default successor for: %(units)s.")
            % {"units": ", ".join(f"{u.name} ({u.code})" for u in missing[:20])}
            + (f" (+{len(missing) - 20})" if len(missing) > 20 else "")
        )

    existing = {
        (s.old_unit_id, s.new_unit_id): s
        for s in UnitSuccession.objects.filter(effective_date=NEW_VALID_FROM).only(
            "id", "old_unit_id", "new_unit_id", "is_default", "is_divided", "source"
        )
    }
    new_rows, changed = [], []
    for (old_pk, new_pk), (is_default, is_divided) in wanted.items():
        row = existing.get((old_pk, new_pk))
        if row is None:
            new_rows.append(
                UnitSuccession(
                    old_unit_id=old_pk,
                    new_unit_id=new_pk,
                    effective_date=NEW_VALID_FROM,
                    is_default=is_default,
                    is_divided=is_divided,
                    source=SOURCE,
                )
            )
        elif (row.is_default, row.is_divided, row.source) != (is_default, is_divided, SOURCE):
            row.is_default, row.is_divided, row.source = is_default, is_divided, SOURCE
            changed.append(row)
    UnitSuccession.objects.bulk_create(new_rows, batch_size=1000)
    UnitSuccession.objects.bulk_update(changed, ["is_default", "is_divided", "source"], batch_size=500)
    report.successions_created += len(new_rows)
    report.successions_updated += len(changed)
    return len(wanted)
