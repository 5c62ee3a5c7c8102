"""The one FilterSet of the public recognition lists: the list page and the open-data API's recognitions.

Both read the same GET parameters (``kind``, ``area``, ``year``, ``grade``, ``q``) through the same
:class:`~evaluations.params.Param` declarations, so a wrong value gets the same Vietnamese message naming
the parameter wherever it was typed (the API answers it as a 400, the page shows it above the list), and
the OpenAPI document lists exactly these. The queryset is always ``Evaluation.objects.public()``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

import django_filters

from .models import PUBLIC_KINDS, AdministrativeUnit, Evaluation
from .params import Param, ParameterError, area_by_code
from .selectors import filter_public_recognitions

KIND = Param(
    "kind",
    "string",
    "Kind of learning model. Learning citizens are individuals and are never published.",
    enum=[str(kind) for kind in PUBLIC_KINDS],
)
AREA = Param(
    "area",
    "string",
    "GSO code of an administrative unit (province, district or commune): its whole subtree, with the units "
    "that went into it in a reorganisation. A code reused since 1/7/2025 means the unit in force on "
    "30 November of `year` (today without a year).",
    max_length=10,
)
YEAR = Param("year", "integer", "Evaluation year.", minimum=2000, maximum=2100)
GRADE = Param(
    "grade", "string", "A grade as written in the criteria set (Tốt, Khá…), or level-1 / level-2.", max_length=40
)
QUERY = Param("q", "string", "Part of the name, typed with or without diacritics.", max_length=100)


class ParamField(forms.Field):
    """A form field that parses its value with a :class:`Param` (same rules and messages as the API)."""

    def __init__(self, *, param: Param, **kwargs):
        self.param = param
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else value
        try:
            return self.param.parse(value or None)
        except ParameterError as exc:
            raise ValidationError(exc.message, code="invalid") from None


class ParamFilter(django_filters.Filter):
    field_class = ParamField

    def __init__(self, param: Param, **kwargs):
        super().__init__(field_name=param.name, label=param.name, param=param, **kwargs)

    def filter(self, qs, value):
        return qs  # the FilterSet applies every filter at once (``filter_queryset``)


class PublicRecognitionForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("area")
        if code:
            try:
                # A reused code means the unit in force in the year asked about.
                cleaned["area"] = area_by_code(code, cleaned.get("year"))
            except ParameterError as exc:
                self.add_error("area", exc.message)
        return cleaned


class PublicRecognitionFilterSet(django_filters.FilterSet):
    """The public recognitions matching the GET parameters. Without an ``area`` the list covers
    ``default_area`` (a list page's province) or everything. Invalid parameters are left out of the
    filtering; :meth:`first_error` says which one was wrong and why."""

    kind = ParamFilter(KIND)
    area = ParamFilter(AREA)
    year = ParamFilter(YEAR)
    grade = ParamFilter(GRADE)
    q = ParamFilter(QUERY)

    #: The parameters, in the order of the OpenAPI document.
    params = [KIND, AREA, YEAR, GRADE, QUERY]

    class Meta:
        form = PublicRecognitionForm
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, default_area: AdministrativeUnit | None = None, **kwargs):
        if queryset is None:
            queryset = Evaluation.objects.public()
        self.default_area = default_area
        # Always bound: no parameter at all is a valid (unfiltered) request, still within ``default_area``.
        super().__init__({} if data is None else data, queryset, **kwargs)

    def filter_queryset(self, queryset):
        values = self.form.cleaned_data
        return filter_public_recognitions(
            queryset,
            kind=values.get("kind"),
            area=values.get("area") or self.default_area,
            year=values.get("year"),
            grade=values.get("grade"),
            q=values.get("q"),
        )

    def first_error(self) -> ParameterError | None:
        """The first wrong parameter (in declaration order), or ``None`` when all are right."""
        if self.is_valid():
            return None
        for param in self.params:
            messages = self.form.errors.get(param.name)
            if messages:
                return ParameterError(param.name, messages[0])
        return None
