"""Dashboard panels for the user's area: progress against targets (server-rendered SVG), lagging areas,
reporting completeness and recent decisions. Shown only to users who read reports."""

from __future__ import annotations

from django.utils.translation import gettext as _

from wagtail.admin.ui.components import Component

from evaluations.calendar import current_evaluation_year
from evaluations.models import RecognitionDecision

from .models import YEAR_VALIDATORS, Indicator
from .rollup import INDICATORS
from .selectors import (
    completeness_counts,
    completeness_note,
    default_report_area,
    report_completeness,
    report_scope,
    report_year_choices,
)
from .todo import todo_items

BAR_WIDTH = 300
FIRST_YEAR, LAST_YEAR = (validator.limit_value for validator in YEAR_VALIDATORS)


def parse_year(value: str | None) -> tuple[int | None, str]:
    """The year asked for by the ``year`` parameter (``None`` when absent), or ``None`` and a message
    saying what was wrong."""
    if value in (None, ""):
        return None, ""
    try:
        year = int(value)
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return None, _("Year “%(value)s” is not a year between %(first)s and %(last)s; showing %(default)s.") % {
            "value": value[:20],
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
            "default": current_evaluation_year(),
        }
    return year, ""


class DashboardData:
    """What the panels share: the area, the year (``?year=``, else the current evaluation year from the
    evaluation calendar, never the latest year holding a row) and one roll-up per request."""

    def __init__(self, request):
        self.user = request.user
        chosen, self.year_error = parse_year(request.GET.get("year"))
        self.year = chosen or current_evaluation_year()
        self.years = report_year_choices(chosen=self.year)
        self.asked = default_report_area(self.user)
        self.scope = report_scope(user=self.user, area=self.asked, year=self.year) if self.asked else None
        self.area = self.scope.area if self.scope else None
        self._rollup = None

    @property
    def note(self) -> str:
        return self.scope.note if self.scope else ""

    @property
    def result(self):
        if self._rollup is None and self.scope is not None:
            self._rollup = self.scope.rollup()
        return self._rollup


class ProgressPanel(Component):
    name = "reports_progress"
    template_name = "reports/panels/progress.html"
    order = 90

    def __init__(self, data: DashboardData):
        self.data = data

    def get_context_data(self, parent_context=None):
        result = self.data.result
        bars = []
        if result is not None:
            for index, indicator in enumerate(INDICATORS):
                figures = result.root.figures[self.data.year][indicator]
                percent = float(figures.percent or 0)
                target = float(figures.target) if figures.target is not None else None
                bars.append(
                    {
                        "label": Indicator(indicator).label,
                        "y": index * 34,
                        "width": round(BAR_WIDTH * min(percent, 100) / 100, 1),
                        "percent": figures.percent,
                        "target": figures.target,
                        "target_x": round(BAR_WIDTH * min(target, 100) / 100, 1) if target is not None else None,
                        "met": figures.met,
                        "recognised": figures.recognised,
                        "registered": figures.registered,
                    }
                )
        return {
            "area": self.data.area,
            "year": self.data.year,
            "years": self.data.years,
            "year_error": self.data.year_error,
            "note": self.data.note,
            "bars": bars,
            "bar_width": BAR_WIDTH,
            "height": len(bars) * 34,
        }


class LaggingAreasPanel(Component):
    name = "reports_lagging"
    template_name = "reports/panels/lagging.html"
    order = 91

    def __init__(self, data: DashboardData):
        self.data = data

    def get_context_data(self, parent_context=None):
        result = self.data.result
        rows = []
        if result is not None:
            year = self.data.year
            for child in result.root.children:
                for indicator in INDICATORS:
                    figures = child.figures[year][indicator]
                    if figures.target is not None and figures.percent is not None and not figures.met:
                        rows.append(
                            {
                                "area": child.name,
                                "label": Indicator(indicator).label,
                                "percent": figures.percent,
                                "target": figures.target,
                                "gap": figures.percent - figures.target,
                            }
                        )
            rows.sort(key=lambda r: r["gap"])
        return {"area": self.data.area, "year": self.data.year, "rows": rows[:8]}


class CompletenessPanel(Component):
    name = "reports_completeness"
    template_name = "reports/panels/completeness.html"
    order = 92

    def __init__(self, data: DashboardData):
        self.data = data

    def get_context_data(self, parent_context=None):
        counts, total, note, area = None, 0, "", self.data.asked
        if area is not None:
            rows = report_completeness(root=area, year=self.data.year)
            counts, total = completeness_counts(rows), len(rows)
            note = completeness_note(root=area, year=self.data.year)
        return {"area": area, "year": self.data.year, "counts": counts, "total": total, "note": note}


class RecentDecisionsPanel(Component):
    name = "reports_decisions"
    template_name = "reports/panels/decisions.html"
    order = 93

    def __init__(self, data: DashboardData):
        self.data = data

    def get_context_data(self, parent_context=None):
        decisions = RecognitionDecision.objects.select_related("area").for_user(self.data.user)
        return {"decisions": decisions.order_by("-decision_date", "-pk")[:6]}


class TodoPanel(Component):
    """ "Việc cần làm": what waits on the user (``todo.todo_items``), first on the dashboard."""

    name = "reports_todo"
    template_name = "reports/panels/todo.html"
    order = 10

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return {"items": todo_items(self.user)}


def dashboard_panels(request) -> list[Component]:
    from .views.admin import can_view_reports

    if not can_view_reports(request.user):
        return []
    data = DashboardData(request)
    return [
        TodoPanel(request.user),
        ProgressPanel(data),
        LaggingAreasPanel(data),
        CompletenessPanel(data),
        RecentDecisionsPanel(data),
    ]
