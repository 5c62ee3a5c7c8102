"""Evaluations of one subject in one year against one criteria-set version, their scores and evidence."""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import LockableMixin, RevisionMixin

from .area import AreaBoundQuerySet
from .clusterable import ClusterableModel
from .criteria import POINTS_FIELD, CriteriaSet, Indicator
from .rows import ReadDirectly
from .subjects import PUBLIC_KINDS, Subject, SubjectKind
from .units import AdministrativeUnit


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    RECOGNISED = "recognised", _("Recognised")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")
    REVOKED = "revoked", _("Recognition revoked")


class EvaluationResult(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete")
    MEETS = "meets", _("Meets the criteria")
    FAILS = "fails", _("Does not meet the criteria")


class NotIndexed(models.Func):
    """A column read as a value that SQLite's planner will not look up by an index: unary ``+``, SQLite's
    documented way to rule an index out. SQLite here has no planner statistics (with them it sorted whole
    tables for a listing's first page), so for a condition on a few subjects it would walk the status index
    over every recognition in the province instead of the subject's few rows. Other engines get the column
    itself: PostgreSQL's planner reads its statistics."""

    arity = 1
    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


#: The evaluation's side of the public rule, as (field, lookup, value): see ``public_recognition_q``.
PUBLIC_RECOGNITION = (
    ("status", "exact", EvaluationStatus.RECOGNISED),
    ("decision", "isnull", False),
    ("kind", "in", PUBLIC_KINDS),
)


def public_recognition_q(prefix: str = "", per_subject: bool = False) -> models.Q:
    """The evaluation's side of the public rule: recognised (not revoked) **by a decision**, of one of the
    ``PUBLIC_KINDS``. ``prefix`` is the lookup path to the evaluation (``"evaluations__"``). Every column
    it reads is in the partial index ``public_recognition_idx``, whose condition it repeats.

    ``per_subject``: the condition is asked of named subjects (a correlated ``EXISTS``, a batch of ids), so
    the status and the kind are read as values (:class:`NotIndexed`) and the planner takes the subject's
    index; written plainly, SQLite walked every recognised evaluation for each subject (1.4 s for one
    subject at a million evaluations)."""
    condition = models.Q()
    for field, lookup, value in PUBLIC_RECOGNITION:
        if per_subject and field != "decision":
            lookup_class = Evaluation._meta.get_field(field).get_lookup(lookup)
            condition &= models.Q(lookup_class(NotIndexed(models.F(f"{prefix}{field}")), value))
        else:
            condition &= models.Q(**{f"{prefix}{field}__{lookup}": value})
    return condition


#: The subject's names copied onto each of its evaluations (evaluation field -> subject field), so that the
#: listing order walks an index of the evaluation table instead of sorting every match across a join.
SORT_NAME_SOURCES = {"sort_name_folded": "name_folded", "sort_name": "name"}

#: The order of every evaluation listing (admin, exports, public list, API): newest year first, then the
#: subject's name in ``NAME_ORDER`` (folded, then exact: "Đặng" among the D's), the id breaking ties.
#: The indexes ``evaluation_list_idx``, ``evaluation_kind_list_idx`` and ``evaluation_status_list_idx`` hold it.
EVALUATION_LIST_ORDER = ["-year", *SORT_NAME_SOURCES, "pk"]
#: The order of printed lists (a decision's attached list, a batch of certificates): village by village in
#: tree order, then by name as the listings sort it.
VILLAGE_LIST_ORDER = ["area__path", *SORT_NAME_SOURCES, "pk"]


def evaluations_follow_subject_names(subject_ids=None) -> int:
    """Copy the subjects' names onto their evaluations (``SORT_NAME_SOURCES``): the one writer of the copies
    for rows written without ``Evaluation.save`` and for subjects renamed (``Subject.save``, the bulk subject
    service, the reorganisation's renames). ``subject_ids``: those subjects (all when ``None``). Only rows
    whose copy differs are written; returns how many."""
    evaluations = Evaluation.objects.all()
    if subject_ids is not None:
        evaluations = evaluations.filter(subject_id__in=list(subject_ids))
    subject = Subject.objects.filter(pk=models.OuterRef("subject_id"))
    stale = models.Q()
    for copy, source in SORT_NAME_SOURCES.items():
        stale |= ~models.Q(**{copy: models.Subquery(subject.values(source)[:1])})
    return evaluations.filter(stale).update(
        **{copy: models.Subquery(subject.values(source)[:1]) for copy, source in SORT_NAME_SOURCES.items()}
    )


def returned_q() -> models.Q:
    """Evaluations a reviewer sent back to be corrected: drafts carrying the reason they were returned with
    (it is cleared when the draft is submitted again)."""
    return models.Q(status=EvaluationStatus.DRAFT) & ~models.Q(status_reason="")


class EvaluationQuerySet(AreaBoundQuerySet):
    def public(self) -> "EvaluationQuerySet":
        """Every recognition the public may see: **the one public rule** (``Subject.objects.public()`` is the
        same rule from the subject's side). Recognised by a decision and not revoked, one of the four
        public kinds (never a learning citizen), its subject consenting to publication and active.

        Unordered: what to count. Hidden subjects (declined or inactive: a few, found by the partial index
        ``subject_hidden_idx``) are excluded by id, so counting needs no join and runs on the partial
        index ``public_recognition_idx`` alone.
        """
        return self._public(public_recognition_q())

    def public_of_subjects(self, subject_ids: Iterable[int]) -> "EvaluationQuerySet":
        """The public recognitions (the rule of :meth:`public`) of the subjects ``subject_ids`` (a batch of
        at most a few thousand ids), read through the subject's index whatever the planner knows."""
        return self._public(public_recognition_q(per_subject=True)).filter(subject_id__in=list(subject_ids))

    def _public(self, recognition: models.Q) -> "EvaluationQuerySet":
        hidden = Subject.objects.hidden().order_by().values("pk")
        return self.filter(recognition).exclude(subject_id__in=hidden).order_by()


class Evaluation(ReadDirectly, LockableMixin, RevisionMixin, ClusterableModel):
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("subject")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], db_index=True
    )
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("criteria set")
    )
    #: The subject's kind and area as they were when evaluated, so history stays true after moves.
    #: Not indexed alone: ``evaluation_kind_list_idx`` starts with it.
    kind = models.CharField(_("kind"), max_length=16, choices=SubjectKind.choices, editable=False)
    area = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="evaluations",
        editable=False,
        verbose_name=_("area"),
        db_index=False,  # the first column of ``evaluation_rollup_idx``
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT, editable=False
    )
    #: Copies of the subject's ``name_folded`` and ``name`` (``SORT_NAME_SOURCES``), kept by ``save`` and
    #: ``evaluations_follow_subject_names``: what the listings sort by, from an index.
    sort_name_folded = models.CharField(max_length=255, blank=True, default="", editable=False)
    sort_name = models.CharField(max_length=255, blank=True, default="", editable=False)
    total = models.DecimalField(_("total"), null=True, blank=True, editable=False, **POINTS_FIELD)
    grade = models.CharField(_("grade"), max_length=40, blank=True, editable=False)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True, editable=False)
    result = models.CharField(
        _("result"),
        max_length=12,
        choices=EvaluationResult.choices,
        default=EvaluationResult.INCOMPLETE,
        editable=False,
        db_index=True,
    )
    #: The decision that recognised the subject (or recorded that it was not recognised).
    decision = models.ForeignKey(
        "evaluations.RecognitionDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        editable=False,
        verbose_name=_("recognition decision"),
    )
    #: Why the evaluation was last returned or rejected, or why its recognition was revoked.
    status_reason = models.TextField(_("reason"), blank=True, default="", editable=False)
    self_total = models.DecimalField(_("self-assessed total"), null=True, blank=True, editable=False, **POINTS_FIELD)
    revocation = models.ForeignKey(
        "evaluations.RecognitionDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_evaluations",
        editable=False,
        verbose_name=_("revocation decision"),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    #: Counts the saves of its scores and fields: a form sends the version it was opened on, and a write
    #: made from it swaps the version only if nobody saved in between (``services.evaluation_record_scores``).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = EvaluationQuerySet.as_manager()

    panels = [FieldPanel("subject"), FieldPanel("year"), FieldPanel("criteria_set"), FieldPanel("note")]

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = EVALUATION_LIST_ORDER
        constraints = [models.UniqueConstraint(fields=["subject", "year"], name="one_evaluation_per_subject_year")]
        indexes = [
            models.Index(fields=["year", "kind", "area"]),
            # The roll-up's grouped count reads only these columns: covered, it never touches the table
            # (0.5 s -> 0.04 s for a province year). Its (area, year) prefix serves the area listings.
            models.Index(fields=["area", "year", "kind", "grade", "level", "status"], name="evaluation_rollup_idx"),
            # The work still open (drafts, submitted, reviewed: a running round's few percent of the rows), by
            # status and unit: what "Việc cần làm" counts for an area (``reports.todo``) without reading each
            # unit's every year.
            models.Index(
                fields=["status", "area", "result"],
                condition=models.Q(status__in=["draft", "submitted", "reviewed"]),
                name="evaluation_open_idx",
            ),
            # The public recognition lists: only recognised rows, and every column their filters and
            # counts read, so a count at province scale never touches the table. Its condition is the
            # public rule's (``public_recognition_q``) but for the kinds, a column of the index.
            models.Index(
                fields=["year", "kind", "area", "grade", "level", "subject", "status", "decision"],
                condition=models.Q(status="recognised", decision__isnull=False),
                name="public_recognition_idx",
            ),
            # The listings in page order (``EVALUATION_LIST_ORDER``): a page walks the index from its start
            # (a year's pages from that year's start) and stops after one page, whatever the size of the
            # table. The filters of the admin listing (kind, status, area) are read from the index itself,
            # so rows that do not match are skipped without touching the table.
            models.Index(
                fields=["-year", "sort_name_folded", "sort_name", "id", "kind", "status", "area"],
                name="evaluation_list_idx",
            ),
            # The same order within one kind and within one status: without them a filter on a common kind
            # ("family") or status would read that value's index and sort all its rows. They also serve every
            # look-up by kind, and by status and year. The status one walks the public list (status
            # "recognised") and holds every column its filters and the public rule read.
            models.Index(
                fields=["kind", "-year", "sort_name_folded", "sort_name", "id"], name="evaluation_kind_list_idx"
            ),
            models.Index(
                fields=[
                    "status",
                    "-year",
                    "sort_name_folded",
                    "sort_name",
                    "id",
                    "decision",
                    "kind",
                    "area",
                    "grade",
                    "level",
                    "subject",
                ],
                name="evaluation_status_list_idx",
            ),
        ]
        permissions = [
            ("submit_evaluation", "Can submit evaluations for review"),
            ("review_evaluation", "Can review, return and reject evaluations"),
            ("recognise_evaluation", "Can record recognition decisions"),
            ("revoke_recognition", "Can revoke recognitions"),
            ("propose_commendation", "Can propose recognised models for commendation"),
        ]

    def __str__(self) -> str:
        return evaluation_label(str(self.subject), self.year)

    @property
    def is_returned(self) -> bool:
        """Sent back by a reviewer to be corrected: the rule of ``returned_q``, for a loaded row."""
        return self.status == EvaluationStatus.DRAFT and self.status_reason != ""

    def save(self, *args, update_fields=None, **kwargs):
        """Every save of an existing evaluation counts one more version, in the database (``F() + 1``, so
        two concurrent saves count two), except the bookkeeping of edit locks and revisions, and a save
        that writes ``version`` itself (its caller has already swapped it)."""
        fields = None if update_fields is None else set(update_fields)
        if fields is None or "subject" in fields:
            # The subject's names, copied (a rename follows by ``evaluations_follow_subject_names``).
            for copy, source in SORT_NAME_SOURCES.items():
                setattr(self, copy, getattr(self.subject, source))
            if fields is not None:
                fields |= set(SORT_NAME_SOURCES)
                update_fields = list(fields)
        bumps = not self._state.adding and (fields is None or not fields <= VERSIONLESS_FIELDS)
        if bumps and "version" not in (fields or ()):
            self.version = models.F("version") + 1
            if fields is not None:
                update_fields = [*fields, "version"]
        super().save(*args, update_fields=update_fields, **kwargs)
        if isinstance(self.version, models.expressions.Combinable):
            self.refresh_from_db(fields=["version"])


def evaluation_label(subject_name: str, year: int) -> str:
    """How an evaluation is named (``str(evaluation)``), from its subject's name and its year: also for rows
    read as values (the bulk decision's revisions and messages)."""
    return f"{subject_name} – {year}"


#: Fields whose saves are not changes of the evaluation: who is editing it, and which revision is its latest.
VERSIONLESS_FIELDS = {"locked", "locked_by", "locked_at", "latest_revision", "version"}


class Score(ReadDirectly):
    area_field = "evaluation__area"
    objects = AreaBoundQuerySet.as_manager()

    evaluation = ParentalKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS_FIELD)
    met = models.BooleanField(_("met"), null=True, blank=True)
    #: The subject's own assessment, kept beside the verified score where the set has self-assessment.
    self_points = models.DecimalField(_("self-assessed points"), null=True, blank=True, **POINTS_FIELD)
    self_met = models.BooleanField(_("self-assessed met"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["evaluation", "indicator"], name="one_score_per_indicator")]

    def __str__(self) -> str:
        value = self.points if self.points is not None else self.met
        return f"{self.indicator.code}: {value}"


def evidence_storage():
    """Private storage outside MEDIA_ROOT: files are served only by the permission-checked view."""
    return storages["evidence"]


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # A random name: the original file name may hold personal data and is kept in the database only.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.evaluation.year}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    area_field = "evaluation__area"
    objects = AreaBoundQuerySet.as_manager()

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("indicator"),
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
