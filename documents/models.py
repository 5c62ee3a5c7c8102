"""Certificates (giấy công nhận) handed to recognised families, clans, communities and units, each with a
code that its QR leads to on the public verification page."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models import Evaluation

#: Letters and digits that cannot be misread for one another (no 0/O, 1/I/L): a code is typed by hand too.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 10 characters of 31: about 5·10^14 codes, so that at the page's rate limit guessing one is hopeless.
CODE_LENGTH = 10


def new_certificate_code() -> str:
    """A random code (never sequential, never derived from the record): ``K7M2QX9DRT``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalised_code(typed: str | None) -> str:
    """A code as typed or read from a QR (``k7m2q-x9drt``, spaces, dashes) in its stored form."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def code_display(code: str) -> str:
    """``K7M2Q-X9DRT``: the code as printed, in two halves to read aloud."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


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
