"""The load: the provinces asked for, each with the former provinces that went into it, their units and
the successions old -> new."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AdministrativeUnit, UnitLevel, UnitSuccession
from .data import (
    DEFAULT_PROVINCE,
    NEW_VALID_FROM,
    OFFICIAL_LEVELS,
    OLD_VALID_TO,
    SOURCE,
    AdminUnitsError,
    LoadReport,
    OfficialData,
    Province,
    official_data,
)
from .tree import TreeWriter, ensure_national_root, national_root

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
                    _("[%(number)d/%(total)d] %(code)s %(name)s: %(communes)d communes, %(former)d former province(s)")
                    % {
                        "number": number,
                        "total": len(keys),
                        "code": data.provinces[key].code,
                        "name": data.provinces[key].name,
                        "communes": len(data.new[key]),
                        "former": len(data.former[key]),
                    }
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
