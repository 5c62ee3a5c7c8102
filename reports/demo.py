"""Demo targets, budget lines and a few annual report submissions (idempotent)."""

from __future__ import annotations

import datetime
import random
import zoneinfo
from decimal import Decimal

from evaluations.models import AdministrativeUnit, UnitLevel
from evaluations.models.units import in_subtree

from .models import BudgetLine, BudgetSource, ReportSubmission, Target
from .services import report_submit, targets_seed_national

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

#: Ninh Phước's own 2023 targets (DOMAIN.md): a local override of the provincial defaults.
NINH_PHUOC_2023 = {"family": 90, "clan": 80, "community": 90}


#: The running year's provincial targets: a step from the 2025 milestone towards 2030's (Decision 387).
YEAR_2026 = {"family": 72, "clan": 67, "community": 67, "unit": 82, "citizen": 44, "citizen_staff": 64}


def seed_reports_demo(*, seed: int = 2022) -> dict[str, int]:
    counts = {"targets": 0, "budget_lines": 0, "submissions": 0}
    old_province = AdministrativeUnit.objects.filter(code="58", level=UnitLevel.PROVINCE).first()
    province = AdministrativeUnit.objects.current().filter(code="56", level=UnitLevel.PROVINCE).first()
    if old_province is not None:
        counts["targets"] += targets_seed_national(province=old_province, yearly_from=2021)
    if province is not None:
        counts["targets"] += targets_seed_national(province=province)
        for indicator, percent in YEAR_2026.items():
            _t, created = Target.objects.get_or_create(
                area=province,
                year=2026,
                indicator=indicator,
                defaults={"percent": Decimal(percent), "note": "Kế hoạch Hội Khuyến học tỉnh năm 2026"},
            )
            counts["targets"] += created
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
    districts = AdministrativeUnit.objects.filter(
        in_subtree(old_province.path if old_province else "-", field=None), level=UnitLevel.DISTRICT
    )
    counts["budget_lines"] += _budget_lines(rng, districts, (2023, 2024), state=(80, 250), mobilised=(40, 400))
    # Today's communes of the former Ninh Thuận (where the demo's register is) budget and report since 2025.
    todays = []
    if old_province is not None:
        todays = list(
            AdministrativeUnit.objects.filter(
                in_subtree(old_province, field="predecessors__old_unit"), level=UnitLevel.COMMUNE
            )
            .current()
            .distinct()
            .order_by("path")
        )
    counts["budget_lines"] += _budget_lines(rng, todays, (2025, 2026), state=(20, 60), mobilised=(10, 90))
    # Most communes report by 30 November, some late, some not at all: the former communes for 2024,
    # today's for 2025 and for the running year (due 30/11/2026).
    former = []
    if old_province is not None:
        former = list(
            AdministrativeUnit.objects.filter(
                in_subtree(old_province, field=None), level=UnitLevel.COMMUNE, valid_to__isnull=False
            ).order_by("path")
        )
    for year, communes in ((2024, former), (2025, todays), (2026, todays)):
        if ReportSubmission.objects.filter(year=year).exists():
            continue
        for commune in communes:
            draw = rng.random()
            if draw < 0.15:
                continue
            day = datetime.datetime(year, 11, rng.randint(5, 29), 9, tzinfo=VN)
            if draw > 0.85:
                day = datetime.datetime(year, 12, 1, 9, tzinfo=VN) if year == 2026 else day.replace(month=12)
            report_submit(area=commune, year=year, user=None, when=day)
            counts["submissions"] += 1
    return counts


def _budget_lines(rng, areas, years, *, state: tuple[int, int], mobilised: tuple[int, int]) -> int:
    """Planned and spent (60-100 %) lines per area, year and source, in millions of đồng drawn from the
    ranges; returns how many were created."""
    created = 0
    for area in areas:
        for year in years:
            for source, (low, high) in ((BudgetSource.STATE_BUDGET, state), (BudgetSource.MOBILISED, mobilised)):
                planned = Decimal(rng.randint(low, high) * 1_000_000)
                _b, made = BudgetLine.objects.get_or_create(
                    area=area,
                    year=year,
                    source=source,
                    defaults={
                        "planned": planned,
                        "spent": (planned * Decimal(rng.randint(60, 100)) / 100).quantize(1),
                    },
                )
                created += made
    return created
