"""Admin screen: evidence search with facets (kind, year, area), limited to the user's area."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from evaluations.admin_screen import AdminScreenMixin
from evaluations.models import AdministrativeUnit, SubjectKind

from .selectors import evidence_search

PER_PAGE = 20


def may_search_evidence(user) -> bool:
    return user.is_active and user.has_perm("evaluations.view_evidence")


class EvidenceSearchView(AdminScreenMixin, TemplateView):
    template_name = "search/admin/evidence_search.html"
    page_title = gettext_lazy("Evidence search")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not may_search_evidence(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filters(self) -> dict:
        params = self.request.GET
        kind = params.get("kind", "")
        year = params.get("year", "")
        area = None
        if params.get("area", "").isdigit():
            area = AdministrativeUnit.objects.filter(pk=int(params["area"])).for_user(self.request.user).first()
        return {
            "kind": kind if kind in SubjectKind.values else "",
            "year": int(year) if year.isdigit() else None,
            "area": area,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        filters = self.filters()
        try:
            page_number = max(1, int(self.request.GET.get("p", 1)))
        except ValueError:
            page_number = 1
        results = None
        if query:
            results = evidence_search(
                user=self.request.user,
                text=query,
                offset=(page_number - 1) * PER_PAGE,
                limit=PER_PAGE,
                **filters,
            )
        base = {"q": query, "kind": filters["kind"], "year": filters["year"] or "", "area": ""}
        if filters["area"] is not None:
            base["area"] = filters["area"].pk

        def link(**changes) -> str:
            params = {k: v for k, v in {**base, **changes}.items() if v not in ("", None)}
            return "?" + urlencode(params)

        facets = []
        if results is not None:
            labels = {"kind": gettext_lazy("Kind"), "year": gettext_lazy("Year"), "area": gettext_lazy("Area")}
            for name in ("kind", "year", "area"):
                selected = base[name]
                buckets = [
                    {
                        "label": label,
                        "count": count,
                        "url": link(**{name: value, "p": ""}),
                        "active": value == selected,
                    }
                    for value, label, count in results.facets.get(name, [])
                ]
                facets.append(
                    {
                        "name": labels[name],
                        "buckets": buckets,
                        "clear_url": link(**{name: "", "p": ""}) if selected not in ("", None) else "",
                    }
                )
            from evaluations.admin import evaluation_viewset

            inspect = evaluation_viewset.get_url_name("inspect")
            for item in results.items:
                evidence = item.object
                item.url = reverse(inspect, args=[evidence.evaluation_id])
                item.download_url = reverse("evaluations:evidence_download", args=[evidence.pk])
        has_next = bool(results and results.total > page_number * PER_PAGE)
        context.update(
            query=query,
            results=results,
            facets=facets,
            area=filters["area"],
            previous_url=link(p=page_number - 1) if page_number > 1 else "",
            next_url=link(p=page_number + 1) if has_next else "",
        )
        return context
