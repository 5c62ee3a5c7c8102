"""Certificates (giấy công nhận): one A4 landscape page per recognised subject, with a QR code leading to the
public verification page. Hundreds at once for a decision, written in the background when many."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.calendar import day_label
from evaluations.models import VILLAGE_LIST_ORDER, Evaluation, EvaluationStatus, SubjectKind
from evaluations.models.units import communes_by_path, provinces_by_path

from .codes import code_display, new_code
from .formats import committee_lines, committee_signature, document_language, place_and_date
from .models import Certificate
from .pdf import FAMILY, DocumentPDF

#: Printed together, certificates are read in batches of this many (a decision may hold thousands).
BATCH = 500


def certifiable(evaluations):
    """The evaluations a certificate may be printed for: recognised by a decision, not revoked
    (:func:`is_certifiable` is the same rule for one evaluation in hand)."""
    return evaluations.filter(status=EvaluationStatus.RECOGNISED, decision__isnull=False)


def is_certifiable(evaluation: Evaluation) -> bool:
    return evaluation.status == EvaluationStatus.RECOGNISED and evaluation.decision_id is not None


def certificates_for(evaluation_ids: Iterable[int]) -> dict[int, Certificate]:
    """The certificate of each evaluation, made (with a new random code) for those that have none yet."""
    wanted = list(evaluation_ids)
    found: dict[int, Certificate] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        found.update((c.evaluation_id, c) for c in Certificate.objects.filter(evaluation_id__in=chunk))
    missing = [pk for pk in wanted if pk not in found]
    for _attempt in range(5):
        if not missing:
            break
        try:
            with transaction.atomic():
                Certificate.objects.bulk_create(
                    [Certificate(evaluation_id=pk, code=new_code()) for pk in missing], batch_size=BATCH
                )
        except IntegrityError:
            pass  # another printing made some meanwhile, or (hardly ever) a code was drawn twice: read and retry
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            found.update((c.evaluation_id, c) for c in Certificate.objects.filter(evaluation_id__in=chunk))
        missing = [pk for pk in missing if pk not in found]
    if missing:
        raise RuntimeError("certificate codes could not be made")
    return found


def verification_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + reverse("certificate_verify", args=[code])


@dataclass
class CertificatePage:
    """What one certificate says."""

    code: str
    url: str
    issuer: list[str]
    title: str
    name: str
    place: str
    standing: str
    decision: str
    place_date: str
    signatory: str


def kind_title(kind: str, year: int) -> str:
    """``DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2026``."""
    return _("TITLE “%(kind)s” OF %(year)s") % {"kind": str(SubjectKind(kind).label).upper(), "year": year}


def certificate_pages(evaluations: Iterable[Evaluation], *, base_url: str) -> Iterator[CertificatePage]:
    """The pages for ``evaluations`` (with ``subject``, ``area``, ``decision__area`` read), in their order;
    their certificates (and codes) are made as needed. Call inside :func:`document_language`."""
    evaluations = list(evaluations)
    certificates = certificates_for(e.pk for e in evaluations)
    paths = {e.area.path for e in evaluations}
    communes, provinces = communes_by_path(paths), provinces_by_path(paths)
    for evaluation in evaluations:
        area, decision = evaluation.area, evaluation.decision
        places = [area.name]
        for unit in (communes.get(area.path), provinces.get(area.path)):
            if unit is not None and unit.pk != area.pk:
                places.append(unit.name)
        standing = []
        if evaluation.grade:
            standing.append(_("Grade: %(grade)s") % {"grade": evaluation.grade})
        if evaluation.level:
            standing.append(_("Level %(level)s") % {"level": evaluation.level})
        code = certificates[evaluation.pk].code
        yield CertificatePage(
            code=code,
            url=verification_url(base_url, code),
            issuer=committee_lines(decision.area),
            title=kind_title(evaluation.kind, evaluation.year),
            name=str(evaluation.subject),
            place=", ".join(places),
            standing=" – ".join(standing),
            decision=_("Decision No. %(number)s of %(date)s of %(body)s")
            % {"number": decision.number, "date": day_label(decision.decision_date), "body": decision.issuing_body},
            place_date=place_and_date(decision.area, decision.decision_date),
            signatory=decision.signatory,
        )


# --- the PDF -----------------------------------------------------------------------------------------------

RED = (155, 20, 20)
GOLD = (176, 132, 36)


class CertificatePDF(DocumentPDF):
    def __init__(self):
        super().__init__(title=_("Certificates of recognition"), landscape=True, margins={"left": 22, "right": 22})

    def certificate(self, page: CertificatePage) -> None:
        self.add_page()
        self.set_auto_page_break(False)
        w, h = self.w, self.h
        # A double frame.
        self.set_draw_color(*GOLD)
        self.set_line_width(1.6)
        self.rect(8, 8, w - 16, h - 16)
        self.set_line_width(0.4)
        self.rect(11, 11, w - 22, h - 22)
        self.set_draw_color(0, 0, 0)

        self.set_y(18)
        self.official_header(issuer=page.issuer, number=None, place_date="", left_width=95)
        self.set_y(58)
        self.set_text_color(*RED)
        self.set_font(FAMILY, style="B", size=34)
        self.cell(0, 16, _("CERTIFICATE OF RECOGNITION"), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=17)
        self.cell(0, 10, page.title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(3)
        self.set_font(FAMILY, style="I", size=14)
        self.cell(0, 8, _("Awarded to"), align="C", new_x="LMARGIN", new_y="NEXT")
        self.centred(page.name, size=24, style="B", height=12)
        self.centred(page.place, size=14, height=7)
        if page.standing:
            self.centred(page.standing, size=14, height=7)
        self.centred(page.decision, size=12.5, style="I", height=6.5)

        # Bottom: the QR and its code on the left, the signature on the right.
        bottom = h - 62
        qr_size = 32
        self.qr_code(page.url, x=24, y=bottom, size=qr_size)
        self.set_xy(24 + qr_size + 3, bottom + 6)
        self.set_font(FAMILY, size=10)
        self.cell(60, 5, _("Verify this certificate:"), new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=13)
        self.cell(60, 7, code_display(page.code), new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, size=8.5)
        self.multi_cell(90, 4, page.url, new_x="LEFT", new_y="NEXT")

        half = 120
        right_x = w - 22 - half
        self.set_xy(right_x, bottom - 4)
        self.set_font(FAMILY, style="I", size=13)
        self.cell(half, 7, page.place_date, align="C", new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=13)
        for line in committee_signature():
            self.cell(half, 6.5, line, align="C", new_x="LEFT", new_y="NEXT")
        self.set_xy(right_x, h - 26)
        self.cell(half, 7, page.signatory, align="C")


def write_certificates(
    pages: Iterable[CertificatePage], *, progress: Callable[[int], None] | None = None, every: int = 50
) -> tuple[bytes, int]:
    """The certificates as one PDF, one page each; ``progress(done)`` is told every ``every`` pages."""
    pdf = CertificatePDF()
    count = 0
    for count, page in enumerate(pages, start=1):
        pdf.certificate(page)
        if progress and count % every == 0:
            progress(count)
    if not count:
        raise ValueError("no certificates to print")
    return pdf.output_bytes(), count


def certificate_rows(evaluations):
    """The evaluations to print, with what a page reads, grouped by village, in name order."""
    return certifiable(evaluations).select_related("subject", "area", "decision__area").order_by(*VILLAGE_LIST_ORDER)


def print_certificates(evaluations, *, base_url: str, progress=None) -> tuple[bytes, int]:
    """The certificates of the certifiable ``evaluations`` (a queryset the caller has limited to the user's
    area), read and written in batches."""
    rows = certificate_rows(evaluations)

    def pages():
        ids = list(rows.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            by_pk = {e.pk: e for e in certificate_rows(Evaluation.objects.filter(pk__in=chunk))}
            yield from certificate_pages([by_pk[pk] for pk in chunk if pk in by_pk], base_url=base_url)

    with document_language():
        return write_certificates(pages(), progress=progress)
