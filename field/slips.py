"""Self-assessment slips (phiếu tự đánh giá): A4 pages of three slips with cut lines, one slip per subject, each
with the code (as a QR leading to the public form, and printed to type by hand), what to do, and the last day
the code works."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from documents.codes import code_display
from documents.formats import association_name, document_language
from documents.pdf import FAMILY, DocumentPDF
from evaluations.models import SubjectKind
from evaluations.models.units import communes_by_path

from .models import SelfAssessmentCode

#: Slips on one A4 page (99 mm each: room for the QR, the instructions and a margin to cut).
PER_PAGE = 3


def self_assessment_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + reverse("self_assessment", args=[code])


@dataclass
class Slip:
    """What one slip says."""

    code: str
    url: str
    association: str
    title: str
    name: str
    place: str
    last_day: str


def slips_of(codes: Iterable[SelfAssessmentCode], *, base_url: str) -> list[Slip]:
    """The slips of ``codes`` (with ``subject__area`` read), in their order. Call inside ``document_language``."""
    codes = list(codes)
    communes = communes_by_path({code.subject.area.path for code in codes})
    slips = []
    for code in codes:
        subject, area = code.subject, code.subject.area
        commune = communes.get(area.path)
        place = area.name if commune is None or commune.pk == area.pk else f"{area.name}, {commune.name}"
        slips.append(
            Slip(
                code=code.code,
                url=self_assessment_url(base_url, code.code),
                association=association_name(commune or area).upper(),
                title=_("SELF-ASSESSMENT SLIP OF %(kind)s FOR %(year)s")
                % {"kind": str(SubjectKind(subject.kind).label).upper(), "year": code.year},
                name=subject.name,
                place=place,
                last_day=f"{code.last_day:%d/%m/%Y}",
            )
        )
    return slips


class SlipPDF(DocumentPDF):
    def __init__(self):
        super().__init__(title=_("Self-assessment slips"), margins={"left": 14, "right": 14, "top": 10, "bottom": 10})
        self.set_auto_page_break(False)
        self.count = 0

    def slip(self, slip: Slip) -> None:
        position = self.count % PER_PAGE
        if position == 0:
            self.add_page()
            self.cut_lines()
        self.count += 1
        height = self.h / PER_PAGE
        top = position * height + 8
        qr_size = 40
        qr_x = self.w - self.r_margin - qr_size
        text_width = qr_x - self.l_margin - 18  # the code and its last day, below the QR, are wider than it
        right_x, right_width = qr_x - 16, qr_size + 16

        self.set_xy(self.l_margin, top)
        self.set_font(FAMILY, style="B", size=10)
        self.multi_cell(text_width, 4.5, slip.association, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=13)
        self.multi_cell(text_width, 6, slip.title, new_x="LMARGIN", new_y="NEXT")
        self.set_y(self.get_y() + 1)
        self.set_font(FAMILY, style="B", size=12.5)
        self.multi_cell(text_width, 5.5, slip.name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, size=10.5)
        self.multi_cell(text_width, 5, slip.place, new_x="LMARGIN", new_y="NEXT")
        self.set_y(self.get_y() + 1.5)
        self.set_font(FAMILY, size=10)
        for line in instructions():
            self.set_x(self.l_margin)
            self.multi_cell(text_width, 4.6, line, new_x="LMARGIN", new_y="NEXT")
        below_text = self.get_y() + 2

        # The right column: the QR, the code to type, the address, the last day.
        self.qr_code(slip.url, x=qr_x, y=top - 2, size=qr_size)
        self.set_xy(right_x, top + qr_size - 1)
        self.set_font(FAMILY, size=8.5)
        self.cell(right_width, 4, _("Code"), align="C", new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=15)
        self.cell(right_width, 7, code_display(slip.code), align="C", new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=9.5)
        self.cell(right_width, 4.5, _("Valid until %(day)s") % {"day": slip.last_day}, align="C")
        self.set_xy(self.l_margin, max(below_text, top + 62))
        self.set_font(FAMILY, size=9)
        self.cell(0, 4.5, _("Or open this address and type the code:"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, style="B", size=10)
        self.cell(0, 5, slip.url, new_x="LMARGIN", new_y="NEXT")

    def cut_lines(self) -> None:
        """Dashed lines between the slips, where the page is cut."""
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        self.set_dash_pattern(dash=2, gap=1.5)
        for index in range(1, PER_PAGE):
            y = index * self.h / PER_PAGE
            self.line(5, y, self.w - 5, y)
        self.set_dash_pattern()
        self.set_draw_color(0, 0, 0)


def instructions() -> list[str]:
    """What the family or unit does with its slip, in plain words."""
    return [
        _("1. Scan the QR code with a phone camera, or open the address below and type the code."),
        _("2. Read each criterion and give your own points; you may add photos. Then press “Send”."),
        _("3. You can correct it with the same code until the commune sends the dossier for review."),
        _("Keep the code to yourself: whoever has it can open your self-assessment."),
    ]


def slips_pdf(codes: Iterable[SelfAssessmentCode], *, base_url: str) -> tuple[bytes, int]:
    """The slips of ``codes`` as one PDF, in the site's language; (data, number of slips)."""
    with document_language():
        pdf = SlipPDF()
        for slip in slips_of(codes, base_url=base_url):
            pdf.slip(slip)
        if not pdf.count:
            raise ValueError("no slips to print")
        return pdf.output_bytes(), pdf.count
