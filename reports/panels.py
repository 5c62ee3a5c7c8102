"""Dashboard panels for the user's area: progress against targets (server-rendered SVG), lagging areas,
reporting completeness and recent decisions. Shown only to users who read reports."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from evaluations.access import restrict_to_user_area
from evaluations.models import RecognitionDecision

from .models import Indicator
from .rollup import INDICATORS, rollup
from .selectors import completeness_counts, default_report_area, report_completeness, report_years

BAR_WIDTH = 300


class DashboardData:
    """One roll-up per request, shared by the panels."""

    def __init__(self, request):
        self.user = request.user
        self.area = default_report_area(self.user)
        years = report_years(self.area) if self.area else []
        self.year = years[0] if years else None
        self._rollup = None

    @property
    def result(self):
        if self._rollup is None and self.area is not None and self.year is not None:
            self._rollup = rollup(root=self.area, years=self.year)
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
        counts, total = None, 0
        if self.data.area is not None and self.data.year is not None:
            rows = report_completeness(root=self.data.area, year=self.data.year)
            counts, total = completeness_counts(rows), len(rows)
        return {"area": self.data.area, "year": self.data.year, "counts": counts, "total": total}


class RecentDecisionsPanel(Component):
    name = "reports_decisions"
    template_name = "reports/panels/decisions.html"
    order = 93

    def __init__(self, data: DashboardData):
        self.data = data

    def get_context_data(self, parent_context=None):
        decisions = restrict_to_user_area(RecognitionDecision.objects.select_related("area"), self.data.user)
        return {"decisions": decisions.order_by("-decision_date", "-pk")[:6]}


def dashboard_panels(request) -> list[Component]:
    from .views.admin import can_view_reports

    if not can_view_reports(request.user):
        return []
    data = DashboardData(request)
    return [ProgressPanel(data), LaggingAreasPanel(data), CompletenessPanel(data), RecentDecisionsPanel(data)]
