"""Admin forms: score entry (every indicator of the set on one form) and the evaluation form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from . import criteria_rules
from .evidence import allowed_extensions, validate_evidence_file
from .models import CriteriaSet, CriteriaSetStatus, Evaluation, ScoringMode
from .models.area import scope_choices
from .models.units import path_within
from .points import PointsError, points_parse, points_text

MET_CHOICES = [("", gettext_lazy("Not scored")), ("1", gettext_lazy("Met")), ("0", gettext_lazy("Not met"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked like a single upload."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in allowed_extensions())})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PointsField(forms.CharField):
    """Points as typed by an officer: a comma or a point as decimal mark, halves allowed."""

    def __init__(self, *, maximum: Decimal, **kwargs):
        self.maximum = maximum
        super().__init__(required=False, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 5, "data-maximum": str(maximum)})

    def clean(self, value):
        try:
            return points_parse(typed=super().clean(value), maximum=self.maximum)
        except PointsError as error:
            raise ValidationError(str(error)) from None


class ScoreEntryForm(forms.Form):
    """One field (and a note and an evidence input) per indicator of the evaluation's criteria set."""

    #: The evaluation's version when the form was opened: saving over a newer one is refused (stale form).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, evaluation: Evaluation, read_only: bool = False, held=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        self.read_only = read_only
        #: Files checked with an earlier attempt whose form had errors (``evidence.HeldEvidence``): saved
        #: with the scores unless the officer unticks them.
        self.held = list(held)
        self.self_assessment = evaluation.criteria_set.has_self_assessment
        self.criteria = list(evaluation.criteria_set.criteria.prefetch_related("indicators"))
        self.initial["version"] = evaluation.version
        stored = {s.indicator_id: s for s in evaluation.scores.all()}
        for criterion in self.criteria:
            for indicator in criterion.indicators.all():
                score = stored.get(indicator.pk)
                self._add_score_field(self.score_field(indicator), indicator, score, "points", "met")
                if self.self_assessment:
                    self._add_score_field(self.self_field(indicator), indicator, score, "self_points", "self_met")
                self.fields[self.note_field(indicator)] = forms.CharField(
                    required=False, max_length=500, label=_("Note"), widget=forms.TextInput(attrs={"size": 20})
                )
                self.initial[self.note_field(indicator)] = score.note if score else ""
                self.fields[self.evidence_field(indicator)] = MultipleFileField(required=False, label=_("Evidence"))
        self.fields["evidence_description"] = forms.CharField(
            required=False, max_length=500, label=_("Description of the uploaded evidence")
        )
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def _add_score_field(self, name, indicator, score, points_attr, met_attr):
        if indicator.max_points is None:
            field = forms.ChoiceField(choices=MET_CHOICES, required=False, label=indicator.code)
            met = getattr(score, met_attr) if score else None
            initial = "" if met is None else ("1" if met else "0")
        else:
            field = PointsField(maximum=indicator.max_points, label=indicator.code)
            points = getattr(score, points_attr) if score else None
            initial = "" if points is None else points_text(points)
        self.fields[name] = field
        self.initial[name] = initial

    @staticmethod
    def score_field(indicator) -> str:
        return f"score_{indicator.pk}"

    @staticmethod
    def self_field(indicator) -> str:
        return f"self_{indicator.pk}"

    @staticmethod
    def note_field(indicator) -> str:
        return f"note_{indicator.pk}"

    @staticmethod
    def evidence_field(indicator) -> str:
        return f"evidence_{indicator.pk}"

    def rows(self):
        """Criteria with their indicators and bound fields, in order, for the template."""
        for criterion in self.criteria:
            yield (
                criterion,
                [
                    {
                        "indicator": indicator,
                        "score": self[self.score_field(indicator)],
                        "self": self[self.self_field(indicator)] if self.self_assessment else None,
                        "note": self[self.note_field(indicator)],
                        "evidence": self[self.evidence_field(indicator)],
                        "held": [held for held in self.held if held.indicator_id == indicator.pk],
                    }
                    for indicator in criterion.indicators.all()
                ],
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") is None:
            # Without it, the save could not tell whether someone saved since the form was opened.
            self.add_error(None, _("The form was sent without its version; open the scores again and re-enter them."))
        for criterion in self.criteria:
            for indicator in criterion.indicators.all():
                name = self.evidence_field(indicator)
                for upload in cleaned.get(name) or []:
                    try:
                        validate_evidence_file(upload)
                    except ValidationError as exc:
                        self.add_error(name, exc)
        return cleaned

    def reopen_on(self, version: int) -> None:
        """After a refused stale save: the entries stay as typed, and saving them again (once compared
        with the stored scores) is a save over ``version``."""
        self.data = self.data.copy()
        self.data["version"] = str(version)

    def _value(self, name, indicator):
        raw = self.cleaned_data.get(name)
        if indicator.max_points is None:
            return None if raw in (None, "") else raw == "1"
        return raw

    def score_values(self) -> tuple[dict, dict, dict]:
        """(verified values, self-assessed values, notes), each by indicator id, from the cleaned data."""
        values, self_values, notes = {}, {}, {}
        for criterion in self.criteria:
            for indicator in criterion.indicators.all():
                values[indicator.pk] = self._value(self.score_field(indicator), indicator)
                if self.self_assessment:
                    self_values[indicator.pk] = self._value(self.self_field(indicator), indicator)
                notes[indicator.pk] = self.cleaned_data.get(self.note_field(indicator), "")
        return values, self_values, notes

    def indicators(self):
        return [indicator for criterion in self.criteria for indicator in criterion.indicators.all()]

    def hold_uploads(self, user) -> None:
        """The form is shown again (an error elsewhere, a stale save): the files sent with it that pass the
        checks are held (``evidence.evidence_hold``) and listed beside their indicators, to be saved with the
        scores next time; a file that fails keeps its error beside its field."""
        from .evidence import evidence_hold

        for indicator in self.indicators():
            for upload in self.files.getlist(self.evidence_field(indicator)) if self.files else ():
                try:
                    held = evidence_hold(
                        upload, evaluation_id=self.evaluation.pk, indicator_id=indicator.pk, user_id=user.pk
                    )
                except ValidationError:
                    continue  # said beside the field by clean()
                self.held.append(held)

    def uploads(self):
        """(indicator, upload) pairs of the files sent with the form."""
        for criterion in self.criteria:
            for indicator in criterion.indicators.all():
                for upload in self.cleaned_data.get(self.evidence_field(indicator)) or []:
                    yield indicator, upload


def criteria_sets_to_start(sets=None, kind: str | None = None):
    """The criteria sets a new evaluation may use: those in force (of ``kind``, when given)."""
    sets = (sets if sets is not None else CriteriaSet.objects.all()).filter(status=CriteriaSetStatus.ACTIVE)
    return sets.filter(kind=kind) if kind else sets


class EvaluationForm(WagtailAdminModelForm):
    """Subject, year and criteria set are chosen once; after that only the note changes here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("subject", "year", "criteria_set"):
                if name in self.fields:
                    self.fields[name].disabled = True
        elif "criteria_set" in self.fields:
            self.fields["criteria_set"].queryset = criteria_sets_to_start(self.fields["criteria_set"].queryset)
            self.warn_unconfirmed_sets()
        scope_choices(self, self.for_user)

    def warn_unconfirmed_sets(self) -> None:
        """Name, under the choice, the sets on offer not yet confirmed against their official document."""
        field = self.fields["criteria_set"]
        unconfirmed = [str(criteria_set) for criteria_set in field.queryset if not criteria_set.is_confirmed]
        field.help_text = (
            _(
                "Not yet confirmed against the official document: %(sets)s. Scores given against them are to be "
                "checked again once the provincial association confirms them."
            )
            % {"sets": "; ".join(unconfirmed)}
            if unconfirmed
            else ""
        )

    def clean(self):
        cleaned = super().clean()
        subject, criteria_set = cleaned.get("subject"), cleaned.get("criteria_set")
        if subject and criteria_set and not self.instance.pk and subject.kind != criteria_set.kind:
            self.add_error(
                "criteria_set",
                _("This criteria set is for “%(set_kind)s”; the subject is a “%(subject_kind)s”.")
                % {"set_kind": criteria_set.get_kind_display(), "subject_kind": subject.get_kind_display()},
            )
        year = cleaned.get("year")
        if subject and year and not self.instance.pk:
            from .services import evaluation_area_refusal

            refusal = evaluation_area_refusal(subject, year)
            if refusal:
                self.add_error("subject", refusal)
        return cleaned


class CriteriaSetForm(WagtailAdminModelForm):
    """Checks that criteria, indicators and bands fit the chosen scoring mode before anything is saved."""

    def is_valid(self) -> bool:
        # The inline formsets are validated after the main form's clean(), so the checks across
        # them run once everything has its cleaned data.
        valid = super().is_valid()
        if hasattr(self, "cleaned_data"):
            self.check_against_mode(self.cleaned_data)
        return valid and not self.errors and not self._inline_errors()

    def _inline_errors(self) -> bool:
        for criterion_form in self.formsets["criteria"].forms:
            if criterion_form.errors or any(f.errors for f in criterion_form.formsets["indicators"].forms):
                return True
        return any(f.errors for f in self.formsets["grade_bands"].forms)

    def check_against_mode(self, cleaned: dict) -> None:
        code = cleaned.get("code")
        if code and not self.instance.pk and CriteriaSet.objects.filter(code=code).exists():
            self.add_error(
                "code",
                _("Code “%(code)s” is already used. Open that set and create a new version to revise it.")
                % {"code": code},
            )
        bands = [f for f in self.formsets["grade_bands"].forms if _kept(f)]
        criteria = [f for f in self.formsets["criteria"].forms if _kept(f)]
        if not criteria:
            self.add_error(None, _("Add at least one criterion with its indicators."))
        codes = set()
        indicator_forms = []
        for criterion_form in criteria:
            indicators = [f for f in criterion_form.formsets["indicators"].forms if _kept(f)]
            indicator_forms.append(indicators)
            number = criterion_form.cleaned_data.get("number", "?")
            if not indicators:
                self.add_error(None, _("Criterion %(number)s has no indicator.") % {"number": number})
            for indicator_form in indicators:
                data = indicator_form.cleaned_data
                code = data.get("code")
                if code in codes:
                    indicator_form.add_error("code", _("Indicator code %(code)s is used twice.") % {"code": code})
                codes.add(code)
                if cleaned.get("scoring_mode") == ScoringMode.PASS_FAIL_LEVELS and data.get("level") is None:
                    indicator_form.add_error(
                        "level", _("In the pass/fail mode each indicator belongs to level 1 or 2.")
                    )
        draft = criteria_rules.SetDraft(
            mode=cleaned.get("scoring_mode"),
            pass_total=cleaned.get("pass_total"),
            indicator_minimum=cleaned.get("indicator_minimum"),
            band_minimums=[f.cleaned_data.get("min_total") for f in bands],
            criteria=[
                criteria_rules.CriterionDraft(
                    min_points=criterion_form.cleaned_data.get("min_points"),
                    indicators=[
                        criteria_rules.IndicatorDraft(
                            max_points=f.cleaned_data.get("max_points"), level=f.cleaned_data.get("level")
                        )
                        for f in indicators
                    ],
                )
                for criterion_form, indicators in zip(criteria, indicator_forms, strict=True)
            ],
        )
        for breach in criteria_rules.criteria_set_mode_breaches(draft=draft):
            self._add_mode_error(breach, bands, criteria, indicator_forms)
        return cleaned

    def _add_mode_error(self, breach: criteria_rules.Breach, bands: list, criteria: list, indicators: list) -> None:
        """A mode rule's breach on the field it is about."""
        kind = breach.where[:1]
        if kind == ("indicator",):
            form = indicators[breach.where[1]][breach.where[2]]
        elif kind == ("criterion",):
            form = criteria[breach.where[1]]
        elif kind == ("band",):
            form = bands[breach.where[1]]
        else:
            form = self
        name, message = _MODE_MESSAGES[breach.code]
        if breach.code == "threshold_unused":
            name = breach.values["key"]
        form.add_error(name, message % breach.values if breach.values else message)


#: A mode rule's breach on the form: the field it is about and what it says.
_MODE_MESSAGES = {
    "points_unused": (
        "max_points",
        gettext_lazy("In the pass/fail mode indicators are met or not met: leave this empty."),
    ),
    "no_level_one": (
        None,
        gettext_lazy("In the pass/fail mode at least one indicator is at level 1: level 2 alone reaches no level."),
    ),
    "min_points_unused": (
        "min_points",
        gettext_lazy("The pass/fail mode has no minimum points per criterion: leave this empty."),
    ),
    "max_points_needed": ("max_points", gettext_lazy("In this scoring mode every indicator has maximum points.")),
    "bands_needed": (None, gettext_lazy("The grade-bands mode needs at least one grade band.")),
    "bands_unused": (None, gettext_lazy("Grade bands are used only in the grade-bands mode: remove them.")),
    "pass_total_needed": (
        "pass_total",
        gettext_lazy("The total-threshold mode needs the total needed for recognition."),
    ),
    "threshold_unused": (None, gettext_lazy("This is used only in the total-threshold mode: leave it empty.")),
    "pass_total_unreachable": (
        "pass_total",
        gettext_lazy("The total needed (%(value)s) is above the most the indicators can give (%(max)s)."),
    ),
    "band_unreachable": (
        "min_total",
        gettext_lazy("This band starts at %(value)s, above the most the indicators can give (%(max)s)."),
    ),
    "criterion_unreachable": (
        "min_points",
        gettext_lazy("The minimum (%(value)s) is above the most this criterion's indicators can give (%(max)s)."),
    ),
    "indicator_below_minimum": (
        "max_points",
        gettext_lazy("The maximum (%(max)s) is below the minimum every indicator needs (%(min)s)."),
    ),
}


def _kept(form) -> bool:
    """A row of the set: saved before or filled in now (an untouched saved row is still one), not marked for
    deletion."""
    if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE", False):
        return False
    return form.instance.pk is not None or form.has_changed()


class SubjectForm(WagtailAdminModelForm):
    """A subject's area must lie in the officer's own area; a new subject has a registration date (today
    unless changed). A stored subject may keep an empty one: registered before records began."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "registered_on" in self.fields and self.instance._state.adding:
            self.fields["registered_on"].required = True
        scope_choices(self, self.for_user)

    def clean_area(self):
        from .access import user_reaches_unit

        area = self.cleaned_data.get("area")
        if area is not None and self.for_user is not None and not user_reaches_unit(self.for_user, area):
            raise ValidationError(_("“%(area)s” is outside your area.") % {"area": area})
        if area is not None and (self.instance.pk is None or area.pk != self.instance.area_id):
            from .services import unit_filing_refusal

            # A subject is registered today: on a unit in force today (an ended village names its successor).
            refusal = unit_filing_refusal(area=area, on=timezone.localdate())
            if refusal:
                raise ValidationError(refusal)
        return area


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DecisionForm(forms.Form):
    """The paper decision being recorded: number, date, issuing body, signatory and its scan."""

    number = forms.CharField(label=gettext_lazy("Decision number"), max_length=60)
    decision_date = forms.DateField(
        label=gettext_lazy("Decision date"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=AdminDateInput(format="%d/%m/%Y"),
    )
    issuing_body = forms.CharField(label=gettext_lazy("Issuing body"), max_length=200)
    signatory = forms.CharField(label=gettext_lazy("Signed by"), max_length=120)
    file = forms.FileField(label=gettext_lazy("Scanned decision"), required=False)

    def __init__(self, *args, areas=None, evaluations=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .filters import AreaChoiceField
        from .models import AdministrativeUnit

        self.evaluations = list(evaluations or [])
        self.fields["area"] = AreaChoiceField(
            label=gettext_lazy("Issuing unit"),
            queryset=areas if areas is not None else AdministrativeUnit.objects.none(),
            help_text=gettext_lazy(
                "The commune (or ward) whose People's Committee signed the decision. Units that have ended "
                "are listed with their end date, for decisions signed before it."
            ),
        )
        if not self.fields["area"].queryset.exists():
            # Say why the list is empty rather than leaving an officer with nothing to choose.
            self.fields["area"].help_text = gettext_lazy(
                "No unit of yours can issue decisions: you are assigned no commune in force. "
                "Ask the provincial association to assign you today's commune (Settings → Users)."
            )
        self.order_fields(["number", "decision_date", "issuing_body", "signatory", "area", "file"])

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_evidence_file(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        area, date = cleaned.get("area"), cleaned.get("decision_date")
        if area is None or date is None:
            return cleaned
        from .access import unit_reach_paths
        from .services import unit_filing_refusal

        refusal = unit_filing_refusal(area=area, on=date)
        if refusal:
            self.add_error("area", refusal)
            return cleaned
        # A committee decides on its own area, which includes the units that went into it.
        paths = unit_reach_paths(area)
        outside = [e for e in self.evaluations if not path_within(e.area.path, paths)]
        if outside:
            names = "; ".join(f"{e.subject} ({e.area.dated_name})" for e in outside[:5])
            self.add_error(
                "area",
                ngettext(
                    "%(count)d selected evaluation lies outside %(unit)s and the units that went into it: "
                    "%(names)s. Record it by the decision of its own commune.",
                    "%(count)d selected evaluations lie outside %(unit)s and the units that went into it: "
                    "%(names)s. Record them by the decision of their own commune.",
                    len(outside),
                )
                % {"count": len(outside), "unit": area.name, "names": names + (" …" if len(outside) > 5 else "")},
            )
        return cleaned


class RevocationForm(DecisionForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CommendationForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Commendation level"))
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import CommendationLevel

        self.fields["level"].choices = CommendationLevel.choices
