"""Subjects evaluated: the five kinds of learning model.

One ``Subject`` row per subject carries what every kind shares (kind, display name, area, consent to
publish) so that evaluations, roll-ups and search query one table; each kind adds its own fields in a
child table (multi-table inheritance) and gets its own admin screen.
"""

import datetime
from collections.abc import Iterable
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from .. import calendar
from ..calendar import day_label
from ..text import fold_words
from .area import AreaBoundQuerySet
from .rows import ReadDirectly
from .units import AdministrativeUnit, UnitLevel


class SubjectKind(models.TextChoices):
    FAMILY = "family", _("Learning family")
    CLAN = "clan", _("Learning clan")
    COMMUNITY = "community", _("Learning community")
    UNIT = "unit", _("Learning unit")
    CITIZEN = "citizen", _("Learning citizen")


#: Kinds the public may see named: families, clans, communities and units. Learning citizens are
#: individuals; their recognition is never published (DOMAIN.md: the public browses the four models).
PUBLIC_KINDS = (SubjectKind.FAMILY, SubjectKind.CLAN, SubjectKind.COMMUNITY, SubjectKind.UNIT)


def visible_subject_q(prefix: str = "") -> models.Q:
    """The subject's side of the public rule: it agreed to be published and is on today's register.
    ``prefix`` is the lookup path to the subject (``"subject__"``). The complement is
    :func:`hidden_subject_q`; the evaluation's side is ``evaluations.public_recognition_q``."""
    return models.Q(**{f"{prefix}publish_consent": True, f"{prefix}is_active": True})


def hidden_subject_q() -> models.Q:
    """Subjects that may not be named in public whatever their recognitions: declined or no longer active.
    Written as the condition of the partial index ``subject_hidden_idx``, which finds these few rows."""
    return models.Q(publish_consent=False) | models.Q(is_active=False)


class SubjectQuerySet(AreaBoundQuerySet):
    def hidden(self) -> "SubjectQuerySet":
        """Declined or inactive subjects (a few): see :func:`hidden_subject_q`."""
        return self.filter(hidden_subject_q())

    def public(self) -> "SubjectQuerySet":
        """Subjects the public may see named: **the one public rule**, from the subject's side.

        A subject is public when it agreed to be published, is active, and holds at least one public
        recognition (``Evaluation.objects.public()``: recognised by a decision, not revoked, one of
        ``PUBLIC_KINDS``, so never a learning citizen). Pages, search, the sitemap, model stories and the
        open-data API all ask this (or :meth:`EvaluationQuerySet.public`), never their own conditions.
        A correlated ``EXISTS``: filtering a few subjects by id reads the (subject, year) index only.
        """
        from .evaluations import Evaluation, public_recognition_q

        recognised = Evaluation.objects.filter(
            public_recognition_q(per_subject=True), subject_id=models.OuterRef("pk")
        ).order_by()
        return self.filter(visible_subject_q()).filter(models.Exists(recognised))

    def with_public_year(self) -> "SubjectQuerySet":
        """Each subject annotated with ``public_year``: the latest year of a public recognition, ``None``
        when the subject may not be named in public (the rule of :meth:`public`, as one aggregate for
        whole batches, as the search index reads them)."""
        from .evaluations import public_recognition_q

        return self.annotate(
            public_year=models.Max(
                "evaluations__year", filter=public_recognition_q("evaluations__") & visible_subject_q()
            )
        )


def public_subject_exists(subject_ref: str = "subject_id") -> models.Exists:
    """``EXISTS`` condition for rows whose subject (``subject_ref``, an outer field) is public: what pages
    about a subject (model stories) filter on, one index look-up per row."""
    return models.Exists(Subject.objects.public().filter(pk=models.OuterRef(subject_ref)))


def subject_is_public(subject: "Subject | int | None") -> bool:
    """Whether ``subject`` (or a subject id) may be named in public: the rule of ``Subject.objects.public()``."""
    pk = getattr(subject, "pk", subject)
    return pk is not None and Subject.objects.public().filter(pk=pk).exists()


