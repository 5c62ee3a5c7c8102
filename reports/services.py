"""Writes: annual report submissions (frozen snapshots) and demo targets."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from evaluations.models import AdministrativeUnit

from .models import ReportSubmission, Target
from .rollup import rollup, snapshot


def report_due_date(year: int) -> datetime.date:
    """Each level reports to the provincial association before 30 November (the plan)."""
    return datetime.date(year, 11, 30)


def is_on_time(year: int, when: datetime.datetime) -> bool:
    """Whether ``when`` falls on or before 30 November of ``year`` in Vietnam's time zone."""
    return timezone.localtime(when).date() <= report_due_date(year)


@transaction.atomic
def report_submit(*, area: AdministrativeUnit, year: int, user, note: str = "", when=None) -> ReportSubmission:
    """Freeze the roll-up of ``area`` for ``year`` as a new submission (the latest one counts)."""
    when = when or timezone.now()
    frozen = snapshot(rollup(root=area, years=year), year)
    return ReportSubmission.objects.create(
        area=area,
        year=year,
        submitted_by=user,
        submitted_at=when,
        on_time=is_on_time(year, when),
        note=note,
        snapshot=frozen,
    )


#: Decision 387/QĐ-TTg targets (DOMAIN.md): indicator -> (2025, 2030)
NATIONAL_TARGETS = {
    "family": (70, 80),
    "clan": (65, 75),
    "community": (65, 75),
    "unit": (80, 90),
    "citizen": (40, 60),
    "citizen_staff": (60, 80),
}


def targets_seed_national(*, province: AdministrativeUnit, years=(2025, 2030), yearly_from: int | None = None) -> int:
    """Province defaults from Decision 387 for 2025 and 2030; optionally every year from ``yearly_from``
    to 2024 aims at the 2025 milestone. Existing targets are left alone. Returns how many were created."""
    created = 0
    plan = {2025: 0, 2030: 1}
    wanted = [(year, ind, values[plan[year]]) for year in years for ind, values in NATIONAL_TARGETS.items()]
    if yearly_from:
        wanted += [(y, ind, values[0]) for y in range(yearly_from, 2025) for ind, values in NATIONAL_TARGETS.items()]
    for year, indicator, percent in wanted:
        _target, was_created = Target.objects.get_or_create(
            area=province,
            year=year,
            indicator=indicator,
            defaults={"percent": Decimal(percent), "note": "Quyết định 387/QĐ-TTg"},
        )
        created += was_created
    return created
