"""Reference data served by wagtail-modeladmin: the administrative units (targets join later)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from .admin_access import scoped_get
from .models import AdministrativeUnit, UnitLevel, UnitSuccession
from .models.area import scope_choices

#: Which level may sit under which: villages under communes, communes under districts or provinces,
#: provinces at the root or under the national root.
PARENT_LEVELS = {
    UnitLevel.NATION: (),
    UnitLevel.PROVINCE: (UnitLevel.NATION,),
    UnitLevel.DISTRICT: (UnitLevel.PROVINCE,),
    UnitLevel.COMMUNE: (UnitLevel.DISTRICT, UnitLevel.PROVINCE),
    UnitLevel.VILLAGE: (UnitLevel.COMMUNE,),
}


class AdministrativeUnitForm(WagtailAdminModelForm):
    """Adds the parent unit: the tree is kept by treebeard, so a new unit is added under its parent."""

    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=AdministrativeUnit.objects.exclude(level=UnitLevel.VILLAGE).order_by("path"),
        required=False,
        help_text=_("Empty only for a province or the national root."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new unit goes under a unit of the officer's own area.
        scope_choices(self, self.for_user)
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["parent"].disabled = True
            self.fields["parent"].help_text = _("Moves between parents are done by a reorganisation.")

    def clean(self):
        cleaned = super().clean()
        level, parent = cleaned.get("level"), cleaned.get("parent")
        if level and not self.instance.pk:
            allowed = PARENT_LEVELS.get(level, ())
            if not allowed and parent is not None:
                self.add_error("parent", _("The national root has no parent unit."))
            elif level == UnitLevel.PROVINCE and parent is None:
                pass  # a province is a root unless a national root holds it
            elif allowed and (parent is None or parent.level not in allowed):
                labels = ", ".join(str(UnitLevel(a).label) for a in allowed)
                self.add_error("parent", _("Choose a parent unit of level: %(levels)s.") % {"levels": labels})
        code = cleaned.get("code")
        if code == "":
            cleaned["code"] = None
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The end date is before the start date."))
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        if not commit:
            return instance
        if instance.pk:
            instance.save()
        else:
            parent = self.cleaned_data.get("parent")
            instance = (
                parent.add_child(instance=instance) if parent else AdministrativeUnit.add_root(instance=instance)
            )
        return instance


class ScopedModelAdmin(ModelAdmin):
    """A modeladmin whose listing and object views read from the model's ``for_user``: an object outside
    the user's area, a nonexistent one and a malformed id answer the same 404."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def _guarded(self, view, request, instance_pk):
        scoped_get(self.model, request.user, instance_pk)  # 404 unless the user reaches it
        return view(request, instance_pk)

    def inspect_view(self, request, instance_pk):
        return self._guarded(super().inspect_view, request, instance_pk)

    def edit_view(self, request, instance_pk):
        return self._guarded(super().edit_view, request, instance_pk)

    def delete_view(self, request, instance_pk):
        return self._guarded(super().delete_view, request, instance_pk)

    def history_view(self, request, instance_pk):
        return self._guarded(super().history_view, request, instance_pk)


class AdministrativeUnitAdmin(ScopedModelAdmin):
    model = AdministrativeUnit
    menu_label = _("Administrative units")
    menu_icon = "site"
    list_display = ("indented_name", "level", "unit_type", "code", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_per_page = 100
    inspect_view_enabled = True
    inspect_view_fields = ["name", "short_name", "level", "unit_type", "code", "valid_from", "valid_to"]
    edit_handler = ObjectList(
        [
            FieldPanel("parent"),
            FieldPanel("name"),
            FieldPanel("short_name"),
            FieldRowPanel([FieldPanel("level"), FieldPanel("unit_type"), FieldPanel("code")]),
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        ],
        base_form_class=AdministrativeUnitForm,
    )

    def indented_name(self, obj):
        return "\u00a0\u00a0\u00a0" * (obj.depth - 1) + obj.name

    indented_name.short_description = _("name")
    indented_name.admin_order_field = "path"


class UnitSuccessionForm(WagtailAdminModelForm):
    """Successions between units of the officer's own area."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope_choices(self, self.for_user)


class UnitSuccessionAdmin(ScopedModelAdmin):
    model = UnitSuccession
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("old_unit"), FieldPanel("new_unit")]),
            FieldPanel("effective_date"),
            FieldRowPanel([FieldPanel("is_default"), FieldPanel("is_divided")]),
            FieldPanel("source"),
        ],
        base_form_class=UnitSuccessionForm,
    )
    menu_label = _("Unit successions")
    menu_icon = "redirect"
    list_display = ("old_unit", "new_unit", "effective_date", "is_default", "is_divided")
    list_filter = ("is_divided", "is_default", "effective_date")
    search_fields = ("old_unit__name", "new_unit__name")


class ReferenceDataGroup(ModelAdminGroup):
    menu_label = _("Reference data")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (AdministrativeUnitAdmin, UnitSuccessionAdmin)
