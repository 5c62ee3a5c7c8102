"""The search index of the database backend, and the text extracted from evidence files."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectType(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    SUBJECT = "subject", _("Recognised learning model")
    PAGE = "page", _("Page")


class SearchEntry(models.Model):
    """One searchable object, its text folded (no diacritics, lower case) so every backend matches alike.

    On SQLite two contentless FTS5 tables follow the rows through triggers: ``site_search_entry_fts``
    (every entry) and ``site_search_public_fts`` (public entries only, so a public search never reads,
    ranks or counts anything else); beside the text they index ``marks``, ``pairs`` and filter tokens (type, kind,
    year, every ancestor of the area). On PostgreSQL a stored ``search_vector`` column (title, body,
    marks) has a GIN index and a partial GIN index over public entries. All of it is created by the
    migrations (0002, 0003), for their database only.
    """

    object_type = models.CharField(_("type"), max_length=16, choices=ObjectType.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=255)
    #: A short text shown under the title in results (the evidence description, the subject's area...).
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    title_folded = models.TextField(editable=False)
    kind = models.CharField(_("kind"), max_length=16, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    #: Tree path of the administrative unit the object belongs to ("" for pages): access by area.
    area_path = models.CharField(max_length=255, blank=True)
    #: Whether the public may find it (a live public page, a recognised subject that consented).
    public = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The long columns last (migration 0003 put them there): SQLite reads a row's columns in order, so the
    # filters, facets and result rows above never read a long body's overflow pages.
    #: Tokens for the diacritics and capitals of the title's and body's words (``search.text.marked_words``):
    #: they rank exact spellings first, they never decide what matches.
    marks = models.TextField(editable=False, blank=True, default="")
    #: A token per distinct pair of adjacent folded words (``search.text.word_pairs``): a quoted phrase of
    #: common words is then looked for only where its pairs are, not in every text holding its words.
    pairs = models.TextField(editable=False, blank=True, default="")
    body_folded = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [models.UniqueConstraint(fields=["object_type", "object_id"], name="one_entry_per_object")]
        indexes = [
            models.Index(fields=["object_type", "public"], name="search_entry_type_public"),
            models.Index(fields=["area_path"], name="search_entry_area_path"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.title}"


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for text extraction")
    OK = "ok", _("Text extracted")
    FAILED = "failed", _("Text extraction failed")
    EMPTY = "empty", _("No text to extract")


class EvidenceText(models.Model):
    """Text extracted from one evidence file in the background; a failure is recorded, never raised."""

    evidence = models.OneToOneField(
        "evaluations.Evidence", on_delete=models.CASCADE, primary_key=True, related_name="search_text"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    #: Why the extraction failed, in words an officer can act on.
    error = models.CharField(_("error"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    extracted_at = models.DateTimeField(_("extracted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence text")
        verbose_name_plural = _("evidence texts")

    def __str__(self) -> str:
        return f"{self.evidence_id}: {self.status}"
