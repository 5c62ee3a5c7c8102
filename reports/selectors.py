"""Reads: who has to report, completeness of the annual reports, the default area and year of a user, the
years offered, and what a report screen shows for an area and year (structure of that time or today's)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, F, Max, Min, When
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.access import user_area_paths, user_reaches_unit
from evaluations.calendar import current_evaluation_year, evaluation_date
from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
from evaluations.models.units import in_subtree, in_subtrees
from reorganisation.selectors import current_unit_map

from .models import ReportSubmission
from .rollup import Rollup, rollup, rollup_mapped
from .services import report_due_date

#: The district level was abolished on 1/7/2025; from the 2025 report on only communes report.
LAST_YEAR_WITH_DISTRICTS = 2024


def _day(date: datetime.date) -> str:
    return f"{date.day}/{date.month}/{date.year}"


def reporting_units(*, root: AdministrativeUnit, year: int) -> list[AdministrativeUnit]:
    """The units that had to report for ``year`` on ``root``'s territory: communes (and districts before
    2025) in force on the due date, in tree order.

    - ``root`` in force on the due date: those of its subtree;
    - ``root`` ended before (an old unit, a later year): those of the units of today its communes went
      into (``current_unit_map``): the 2025 reports of an old district are due from the new communes;
    - ``root`` not in force yet (a unit of today, a past year): those of that time that map onto it.
    """
    due = report_due_date(year)
    levels = [UnitLevel.COMMUNE] + ([UnitLevel.DISTRICT] if year <= LAST_YEAR_WITH_DISTRICTS else [])
    due_units = AdministrativeUnit.objects.filter(level__in=levels).current(on=due).order_by("path")
    if root.is_current(due):
        return list(due_units.filter(in_subtree(root, field=None)))
    if root.has_ended(due):
        communes = AdministrativeUnit.objects.filter(in_subtree(root, field=None), level=UnitLevel.COMMUNE)
        went_into = set(current_unit_map(communes.values_list("pk", flat=True)).values())
        paths = list(AdministrativeUnit.objects.filter(pk__in=went_into).values_list("path", flat=True))
        return list(due_units.filter(in_subtrees(paths, field=None))) if paths else []
    then = list(due_units.exclude(in_subtree(root, field=None)))
    mapped = current_unit_map([unit.pk for unit in then])
    inside = set(
        AdministrativeUnit.objects.filter(in_subtree(root, field=None), pk__in=set(mapped.values())).values_list(
            "pk", flat=True
        )
    )
    return [unit for unit in then if mapped.get(unit.pk) in inside]


def completeness_note(*, root: AdministrativeUnit, year: int) -> str:
    """Why the completeness of ``root`` lists units outside its subtree (empty when it does not)."""
    due = report_due_date(year)
    if root.is_current(due):
        return ""
    if root.has_ended(due):
        return _("%(area)s ended on %(date)s: the %(year)s reports are due from the units it went into.") % {
            "area": root.name,
            "date": _day(root.valid_to),
            "year": year,
        }
    return _("%(area)s was not in force on %(due)s: the %(year)s reports were due from the units of that time.") % {
        "area": root.name,
        "due": _day(due),
        "year": year,
    }


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
    """The units a user may open reports for (their subtrees), villages left out: units in force today
    first, in tree order, then those that ended, the latest end first."""
    ended = Case(When(valid_to__lt=timezone.localdate(), then=F("valid_to")), default=None)
    return (
        AdministrativeUnit.objects.exclude(level=UnitLevel.VILLAGE)
        .annotate(ended_on=ended)
        .order_by(F("ended_on").desc(nulls_first=True), "path")
        .for_user(user)
    )


def default_report_area(user) -> AdministrativeUnit | None:
    """Where a user's reports and dashboard open: their first assigned unit in force today (else their
    first assigned one); for a superuser the first province in force today (by level, so a national root
    above the provinces changes nothing)."""
    paths = user_area_paths(user)
    if paths is None:
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("path")
        return provinces.current().first() or provinces.first()
    units = list(AdministrativeUnit.objects.filter(path__in=paths).order_by("path")) if paths else []
    return next((unit for unit in units if unit.is_current()), units[0] if units else None)


def report_years(area: AdministrativeUnit | None = None) -> list[int]:
    """Years with evaluations in ``area``'s subtree (anywhere without one), newest first."""
    qs = Evaluation.objects.all()
    if area is not None:
        qs = qs.filter(in_subtree(area))
    return sorted(set(qs.order_by().values_list("year", flat=True).distinct()), reverse=True)


def years_with_data() -> list[int]:
    """Years holding at least one evaluation, newest first: index look-ups only (no scan of the table,
    which holds some 830,000 rows for a province)."""
    first = Evaluation.objects.aggregate(year=Min("year"))["year"]
    if first is None:
        return []
    last = Evaluation.objects.aggregate(year=Max("year"))["year"]
    return [year for year in range(last, first - 1, -1) if Evaluation.objects.filter(year=year).exists()]


def report_year_choices(*, chosen: int | None = None, on: datetime.date | None = None) -> list[int]:
    """The years a year selector offers, newest first: those with data, the current evaluation year (the
    default, from the evaluation calendar) and the one chosen."""
    years = set(years_with_data()) | {current_evaluation_year(on)}
    if chosen is not None:
        years.add(chosen)
    return sorted(years, reverse=True)


@dataclass
class ReportScope:
    """What a report screen shows when asked for ``asked`` and ``year``."""

    asked: AdministrativeUnit
    #: The area reported on: the one asked for, or the unit of today an ended one went into.
    area: AdministrativeUnit
    year: int
    #: ``"time"`` (the structure of that time) or ``"today"`` (ended units counted on today's).
    structure: str
    #: Why the area or the structure is not the one asked for (empty when they are).
    note: str = ""

    def rollup(self) -> Rollup:
        """The one roll-up of the screen."""
        if self.structure == "today":
            return rollup_mapped(root=self.area, years=self.year)
        return rollup(root=self.area, years=self.year)


def report_scope(*, user, area: AdministrativeUnit, year: int, structure: str = "time") -> ReportScope:
    """The area and structure a report of ``area`` for ``year`` is read in.

    An area not in force on the year's evaluation date is read in today's structure: a unit of today
    asked about a year before it existed counts the units of that time mapped onto it; an ended unit asked
    about a later year is replaced by the unit it went into when the user reaches that one (otherwise the
    note names it). Asking for today's structure does the same for any area.
    """
    on = evaluation_date(year)
    note = ""
    if not area.is_current(on):
        structure = "today"
        if not area.has_ended(on):
            note = _("%(area)s was not in force in %(year)s: the units of that time are counted on it.") % {
                "area": area.name,
                "year": year,
            }
    if structure != "today":
        return ReportScope(asked=area, area=area, year=year, structure="time")
    successor_id = current_unit_map([area.pk]).get(area.pk) if area.has_ended() else None
    successor = AdministrativeUnit.objects.filter(pk=successor_id).first() if successor_id else None
    reachable = successor is not None and user_reaches_unit(user, successor)
    if area.has_ended(on):
        if successor is None:
            note = _("%(area)s ended on %(date)s: choose the unit of today it went into.")
        elif reachable:
            note = _("%(area)s ended on %(date)s: %(year)s is shown for %(successor)s, the unit it went into.")
        else:
            note = _("%(area)s ended on %(date)s: its %(year)s figures are those of %(successor)s.")
        note %= {"area": area.name, "date": _day(area.valid_to), "year": year, "successor": successor}
    return ReportScope(asked=area, area=successor if reachable else area, year=year, structure="today", note=note)