#: Alphabetical order of display names: without diacritics and case first, so that "Đặng" sorts among
#: the D's and "Ánh" among the A's (in code-point order both come after Z), the exact name breaking ties.
NAME_ORDER = ["name_folded", "name"]
#: The same order for rows related to a subject (evaluations).
SUBJECT_NAME_ORDER = [f"subject__{name}" for name in NAME_ORDER]


def on_register_q(on: datetime.date, prefix: str = "") -> models.Q:
    """``Q`` for subjects on the register on ``on`` (``prefix``: the lookup path to the subject, e.g.
    ``"subject__"``): registered on or before that day (or before records began: no registration date) and
    not yet left (no end date, or one after that day). The one rule of "registered as of a date"; a year's
    register is the one on ``calendar.evaluation_date(year)``."""
    return (models.Q(**{f"{prefix}registered_on__isnull": True}) | models.Q(**{f"{prefix}registered_on__lte": on})) & (
        models.Q(**{f"{prefix}ended_on__isnull": True}) | models.Q(**{f"{prefix}ended_on__gt": on})
    )


def subject_names(display_name: str) -> tuple[str, str]:
    """The (name, name_folded) stored for a subject whose kind's ``build_display_name`` gave ``display_name``:
    the one rule of a subject's derived names, for ``Subject.save`` and the bulk writes alike."""
    name = display_name[:255]
    return name, fold_words(name)[:255]


def code_kept_apart(code: str, pk: int, note: str) -> tuple[str, str]:
    """The code and note of a record whose code another record of its kind already holds in its unit (two
    villages merged, an old clash): the record's id is added to its code, and the note says what it was, so
    nothing is lost and an officer can correct it. Migration 0015 applies the same rule to old data."""
    suffix = f"~{pk}"
    kept = code[: Subject._meta.get_field("code").max_length - len(suffix)] + suffix
    return kept, (f"{note}\n" if note else "") + f"Mã trùng trước đây: {code}"


