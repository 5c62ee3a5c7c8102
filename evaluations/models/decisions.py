"""Recognition decisions (and the later decisions that revoke a recognition), and commendation proposals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .area import AreaBoundQuerySet
from .units import AdministrativeUnit


def decision_file_upload_to(instance: "RecognitionDecision", filename: str) -> str:
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"decisions/{instance.decision_date:%Y}/{uuid.uuid4().hex}.{suffix}"


def decision_storage():
    from django.core.files.storage import storages

    return storages["evidence"]


class DecisionKind(models.TextChoices):
    RECOGNITION = "recognition", _("Recognition")
    REVOCATION = "revocation", _("Revocation")


class DecisionQuerySet(AreaBoundQuerySet):
    def for_user(self, user):
        """Decisions issued in the user's area or deciding (or revoking) an evaluation there."""
        from ..access import decisions_for_user

        return decisions_for_user(self, user)


class RecognitionDecision(models.Model):
    """One signed decision of a People's Committee; one decision usually recognises many subjects."""

    objects = DecisionQuerySet.as_manager()

    kind = models.CharField(_("kind of decision"), max_length=12, choices=DecisionKind.choices)
    number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    signatory = models.CharField(_("signed by"), max_length=120)
    area = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("area"),
        help_text=_("The unit whose committee issued the decision."),
    )
    file = models.FileField(
        _("scanned decision"), storage=decision_storage, upload_to=decision_file_upload_to, blank=True, max_length=255
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required for a revocation."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")
        ordering = ["-decision_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "number", "kind"], name="unique_decision_number_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.decision_date:%d/%m/%Y})"


class CommendationLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    CENTRAL = "central", _("Central association")


class CommendationProposal(models.Model):
    """A recognised model proposed as exemplary, for the congress honouring exemplary models."""

    area_field = "evaluation__area"
    objects = AreaBoundQuerySet.as_manager()

    evaluation = models.OneToOneField(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="commendation", verbose_name=_("evaluation")
    )
    level = models.CharField(_("commendation level"), max_length=12, choices=CommendationLevel.choices)
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commendation proposal")
        verbose_name_plural = _("commendation proposals")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return str(self.evaluation)
