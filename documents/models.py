"""Certificates (giấy công nhận) handed to recognised families, clans, communities and units, each with a
code that its QR leads to on the public verification page."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models import Evaluation

from .codes import CODE_LENGTH, code_display


class Certificate(models.Model):
    """The certificate of one recognition. Made when certificates are first printed and kept: a reprint
    carries the same code, so the paper on a family's wall stays verifiable."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="certificate", verbose_name=_("evaluation")
    )
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return code_display(self.code)

    @property
    def code_display(self) -> str:
        return code_display(self.code)
