"""Demo targets, budget lines and a few annual report submissions (idempotent)."""

from __future__ import annotations

import datetime
import random
import zoneinfo
from decimal import Decimal

from evaluations.models import AdministrativeUnit, UnitLevel

from .models import BudgetLine, BudgetSource, ReportSubmission, Target
from .services import report_submit, targets_seed_national

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

#: Ninh Phước's own 2023 targets (DOMAIN.md): a local override of the provincial defaults.
NINH_PHUOC_2023 = {"family": 90, "clan": 80, "community": 90}


def seed_reports_demo(*, seed: int = 2022) -> dict[str, int]:
    counts = {"targets": 0, "budget_lines": 0, "submissions": 0}
    # The former Khánh Hòa has code 56 too: today's is the one with a start date.
    for code, yearly_from, former in (("58", 2021, True), ("56", None, False)):
        province = AdministrativeUnit.objects.filter(
            code=code, level=UnitLevel.PROVINCE, valid_from__isnull=former
        ).first()
        if province is not None:
            counts["targets"] += targets_seed_national(province=province, yearly_from=yearly_from)
    ninh_phuoc = AdministrativeUnit.objects.filter(code="587", level=UnitLevel.DISTRICT).first()
    if ninh_phuoc is not None:
        for indicator, percent in NINH_PHUOC_2023.items():
            _t, created = Target.objects.get_or_create(
                area=ninh_phuoc,
                year=2023,
                indicator=indicator,
                defaults={"percent": Decimal(percent), "note": "Kế hoạch huyện Ninh Phước 2023"},
            )
            counts["targets"] += created
    rng = random.Random(seed)  # noqa: S311 (demo figures)
    districts = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT, path__startswith=_path_of("58"))
    for district in districts:
        for year in (2023, 2024):
            for source, low, high in ((BudgetSource.STATE_BUDGET, 80, 250), (BudgetSource.MOBILISED, 40, 400)):
                planned = Decimal(rng.randint(low, high) * 1_000_000)
                _b, created = BudgetLine.objects.get_or_create(
                    area=district,
                    year=year,
                    source=source,
                    defaults={
                        "planned": planned,
                        "spent": (planned * Decimal(rng.randint(60, 100)) / 100).quantize(1),
                    },
                )
                counts["budget_lines"] += created
    # Most old communes have reported for 2024, some late, some not at all.
    if not ReportSubmission.objects.filter(year=2024).exists():
        communes = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, path__startswith=_path_of("58"), valid_to__isnull=False
        ).order_by("path")
        for commune in communes:
            draw = rng.random()
            if draw < 0.15:
                continue
            day = datetime.datetime(2024, 11, rng.randint(5, 29), 9, tzinfo=VN)
            if draw > 0.85:
                day = datetime.datetime(2024, 12, rng.randint(2, 20), 9, tzinfo=VN)
            report_submit(area=commune, year=2024, user=None, when=day)
            counts["submissions"] += 1
    return counts


def _path_of(code: str) -> str:
    unit = AdministrativeUnit.objects.filter(code=code, level=UnitLevel.PROVINCE).first()
    return unit.path if unit else "-"
