"""Criteria sets: versioned, officer-edited data (never code), one lineage per kind and document."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from .clusterable import ClusterableModel
from .rows import ReadDirectly
from .subjects import SubjectKind

POINTS_FIELD = {"max_digits": 6, "decimal_places": 1}


class ScoringMode(models.TextChoices):
    GRADE_BANDS = "grade_bands", _("Points with grade bands")
    PASS_FAIL_LEVELS = "pass_fail_levels", _("Pass/fail indicators with levels")
    TOTAL_THRESHOLD = "total_threshold", _("Points with a total threshold and a per-indicator minimum")


class CriteriaSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class SourceStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed from the official document")
    PARTIAL = "partial", _("Partial: to be completed from the official document")


#: What the shipped sets carry where the official document's wording is still to be copied in.
MISSING_TEXT_MARK = "[Cần bổ sung theo văn bản gốc]"


class CriteriaSet(ReadDirectly, ClusterableModel):
    kind = models.CharField(_("kind"), max_length=16, choices=SubjectKind.choices, db_index=True)
    #: Shared by every version of one set; (code, version) is unique.
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Short code shared by all versions of this set, e.g. gdht-448.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    scoring_mode = models.CharField(_("scoring mode"), max_length=20, choices=ScoringMode.choices)

    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CriteriaSetStatus.choices, default=CriteriaSetStatus.DRAFT, db_index=True
    )
    source_status = models.CharField(
        _("source status"), max_length=10, choices=SourceStatus.choices, default=SourceStatus.PARTIAL
    )
    source_note = models.TextField(_("source note"), blank=True, help_text=_("What is confirmed and what is missing."))

    has_self_assessment = models.BooleanField(_("self-assessment before verification"), default=False)
    validity_years = models.PositiveSmallIntegerField(
        _("recognition valid for (years)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    pass_total = models.DecimalField(
        _("total needed for recognition"),
        null=True,
        blank=True,
        help_text=_("Total-threshold mode: the least total that is recognised (inclusive)."),
        **POINTS_FIELD,
    )
    indicator_minimum = models.DecimalField(
        _("least points of any indicator"),
        null=True,
        blank=True,
        help_text=_("Total-threshold mode: no indicator may score below this (inclusive)."),
        **POINTS_FIELD,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldRowPanel([FieldPanel("kind"), FieldPanel("code"), FieldPanel("version", read_only=True)]),
                FieldRowPanel([FieldPanel("status"), FieldPanel("source_status")]),
                FieldPanel("source_note"),
            ],
            heading=_("Criteria set"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("document_number"), FieldPanel("document_date"), FieldPanel("issuer")]),
                FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_to")]),
            ],
            heading=_("Issuing document"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("scoring_mode"),
                FieldRowPanel([FieldPanel("pass_total"), FieldPanel("indicator_minimum")]),
                FieldRowPanel([FieldPanel("has_self_assessment"), FieldPanel("validity_years")]),
                InlinePanel("grade_bands", heading=_("Grade bands"), label=_("Grade band")),
            ],
            heading=_("Scoring"),
        ),
        InlinePanel("criteria", heading=_("Criteria and indicators"), label=_("Criterion")),
    ]

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["kind", "code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="unique_criteria_set_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_frozen(self) -> bool:
        """A set used by any evaluation no longer changes; a revision is a new version."""
        return self.pk is not None and self.evaluations.exists()

    @property
    def is_confirmed(self) -> bool:
        """Whether the provincial association confirmed the set against its official document: until then
        every screen that offers or scores it warns."""
        return self.source_status == SourceStatus.CONFIRMED

    def texts_missing(self) -> list[str]:
        """Where the set still reads ``MISSING_TEXT_MARK``: "Tiêu chí 3", "Chỉ số 3.1"..., in order."""
        missing = []
        for criterion in self.criteria.prefetch_related("indicators"):
            if MISSING_TEXT_MARK in criterion.title or MISSING_TEXT_MARK in criterion.description:
                missing.append(_("Criterion %(number)s") % {"number": criterion.number})
            missing += [
                _("Indicator %(code)s") % {"code": indicator.code}
                for indicator in criterion.indicators.all()
                if MISSING_TEXT_MARK in indicator.text or MISSING_TEXT_MARK in indicator.evidence_guidance
            ]
        return missing

    @property
    def max_total(self) -> Decimal:
        return sum(
            (ind.max_points or Decimal(0) for crit in self.criteria.all() for ind in crit.indicators.all()),
            Decimal(0),
        )


class GradeBand(Orderable):
    """Grade-bands mode: a total at or above ``min_total`` earns ``label`` (highest band wins)."""

    criteria_set = ParentalKey(CriteriaSet, on_delete=models.CASCADE, related_name="grade_bands")
    label = models.CharField(_("grade"), max_length=40)
    min_total = models.DecimalField(_("least total (inclusive)"), **POINTS_FIELD)
    recognised = models.BooleanField(_("recognised"), default=True)

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("min_total"), FieldPanel("recognised")])]

    class Meta(Orderable.Meta):
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")

    def __str__(self) -> str:
        return f"{self.label} ≥ {self.min_total}"


class Criterion(ClusterableModel, Orderable):
    criteria_set = ParentalKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    number = models.CharField(_("number"), max_length=10)
    title = models.CharField(pgettext_lazy("criterion", "title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    min_points = models.DecimalField(
        _("least subtotal (inclusive)"),
        null=True,
        blank=True,
        help_text=_("Optional: the criterion fails when its subtotal is below this."),
        **POINTS_FIELD,
    )

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("title"), FieldPanel("min_points")]),
        FieldPanel("description"),
        InlinePanel("indicators", heading=_("Indicators"), label=_("Indicator")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Indicator(Orderable):
    criterion = ParentalKey(Criterion, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=12)
    text = models.TextField(_("indicator"))
    max_points = models.DecimalField(
        _("maximum points"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Leave empty for a met / not met indicator."),
        **POINTS_FIELD,
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
        help_text=_("Pass/fail mode: the level (1 or 2) this indicator belongs to."),
    )
    evidence_guidance = models.TextField(_("evidence guidance"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("max_points"), FieldPanel("level")]),
        FieldPanel("text"),
        FieldPanel("evidence_guidance"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    @property
    def is_pass_fail(self) -> bool:
        return self.max_points is None
