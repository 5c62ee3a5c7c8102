"""The listing of personal data (subjects, evaluations, decisions): its exports are recorded, and it offers
the constant-memory export of every filtered row."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views.snippets import IndexView

from ..models import Evaluation, ExportRecord, Subject


class PersonalDataIndexView(IndexView):
    """A listing whose exports hold personal data: each export is recorded (who, when, what filter)."""

    @property
    def header_buttons(self):
        """Wagtail's buttons, plus the constant-memory export of every filtered row (reports app)."""
        buttons = list(super().header_buttons)
        if self.model is Evaluation:
            query = self.request.GET.copy()
        elif issubclass(self.model, Subject):
            query = self.request.GET.copy()
            query["kind"] = self.model.kind_value
        else:
            return buttons
        query.pop("p", None)
        query["format"] = "xlsx"
        url = reverse("reports:export", args=["evaluations" if self.model is Evaluation else "subjects"])
        buttons.append(
            HeaderButton(_("Export all filtered rows (xlsx)"), url=f"{url}?{query.urlencode()}", icon_name="download")
        )
        return buttons

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.is_export:
            ExportRecord.objects.create(
                user=request.user,
                listing=self.model._meta.label_lower,
                file_format=request.GET.get("export", ""),
                filters={key: values for key, values in request.GET.lists() if key != "export"},
                row_count=self.object_list.count() if hasattr(self.object_list, "count") else None,
            )
        return response
