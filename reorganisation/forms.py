from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.models import AdministrativeUnit, UnitLevel
from evaluations.models.area import scope_choices


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label_with_parent


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label_with_parent


class ManualReorganisationForm(forms.Form):
    """A merge (several old communes into one) or a split (one commune into several), from a date."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    effective_date = forms.DateField(
        label=gettext_lazy("Effective date"),
        help_text=gettext_lazy("The new units exist from this day; the old ones end the day before (dd/mm/yyyy)."),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    old_units = UnitsField(label=gettext_lazy("Old communes"), queryset=AdministrativeUnit.objects.none())
    new_units = UnitsField(label=gettext_lazy("New communes"), queryset=AdministrativeUnit.objects.none())
    default_unit = UnitField(
        label=gettext_lazy("Default new commune"),
        queryset=AdministrativeUnit.objects.none(),
        help_text=gettext_lazy("Where villages and subjects of a split commune go until an officer decides."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        for name in ("old_units", "new_units", "default_unit"):
            self.fields[name].queryset = communes
        scope_choices(self, user)  # the communes of the officer's own area
        self.fields["effective_date"].error_messages["invalid"] = gettext_lazy(
            "Effective date: enter a date as dd/mm/yyyy."
        )

    def clean(self):
        data = super().clean()
        old, new, default = data.get("old_units"), data.get("new_units"), data.get("default_unit")
        if old is not None and new is not None:
            if len(old) > 1 and len(new) > 1:
                raise ValidationError(
                    _("Enter a merge (several old units into one) or a split (one into several), not both.")
                )
            if default is not None and default not in new:
                self.add_error("default_unit", _("The default new unit must be one of the new units."))
        return data


class ReviewChoiceForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("New unit"), queryset=AdministrativeUnit.objects.none())

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = AdministrativeUnit.objects.filter(pk__in=[u.pk for u in choices])
        self.fields["unit"].error_messages["invalid_choice"] = gettext_lazy(
            "This unit is not one of the new units of the divided unit."
        )


class ApplyConfirmForm(forms.Form):
    """Applying changes the register of a whole area: the officer says they have read the preview."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I have read the preview above and want to apply this reorganisation"),
        error_messages={
            "required": gettext_lazy(
                "Nothing was applied: tick “I have read the preview above and want to apply this reorganisation” "
                "to confirm."
            )
        },
    )
