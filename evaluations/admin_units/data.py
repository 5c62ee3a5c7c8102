"""The official lists and the old -> new mapping as read from the ``vietnamadminunits`` package, and what a
load reports."""

from __future__ import annotations

import datetime
import functools
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import vietnamadminunits

from ..models import UnitLevel
from ..text import fold_key

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