class Subject(ReadDirectly):
    #: Not indexed alone: five values, one of them nearly every row; ``subject_register_idx`` serves
    #: kind within areas, and an index less is a faster import.
    kind = models.CharField(_("kind"), max_length=16, choices=SubjectKind.choices, editable=False)
    #: Display name used in listings and public lists, derived from the kind's own fields.
    #: Not indexed: lists sort by ``NAME_ORDER``, which the index of ``name_folded`` serves.
    name = models.CharField(_("display name"), max_length=255, editable=False)
    #: The display name without diacritics, lower case (``text.fold_words``): what public search matches
    #: and what lists sort by.
    name_folded = models.CharField(_("name for search"), max_length=255, editable=False, blank=True, db_index=True)
    area = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="subjects",
        verbose_name=_("area"),
        help_text=_("The village, or the commune for clans and units, where the subject belongs."),
        db_index=False,  # the first column of ``subject_register_idx``
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Optional code kept by the commune (used to match rows when importing lists)."),
    )
    publish_consent = models.BooleanField(
        _("may be published"),
        default=True,
        help_text=_("Untick when the subject asked not to appear on public recognition lists."),
    )
    #: On today's register: what public lists, choosers and forms use. Always ``ended_on is None``
    #: (``save`` keeps the two in step); the roll-up of a year reads the dates (``on_register_q``).
    is_active = models.BooleanField(_("active"), default=True)
    #: Empty for subjects stored before registration dates were kept: registered before records began,
    #: so on every year's register (inventing a date, such as when the row was typed in, would take lists
    #: of past years imported later off those years' registers).
    registered_on = models.DateField(
        _("registration date"),
        null=True,
        blank=True,
        default=calendar.today,
        help_text=_("The day the subject entered the list. Empty: registered before records began."),
    )
    #: The first day off the register; a year whose evaluation date is before it still counts the subject.
    ended_on = models.DateField(
        _("left the list on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the subject left the list (household moved away, unit dissolved, ...). "
            "Unticking “active” without a date records today."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = SubjectQuerySet.as_manager()

    #: Levels of unit a subject of this kind may be attached to.
    allowed_area_levels: tuple[str, ...] = (UnitLevel.VILLAGE,)
    kind_value: str = ""

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = NAME_ORDER
        indexes = [
            # The roll-up counts each year's register per area and kind from this index alone (the dates
            # decide the year), and an import reads the codes of the stored subjects of its villages from
            # it without touching the table.
            models.Index(fields=["area", "kind", "registered_on", "ended_on", "code"], name="subject_register_idx"),
            # Each kind's listing in name order (``NAME_ORDER``, the id breaking ties): a page of clans walks
            # the clans' names, not every subject's; the area filter is checked on the index itself.
            models.Index(fields=["kind", "name_folded", "name", "id", "area"], name="subject_kind_name_idx"),
            # The few subjects hidden from public lists (declined or inactive), found without a table scan.
            models.Index(
                fields=["id"],
                condition=models.Q(publish_consent=False) | models.Q(is_active=False),
                name="subject_hidden_idx",
            ),
        ]
        constraints = [
            # The key imports match coded rows on (a household's code in its village, a clan's or unit's in its
            # commune): two imports of one list at once cannot both create a row. Names are not unique (two
            # "Nguyễn Văn An" in one village are two households): rows without a code rely on the import lock.
            models.UniqueConstraint(
                fields=["kind", "area", "code"],
                condition=~models.Q(code=""),
                name="subject_code_unique_in_area",
                violation_error_message=_("Another record of this kind in this unit already has this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def listing_name(self) -> str:
        """The display name in admin listings, whose column sorts in ``NAME_ORDER``."""
        return self.name

    listing_name.short_description = _("display name")
    listing_name.admin_order_field = "name_folded"

    def build_display_name(self) -> str:
        return self.name

    def is_on_register(self, on: datetime.date) -> bool:
        """Whether the subject was on the register on ``on`` (the rule of ``on_register_q``)."""
        return (self.registered_on is None or self.registered_on <= on) and (
            self.ended_on is None or self.ended_on > on
        )

    def clean(self):
        super().clean()
        self.clean_code()
        if self.area_id and self.allowed_area_levels and self.area.level not in self.allowed_area_levels:
            levels = ", ".join(str(UnitLevel(level).label) for level in self.allowed_area_levels)
            raise ValidationError({"area": _("Choose a unit of level: %(levels)s.") % {"levels": levels}})
        self.clean_register_dates()

    def clean_code(self) -> None:
        """The form's message for ``subject_code_unique_in_area`` (its own check skips it: ``kind`` is not a
        form field)."""
        if self.kind_value:
            self.kind = self.kind_value
        if self.code and self.area_id:
            for constraint in Subject._meta.constraints:
                try:
                    constraint.validate(Subject, self)
                except ValidationError as error:
                    raise ValidationError({"code": error.messages}) from None

    def clean_register_dates(self) -> None:
        """Refuse dates after today, an end before the registration, and an end date on an active subject."""
        today = calendar.today()
        errors = {}
        if self.registered_on and self.registered_on > today:
            errors["registered_on"] = _("The registration date cannot be later than today (%(today)s).") % {
                "today": day_label(today)
            }
        if self.ended_on:
            if self.ended_on > today:
                errors["ended_on"] = _("The day the subject left the list cannot be later than today (%(today)s).") % {
                    "today": day_label(today)
                }
            elif self.registered_on and self.ended_on < self.registered_on:
                errors["ended_on"] = _(
                    "The day the subject left the list (%(ended)s) cannot be before its registration date "
                    "(%(registered)s)."
                ) % {"ended": day_label(self.ended_on), "registered": day_label(self.registered_on)}
            elif self.is_active:
                errors["ended_on"] = _(
                    "A subject that left the list is not active: untick “active” to record that it left, "
                    "or clear this date to keep it on the list."
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Leaving the register is recorded by its date, and "active" follows it: one deactivated without
        # a date left today.
        if not self.is_active and self.ended_on is None:
            self.ended_on = calendar.today()
        self.is_active = self.ended_on is None
        # The display name is derived data; keep it in step with the fields it comes from.
        if self.kind_value:
            self.kind = self.kind_value
        self.name, self.name_folded = subject_names(self.build_display_name())
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:
            from .evaluations import evaluations_follow_subject_names

            # A renamed subject moves in the evaluation listings (no write when the name is the same).
            evaluations_follow_subject_names([self.pk])

    @property
    def specific(self) -> "Subject":
        """The kind's own row (``LearningFamily`` and so on) for a base ``Subject``."""
        if type(self) is not Subject:
            return self
        return getattr(self, SUBJECT_MODELS[self.kind]._meta.model_name)


#: The fields every kind's form ends with.
COMMON_PANELS = [
    FieldPanel("code"),
    FieldPanel("publish_consent"),
    MultiFieldPanel(
        [FieldPanel("registered_on"), FieldPanel("is_active"), FieldPanel("ended_on")], heading=_("On the list")
    ),
    FieldPanel("note"),
]


class HeadTitle(models.TextChoices):
    MR = "ông", _("Mr (ông)")
    MRS = "bà", _("Mrs (bà)")


class LearningFamily(Subject):
    head_name = models.CharField(_("head of household"), max_length=120)
    #: Ông or bà only when someone said so (the form, an import's "Danh xưng" column); blank is not guessed.
    head_title = models.CharField(
        _("form of address"), max_length=4, choices=HeadTitle.choices, blank=True, default=""
    )
    member_count = models.PositiveSmallIntegerField(
        _("members"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    kind_value = SubjectKind.FAMILY
    allowed_area_levels = (UnitLevel.VILLAGE,)

    panels = [
        MultiFieldPanel(
            [FieldPanel("head_title"), FieldPanel("head_name"), FieldPanel("member_count")], heading=_("Household")
        ),
        FieldPanel("area"),
        *COMMON_PANELS,
    ]

    class Meta:
        verbose_name = _("learning family")
        verbose_name_plural = _("learning families")

    def build_display_name(self) -> str:
        """``Gia đình bà Đàng Thị Bích`` with a form of address, ``Gia đình Đàng Thị Bích`` without one: the
        one rule of a family's name (forms, imports, the demo, the API and the search index all store it)."""
        return " ".join(part for part in ("Gia đình", self.head_title, self.head_name.strip()) if part)


class LearningClan(Subject):
    clan_name = models.CharField(_("clan name"), max_length=120, help_text=_("For example: Họ Nguyễn Văn."))
    representative = models.CharField(_("representative"), max_length=120, blank=True)
    villages = models.ManyToManyField(
        AdministrativeUnit,
        blank=True,
        related_name="clans",
        verbose_name=_("villages"),
        limit_choices_to={"level": UnitLevel.VILLAGE},
        help_text=_("Villages where the clan's households live."),
    )

    kind_value = SubjectKind.CLAN
    allowed_area_levels = (UnitLevel.COMMUNE,)

    panels = [
        FieldPanel("clan_name"),
        FieldPanel("representative"),
        FieldPanel("area", heading=_("Commune")),
        FieldPanel("villages"),
        *COMMON_PANELS,
    ]

    class Meta:
        verbose_name = _("learning clan")
        verbose_name_plural = _("learning clans")

    def build_display_name(self) -> str:
        name = " ".join(self.clan_name.split())
        lowered = name.lower()
        if lowered.startswith("dòng họ"):
            return name
        # "Họ Nguyễn Văn" (the form's own example) becomes "Dòng họ Nguyễn Văn", not "Dòng họ Họ ...".
        return f"Dòng họ {name[3:]}" if lowered.startswith("họ ") else f"Dòng họ {name}"


class LearningCommunity(Subject):
    """A village or residential group evaluated as a learning community; ``area`` is the village itself."""

    kind_value = SubjectKind.COMMUNITY
    allowed_area_levels = (UnitLevel.VILLAGE,)

    panels = [
        FieldPanel("area", heading=_("Village")),
        *COMMON_PANELS,
    ]

    class Meta:
        verbose_name = _("learning community")
        verbose_name_plural = _("learning communities")

    def build_display_name(self) -> str:
        return f"Cộng đồng học tập {self.area.name}" if self.area_id else ""

    def clean(self):
        super().clean()
        if self.area_id:
            clash = LearningCommunity.objects.filter(area_id=self.area_id).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"area": _("This village is already registered as a learning community.")})


class UnitType(models.TextChoices):
    AGENCY = "agency", _("Agency")
    SCHOOL = "school", _("School")
    ENTERPRISE = "enterprise", _("Enterprise")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    OTHER = "other", _("Other")


class ManagingLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune level")
    DISTRICT = "district", _("District level")
    PROVINCE = "province", _("Province level")
    CENTRAL = "central", _("Central level")


class LearningUnit(Subject):
    unit_name = models.CharField(_("unit name"), max_length=200)
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    managing_level = models.CharField(_("managing level"), max_length=16, choices=ManagingLevel.choices)
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)

    kind_value = SubjectKind.UNIT
    allowed_area_levels = (UnitLevel.COMMUNE, UnitLevel.DISTRICT, UnitLevel.PROVINCE, UnitLevel.VILLAGE)

    panels = [
        FieldPanel("unit_name"),
        FieldPanel("unit_type"),
        FieldPanel("managing_level"),
        FieldPanel("staff_count"),
        FieldPanel("area", heading=_("Location")),
        *COMMON_PANELS,
    ]

    class Meta:
        verbose_name = _("learning unit")
        verbose_name_plural = _("learning units")

    def build_display_name(self) -> str:
        return self.unit_name.strip()


class PopulationGroup(models.TextChoices):
    """The four groups of assessment forms of Decision 244/QĐ-KHVN."""

    OFFICIALS = "officials", _("Officials, public employees and armed forces")
    WORKERS = "workers", _("Workers in enterprises")
    FARMERS = "farmers", _("Farmers and self-employed workers")
    OTHERS = "others", _("Other adults (elderly, homemakers, ...)")


class LearningCitizen(Subject):
    full_name = models.CharField(_("full name"), max_length=120)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    population_group = models.CharField(_("population group"), max_length=16, choices=PopulationGroup.choices)

    kind_value = SubjectKind.CITIZEN
    allowed_area_levels = (UnitLevel.VILLAGE,)

    panels = [
        FieldPanel("full_name"),
        FieldPanel("birth_year"),
        FieldPanel("population_group"),
        FieldPanel("area", heading=_("Village")),
        *COMMON_PANELS,
    ]

    class Meta:
        verbose_name = _("learning citizen")
        verbose_name_plural = _("learning citizens")

    def build_display_name(self) -> str:
        return self.full_name.strip()


SUBJECT_MODELS: dict[str, type[Subject]] = {
    SubjectKind.FAMILY: LearningFamily,
    SubjectKind.CLAN: LearningClan,
    SubjectKind.COMMUNITY: LearningCommunity,
    SubjectKind.UNIT: LearningUnit,
    SubjectKind.CITIZEN: LearningCitizen,
}


def subject_own_fields(kind: str) -> list[str]:
    """The fields of ``kind``'s own table (``LearningFamily``: head_name, head_title, member_count), in order."""
    return [f.name for f in SUBJECT_MODELS[kind]._meta.local_concrete_fields if not f.primary_key]


def subject_names_of_rows(*, kind: str, rows: Iterable[tuple[AdministrativeUnit, tuple]]) -> list[tuple[str, str]]:
    """(name, name_folded) as ``Subject.save`` stores them, for rows of ``kind`` given as (area, values of
    ``subject_own_fields(kind)``).

    The kind's own ``build_display_name`` is called on one plain namespace whose fields are replaced for
    each row: building a model instance for each of 164,000 rows would cost more than a whole import.
    Each distinct name is folded once (household heads' names repeat a great deal in a province).
    """
    build = SUBJECT_MODELS[kind].build_display_name
    fields = subject_own_fields(kind)
    row = SimpleNamespace()
    attrs = row.__dict__
    names: dict[str, tuple[str, str]] = {}
    found = []
    for area, values in rows:
        attrs.update(zip(fields, values, strict=True))
        attrs["area"] = area
        attrs["area_id"] = area.id
        display = build(row)
        pair = names.get(display)
        if pair is None:
            pair = names[display] = subject_names(display)
        found.append(pair)
    return found
