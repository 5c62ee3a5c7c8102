"""Official administrative units of Ninh Thuận (until 30/6/2025) and Khánh Hòa (from 1/7/2025).

The lists and the old -> new mapping come from the ``vietnamadminunits`` package: its SQLite data
set (``admin_units_legacy``: 63 provinces; ``admin_units``: 34 provinces) and ``converter_2025.json``
(keys ``"tinhninhthuan_<districtKey>_<wardKey>"`` -> new ward keys).
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

import vietnamadminunits

from .models import AdministrativeUnit, UnitLevel, UnitSuccession

DATA_DIR = Path(vietnamadminunits.__file__).resolve().parent / "data"
OLD_PROVINCE_CODE = "58"  # Ninh Thuận
NEW_PROVINCE_CODE = "56"  # Khánh Hòa after the merger
OLD_VALID_TO = datetime.date(2025, 6, 30)
NEW_VALID_FROM = datetime.date(2025, 7, 1)
SOURCE = "vietnamadminunits converter_2025 (Nghị quyết 1667/NQ-UBTVQH15)"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.successions_created + self.successions_updated


def _rows(sql: str, params: tuple = ()) -> list[dict]:
    with sqlite3.connect(DATA_DIR / "dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def legacy_rows() -> list[dict]:
    return _rows(
        "SELECT * FROM admin_units_legacy WHERE provinceCode = ? ORDER BY districtCode, wardCode", (OLD_PROVINCE_CODE,)
    )


def new_rows() -> list[dict]:
    return _rows("SELECT * FROM admin_units WHERE provinceCode = ? ORDER BY wardCode", (NEW_PROVINCE_CODE,))


def converter() -> dict:
    with open(DATA_DIR / "converter_2025.json", encoding="utf-8") as fh:
        return json.load(fh)


def _ensure(report: LoadReport, parent, lookup_code: str, **fields) -> AdministrativeUnit:
    """Create the unit under ``parent`` or bring its fields up to date; matched on code and start date.

    GSO gave 24 of the new communes the code of an old one, so a code alone is not a key across 2025.
    """
    unit = AdministrativeUnit.objects.filter(code=lookup_code, valid_from=fields["valid_from"]).first()
    if unit is None:
        report.created += 1
        fields["code"] = lookup_code
        return AdministrativeUnit.add_root(**fields) if parent is None else parent.add_child(**fields)
    changed = [name for name, value in fields.items() if getattr(unit, name) != value]
    if changed:
        for name in changed:
            setattr(unit, name, fields[name])
        unit.save(update_fields=changed)
        report.updated += 1
    else:
        report.unchanged += 1
    return unit


@transaction.atomic
def load_admin_units() -> LoadReport:
    """Load both trees and the old -> new mapping; running it again changes nothing."""
    report = LoadReport()
    old, new = legacy_rows(), new_rows()
    old_dates = {"valid_from": None, "valid_to": OLD_VALID_TO}
    new_dates = {"valid_from": NEW_VALID_FROM, "valid_to": None}

    first = old[0]
    old_province = _ensure(
        report,
        None,
        OLD_PROVINCE_CODE,
        name=first["province"],
        short_name=first["provinceShort"],
        unit_type=first["province"].split(" ")[0],
        level=UnitLevel.PROVINCE,
        **old_dates,
    )
    districts: dict[str, AdministrativeUnit] = {}
    old_by_key: dict[str, AdministrativeUnit] = {}
    for row in old:
        district = districts.get(row["districtCode"])
        if district is None:
            district = districts[row["districtCode"]] = _ensure(
                report,
                old_province,
                row["districtCode"],
                name=row["district"],
                short_name=row["districtShort"],
                unit_type=row["districtType"],
                level=UnitLevel.DISTRICT,
                **old_dates,
            )
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
        old_by_key[key] = _ensure(
            report,
            district,
            row["wardCode"],
            name=row["ward"],
            short_name=row["wardShort"],
            unit_type=row["wardType"],
            level=UnitLevel.COMMUNE,
            **old_dates,
        )

    first = new[0]
    new_province = _ensure(
        report,
        None,
        NEW_PROVINCE_CODE,
        name=first["province"],
        short_name=first["provinceShort"],
        unit_type=first["province"].split(" ")[0],
        level=UnitLevel.PROVINCE,
        **new_dates,
    )
    new_by_key = {
        row["wardKey"]: _ensure(
            report,
            new_province,
            row["wardCode"],
            name=row["ward"],
            short_name=row["wardShort"],
            unit_type=row["wardType"],
            level=UnitLevel.COMMUNE,
            **new_dates,
        )
        for row in new
    }

    _load_successions(report, old_by_key, new_by_key)
    report.counts = {
        "old province": 1,
        "old districts": len(districts),
        "old communes": len(old_by_key),
        "new province": 1,
        "new communes": len(new_by_key),
        "successions": UnitSuccession.objects.filter(old_unit__in=old_by_key.values()).count(),
    }
    return report


def _load_successions(report: LoadReport, old_by_key: dict, new_by_key: dict) -> None:
    data = converter()
    province_key = next(k for k, olds in data["DICT_PROVINCE"].items() if "tinhninhthuan" in olds)
    wanted: dict[tuple[int, int], tuple[bool, bool]] = {}  # (old pk, new pk) -> (is_default, is_divided)
    for new_key, old_keys in data["DICT_PROVINCE_WARD_NO_DIVIDED"][province_key].items():
        for old_key in old_keys:
            if old_key in old_by_key:
                wanted[(old_by_key[old_key].pk, new_by_key[new_key].pk)] = (True, False)
    for old_key, targets in data["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items():
        if old_key in old_by_key:
            for target in targets:
                key = (old_by_key[old_key].pk, new_by_key[target["newWardKey"]].pk)
                wanted[key] = (bool(target["isDefaultNewWard"]), True)
    mapped = {old_pk for old_pk, _ in wanted}
    missing = [key for key, unit in old_by_key.items() if unit.pk not in mapped]
    if missing:
        raise ValueError(f"no successor in converter_2025.json for: {', '.join(sorted(missing))}")

    existing = {
        (s.old_unit_id, s.new_unit_id): s
        for s in UnitSuccession.objects.filter(effective_date=NEW_VALID_FROM, old_unit_id__in=[k[0] for k in wanted])
    }
    for (old_pk, new_pk), (is_default, is_divided) in wanted.items():
        row = existing.get((old_pk, new_pk))
        if row is None:
            UnitSuccession.objects.create(
                old_unit_id=old_pk,
                new_unit_id=new_pk,
                effective_date=NEW_VALID_FROM,
                is_default=is_default,
                is_divided=is_divided,
                source=SOURCE,
            )
            report.successions_created += 1
        elif (row.is_default, row.is_divided, row.source) != (is_default, is_divided, SOURCE):
            row.is_default, row.is_divided, row.source = is_default, is_divided, SOURCE
            row.save(update_fields=["is_default", "is_divided", "source"])
            report.successions_updated += 1
