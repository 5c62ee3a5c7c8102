"""Reads: who has to report, completeness of the annual reports, the default area and year of a user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from evaluations.access import restrict_to_user_area, user_area_paths
from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
from evaluations.models.units import provinces_by_path

from .models import ReportSubmission
from .services import report_due_date

#: The district level was abolished on 1/7/2025; from the 2025 report on only communes report.
LAST_YEAR_WITH_DISTRICTS = 2024


def reporting_units(*, root: AdministrativeUnit, year: int):
    """Communes (and districts before 2025) in ``root``'s subtree that were in force on the due date."""
    levels = [UnitLevel.COMMUNE] + ([UnitLevel.DISTRICT] if year <= LAST_YEAR_WITH_DISTRICTS else [])
    return (
        AdministrativeUnit.objects.filter(path__startswith=root.path, level__in=levels)
        .current(on=report_due_date(year))
        .order_by("path")
    )


@dataclass
class CompletenessRow:
    unit: AdministrativeUnit
    submission: ReportSubmission | None

    @property
    def state(self) -> str:
        if self.submission is None:
            return "missing"
        return "on_time" if self.submission.on_time else "late"


def report_completeness(*, root: AdministrativeUnit, year: int) -> list[CompletenessRow]:
    """Every unit that has to report, with its latest submission (``None`` when missing)."""
    units = list(reporting_units(root=root, year=year))
    latest: dict[int, ReportSubmission] = {}
    for submission in (
        ReportSubmission.objects.filter(year=year, area__in=units)
        .select_related("submitted_by")
        .defer("snapshot")
        .order_by("submitted_at", "pk")
    ):
        latest[submission.area_id] = submission
    return [CompletenessRow(unit, latest.get(unit.pk)) for unit in units]


def completeness_counts(rows: list[CompletenessRow]) -> dict[str, int]:
    counts = {"on_time": 0, "late": 0, "missing": 0}
    for row in rows:
        counts[row.state] += 1
    return counts


def user_report_areas(user):
    """The units a user may open reports for (their subtrees), villages left out."""
    return restrict_to_user_area(
        AdministrativeUnit.objects.exclude(level=UnitLevel.VILLAGE).order_by("path"), user, None
    )


def default_report_area(user) -> AdministrativeUnit | None:
    """The user's first assigned unit; for a superuser the province where the latest evaluation lies (by
    level: a province may sit under a national root), else the first province."""
    paths = user_area_paths(user)
    if paths:
        return AdministrativeUnit.objects.filter(path=paths[0]).first()
    if paths is None:
        latest = Evaluation.objects.order_by("-year").values_list("area__path", flat=True).first()
        if latest:
            province = provinces_by_path([latest]).get(latest)
            if province is not None:
                return province
        return AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("path").first()
    return None


def report_years(area: AdministrativeUnit | None = None) -> list[int]:
    qs = Evaluation.objects.all()
    if area is not None:
        qs = qs.filter(Q(area__path__startswith=area.path))
    return sorted(set(qs.order_by().values_list("year", flat=True).distinct()), reverse=True)
