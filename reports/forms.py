from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.forms import WagtailAdminModelForm

from evaluations.access import user_reaches_unit
from evaluations.filters import AreaChoiceField
from evaluations.models.area import scope_choices


class DatedAreaIterator(ModelChoiceIterator):
    """Units in force today first, then those that ended, in one group per end date ("Units before
    1/7/2025"); the queryset comes ordered that way (``reports.selectors.user_report_areas``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        today = timezone.localdate()
        groups: dict = {}
        for unit in self.queryset:
            if unit.has_ended(today):
                groups.setdefault(unit.valid_to, []).append(self.choice(unit))
            else:
                yield self.choice(unit)
        for end, choices in groups.items():
            after = end + datetime.timedelta(days=1)
            yield (_("Units before %(date)s") % {"date": f"{after.day}/{after.month}/{after.year}"}, choices)


class DatedAreaChoiceField(AreaChoiceField):
    """An area select where an ended unit carries its end date ("Xã Phước Hải (đến 30/6/2025)") and comes
    after today's units."""

    iterator = DatedAreaIterator

    def label_from_instance(self, obj) -> str:
        return "\u00a0\u00a0" * (obj.depth - 1) + obj.dated_name


class AreaBoundForm(WagtailAdminModelForm):
    """Targets, denominators and budget lines: the area must lie in the officer's own area."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "area" in self.fields and self.for_user is not None:
            from .selectors import user_report_areas

            field = self.fields["area"]
            field.iterator = DatedAreaIterator
            field.label_from_instance = lambda unit: unit.dated_name
            field.queryset = user_report_areas(self.for_user)
        scope_choices(self, self.for_user)

    def clean_area(self):
        area = self.cleaned_data.get("area")
        if area is not None and self.for_user is not None and not user_reaches_unit(self.for_user, area):
            raise ValidationError(_("“%(area)s” is outside your area.") % {"area": area})
        return area


class ReportForm(forms.Form):
    """Which area and year to report on; the areas offered are the user's own."""

    area = DatedAreaChoiceField(label=gettext_lazy("Area"), queryset=None)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    structure = forms.ChoiceField(
        label=gettext_lazy("Structure"),
        required=False,
        choices=[("time", gettext_lazy("structure of that time")), ("today", gettext_lazy("today's structure"))],
        help_text=gettext_lazy(
            "Today's structure counts the units that ended in a reorganisation on their successors."
        ),
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].error_messages["invalid_choice"] = gettext_lazy(
            "Area: this unit does not exist or is outside your area."
        )


class SubmitReportForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
