"""The family's or unit's self-assessment form (public, opened with a slip's code): one answer per indicator and
optional photos, checked by the rules the officers' score form uses (``points_parse``, the evidence checks)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from evaluations.evidence import validate_evidence_file
from evaluations.forms import MultipleFileField, MultipleFileInput, PointsField
from evaluations.points import points_text

from .self_assessment import PHOTOS_PER_SUBMISSION, PHOTOS_TOTAL_BYTES

#: The family's words: "Chưa đạt" (not yet met), where the officers' form reads "Không đạt".
MET_ANSWERS = [("1", pgettext_lazy("self-assessment", "Met")), ("0", pgettext_lazy("self-assessment", "Not met"))]


class SelfAssessmentForm(forms.Form):
    def __init__(self, *args, criteria_set, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria_set.criteria.prefetch_related("indicators"))
        stored = {s.indicator_id: s for s in evaluation.scores.all()} if evaluation is not None else {}
        for indicator in self.indicators():
            name = self.field_name(indicator)
            score = stored.get(indicator.pk)
            if indicator.is_pass_fail:
                self.fields[name] = forms.ChoiceField(
                    choices=MET_ANSWERS, required=False, widget=forms.RadioSelect, label=indicator.code
                )
                met = score.self_met if score else None
                self.initial[name] = "" if met is None else ("1" if met else "0")
            else:
                self.fields[name] = PointsField(
                    maximum=indicator.max_points,
                    label=indicator.code,
                    widget=forms.TextInput(attrs={"autocomplete": "off", "class": "self-points"}),
                )
                self.initial[name] = points_text(score.self_points) if score else ""
        self.fields["photos"] = MultipleFileField(
            required=False,
            label=gettext_lazy("Photos (optional)"),
            widget=MultipleFileInput(attrs={"accept": "image/*"}),
        )

    @staticmethod
    def field_name(indicator) -> str:
        return f"indicator_{indicator.pk}"

    def indicators(self):
        return [indicator for criterion in self.criteria for indicator in criterion.indicators.all()]

    def rows(self):
        """Criteria with their indicators and bound fields, in order, for the template."""
        for criterion in self.criteria:
            yield (
                criterion,
                [(indicator, self[self.field_name(indicator)]) for indicator in criterion.indicators.all()],
            )

    def clean(self):
        cleaned = super().clean()
        for indicator in self.indicators():
            name = self.field_name(indicator)
            if name in self.errors:
                continue
            if cleaned.get(name) in (None, ""):
                if indicator.is_pass_fail:
                    self.add_error(name, _("Choose “Met” or “Not met”."))
                else:
                    self.add_error(
                        name,
                        _("Enter your points, from 0 to %(maximum)s.")
                        % {"maximum": points_text(indicator.max_points)},
                    )
        photos = cleaned.get("photos") or []
        if len(photos) > PHOTOS_PER_SUBMISSION:
            self.add_error("photos", _("At most %(limit)s photos at a time.") % {"limit": PHOTOS_PER_SUBMISSION})
        elif sum(photo.size for photo in photos) > PHOTOS_TOTAL_BYTES:
            self.add_error(
                "photos",
                _("The photos together are larger than %(limit)s; send fewer or smaller ones.")
                % {"limit": filesizeformat(PHOTOS_TOTAL_BYTES)},
            )
        else:
            for photo in photos:
                try:
                    allowed = validate_evidence_file(photo)
                except ValidationError as error:
                    self.add_error("photos", error)
                    continue
                if not allowed.content_type.startswith("image/"):
                    self.add_error(
                        "photos",
                        _("“%(name)s” is not a photo (JPEG, PNG, WebP or HEIC).") % {"name": photo.name},
                    )
        return cleaned

    def self_values(self) -> dict:
        """Indicator id -> points (Decimal) or met (bool), from the cleaned data."""
        values = {}
        for indicator in self.indicators():
            raw = self.cleaned_data.get(self.field_name(indicator))
            values[indicator.pk] = (raw == "1") if indicator.is_pass_fail else raw
        return values

    def error_list(self) -> list[tuple[str, str, str]]:
        """Every mistake, by indicator: (anchor of its block, indicator code, message), in the form's order."""
        found = []
        for indicator in self.indicators():
            for message in self[self.field_name(indicator)].errors:
                found.append((f"indicator-{indicator.pk}", indicator.code, message))
        for message in self["photos"].errors:
            found.append(("photos", _("Photos"), message))
        return found
