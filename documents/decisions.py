"""The recognition decision of a People's Committee as a printed document (Decree 30/2020/NĐ-CP): the draft
of a decision already recorded (its number, date and signatory filled in) or of one still to be taken, for the
reviewed evaluations awaiting it (number and date left to write by hand).

The content is written once (:class:`DecisionText`, from the decision or the selection and only the
evaluations the user reaches) and rendered twice: an editable .docx (python-docx, the format communes adjust
and sign) and a PDF (``DocumentPDF``). Every text is in the site language: make both inside
``formats.document_language()``.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from evaluations import calendar
from evaluations.models import (
    VILLAGE_LIST_ORDER,
    AdministrativeUnit,
    Evaluation,
    EvaluationStatus,
    SubjectKind,
    UnitLevel,
)
from evaluations.models.units import path_within

from .formats import (
    association_name,
    blank_place_and_date,
    committee_lines,
    committee_signature,
    integer_text,
    long_date,
    place_and_date,
    unit_words,
)

#: The evaluations a recognition decision recognised: those it still recognises, and those a later decision
#: revoked (the decision as signed named them). Not those it recorded as not recognised.
RECOGNISED_BY_DECISION = (EvaluationStatus.RECOGNISED, EvaluationStatus.REVOKED)

#: Where the number of a draft is written by hand: ``Số: ……/QĐ-UBND``.
BLANK_NUMBER = "……/QĐ-UBND"


@dataclass
class ListRow:
    number: int
    name: str
    village: str
    kind: str
    grade: str


@dataclass
class ListGroup:
    """The rows of one village (or of the commune, for clans and units) in the attached list."""

    numeral: str
    heading: str
    path: str
    rows: list[ListRow] = field(default_factory=list)


@dataclass
class DecisionText:
    """Everything the decision says, in order, as the two renderings print it."""

    issuer: list[str]  # the issuing body, in capitals, bold (two lines: "ỦY BAN NHÂN DÂN", "XÃ NINH PHƯỚC")
    number: str  # "Số: 123/QĐ-UBND"
    place_date: str  # "Ninh Phước, ngày 05 tháng 12 năm 2026"
    kind: str  # "QUYẾT ĐỊNH"
    summary: str  # "Về việc công nhận danh hiệu “Gia đình học tập” năm 2026"
    authority: str  # "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ NINH PHƯỚC"
    bases: list[str]  # "Căn cứ …;" the last ending with a full stop
    decides: str  # "QUYẾT ĐỊNH:"
    articles: list[tuple[str, str]]  # ("Điều 1.", text)
    recipients: list[str]
    signature: list[str]  # "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    signatory: str
    list_title: str  # "DANH SÁCH GIA ĐÌNH ĐẠT DANH HIỆU …"
    list_reference: str  # "(Kèm theo Quyết định số … ngày … của Ủy ban nhân dân xã …)"
    columns: list[str]
    groups: list[ListGroup]
    count: int
    total: str  # "Tổng cộng: 12"
    note: str  # when the list is an extract (the decision also recognised subjects outside the user's area)
    title: str  # the file's title
    is_draft: bool


# --- building the content -------------------------------------------------------------------------------


def decision_text(decision, user) -> DecisionText:
    """The text of a recorded recognition decision, listing only the evaluations ``user`` reaches."""
    recognised = decision.evaluations.filter(status__in=RECOGNISED_BY_DECISION)
    reached = recognised.for_user(user)
    evaluations = _listed(reached)
    partial = len(evaluations) < recognised.count()
    return build_text(
        area=decision.area,
        number=decision.number,
        date=decision.decision_date,
        signatory=decision.signatory,
        evaluations=evaluations,
        partial=partial,
    )


def draft_text(*, area: AdministrativeUnit, evaluations: Iterable[Evaluation]) -> DecisionText:
    """The text of a decision still to be taken by ``area``'s committee on ``evaluations`` (all reviewed and in
    the user's area: the caller checked): no number, no date, no signatory."""
    pks = [evaluation.pk for evaluation in evaluations]
    return build_text(
        area=area,
        number=None,
        date=None,
        signatory="",
        evaluations=_listed(Evaluation.objects.filter(pk__in=pks)),
        partial=False,
    )


def _listed(evaluations: QuerySet) -> list[Evaluation]:
    """The evaluations in the list's order: village by village (tree order), then by name (``NAME_ORDER``)."""
    return list(evaluations.select_related("subject", "area", "criteria_set").order_by(*VILLAGE_LIST_ORDER))


def kind_title(kind: str) -> str:
    """``“Gia đình học tập”``: the title a kind of subject is recognised with, in quotation marks."""
    return f"“{SubjectKind(kind).label}”"


def kind_count(kind: str, count: int) -> str:
    """``12 gia đình``: a number of subjects of one kind."""
    text = {
        SubjectKind.FAMILY: ngettext("%(count)s family", "%(count)s families", count),
        SubjectKind.CLAN: ngettext("%(count)s clan", "%(count)s clans", count),
        SubjectKind.COMMUNITY: ngettext("%(count)s community", "%(count)s communities", count),
        SubjectKind.UNIT: ngettext("%(count)s unit", "%(count)s units", count),
        SubjectKind.CITIZEN: ngettext("%(count)s citizen", "%(count)s citizens", count),
    }[SubjectKind(kind)]
    return text % {"count": integer_text(count)}


def kind_noun(kind: str) -> str:
    """``gia đình``: the subjects of a kind, as "the … named in Article 1" says them."""
    return {
        SubjectKind.FAMILY: pgettext("decision", "families"),
        SubjectKind.CLAN: pgettext("decision", "clans"),
        SubjectKind.COMMUNITY: pgettext("decision", "communities"),
        SubjectKind.UNIT: pgettext("decision", "units"),
        SubjectKind.CITIZEN: pgettext("decision", "citizens"),
    }[SubjectKind(kind)]


def joined(items: list[str]) -> str:
    """``A, B và C``."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def grade_text(evaluation: Evaluation) -> str:
    """The grade or level as the evaluation holds it ("Tốt", "Mức 1")."""
    if evaluation.grade:
        return evaluation.grade
    if evaluation.level:
        return _("Level %(level)s") % {"level": evaluation.level}
    return ""


def document_basis(document_number: str, document_date: datetime.date | None, issuer: str, kinds: list[str]) -> str:
    """``Căn cứ Quyết định số 448/QĐ-KHVN ngày … của Hội Khuyến học Việt Nam ban hành bộ tiêu chí …;``: the
    criteria sets' issuing document, its kind read from its symbol (QĐ, TT, NĐ)."""
    symbol = document_number.upper()
    if "/TT-" in symbol:
        what = _("Circular")
    elif "/NĐ-" in symbol:
        what = _("Decree")
    elif "/QĐ-" in symbol:
        what = _("Decision")
    else:
        what = _("Document")
    parts = [_("Pursuant to %(document)s No. %(number)s") % {"document": what, "number": document_number}]
    if document_date:
        parts.append(long_date(document_date))
    if issuer:
        parts.append(_("of the %(issuer)s") % {"issuer": issuer})
    parts.append(_("issuing the criteria for evaluating and recognising %(titles)s;") % {"titles": joined(kinds)})
    return " ".join(parts)


def build_text(
    *,
    area: AdministrativeUnit,
    number: str | None,
    date: datetime.date | None,
    signatory: str,
    evaluations: list[Evaluation],
    partial: bool,
) -> DecisionText:
    """The decision's text; ``number`` and ``date`` ``None`` for a draft."""
    is_draft = number is None
    unit = unit_words(area)
    issuer = committee_lines(area)
    unit_caps = issuer[-1]
    committee = _("People's Committee of %(unit)s") % {"unit": unit}
    association = association_name(area)

    kinds = [kind for kind in SubjectKind.values if any(e.kind == kind for e in evaluations)]
    years = sorted({e.year for e in evaluations}) or [(date or calendar.today()).year]
    years_text = ", ".join(str(year) for year in years)
    titles = joined([kind_title(kind) for kind in kinds])
    counts = {kind: sum(1 for e in evaluations if e.kind == kind) for kind in kinds}
    nouns = ", ".join(kind_noun(kind) for kind in kinds) or pgettext("decision", "learning models")

    if kinds:
        summary = _("On the recognition of the title %(titles)s in %(years)s") % {
            "titles": titles,
            "years": years_text,
        }
        awarded = [
            _("%(subjects)s with the title %(title)s")
            % {"subjects": kind_count(kind, counts[kind]), "title": kind_title(kind)}
            for kind in kinds
        ]
        article_1 = _("To recognise %(awarded)s in %(years)s (list attached).") % {
            "awarded": "; ".join(awarded),
            "years": years_text,
        }
        list_title = _("List of %(subjects)s awarded the title %(titles)s in %(years)s") % {
            "subjects": nouns,
            "titles": titles,
            "years": years_text,
        }
    else:
        summary = _("On the recognition of learning models in %(years)s") % {"years": years_text}
        article_1 = _("To recognise the learning models in %(years)s (list attached).") % {"years": years_text}
        list_title = _("List of learning models recognised in %(years)s") % {"years": years_text}

    bases = [
        _("Pursuant to the Law on Organisation of Local Government dated 16 June 2025;"),
        _(
            "Pursuant to Decision No. 387/QĐ-TTg dated 25 March 2022 of the Prime Minister approving the Scheme "
            "“Promoting the building of learning models in families, clans, communities and units for the period "
            "2021 - 2030”;"
        ),
    ]
    documents: dict[str, dict] = {}
    for evaluation in evaluations:
        criteria_set = evaluation.criteria_set
        if criteria_set.document_number:
            entry = documents.setdefault(
                criteria_set.document_number,
                {"date": criteria_set.document_date, "issuer": criteria_set.issuer, "kinds": []},
            )
            if criteria_set.kind not in entry["kinds"]:
                entry["kinds"].append(criteria_set.kind)
    for document_number, entry in documents.items():
        titles_of_set = [kind_title(kind) for kind in SubjectKind.values if kind in entry["kinds"]]
        bases.append(document_basis(document_number, entry["date"], entry["issuer"], titles_of_set))
    bases.append(_("At the proposal of the %(association)s.") % {"association": association})

    articles = [
        (_("Article 1."), article_1),
        (
            _("Article 2."),
            _(
                "The %(association)s is responsible for guiding and following the recognised %(subjects)s in "
                "keeping up and building on the title, and for reporting the results as required. This Decision "
                "takes effect from the date of signing."
            )
            % {"association": association, "subjects": nouns},
        ),
        (
            _("Article 3."),
            _(
                "The Chief of the Office of the People's Council and the People's Committee of %(unit)s, the "
                "Chairperson of the %(association)s, the heads of the villages and residential groups concerned "
                "and the %(subjects)s named in Article 1 are responsible for implementing this Decision."
            )
            % {"unit": unit, "association": association, "subjects": nouns},
        ),
    ]

    province = area.province if area.level != UnitLevel.PROVINCE else None
    recipients = [
        _("As in Article 3;"),
        _("%(association)s (for reporting);") % {"association": association_name(province)},
        _("Archived: Clerical Office."),
    ]

    if is_draft:
        number_text = BLANK_NUMBER
        place_date = blank_place_and_date(area)
        date_text = _("day … month … year %(year)s") % {"year": calendar.today().year}
    else:
        number_text = number
        place_date = place_and_date(area, date)
        date_text = long_date(date)

    groups: list[ListGroup] = []
    for index, evaluation in enumerate(evaluations, start=1):
        village = evaluation.area
        if not groups or groups[-1].path != village.path:
            heading = village.name if path_within(village.path, [area.path]) else village.label_with_parent
            groups.append(ListGroup(numeral=roman(len(groups) + 1), heading=heading, path=village.path))
        groups[-1].rows.append(
            ListRow(
                number=index,
                name=evaluation.subject.name,
                village=village.name,
                kind=SubjectKind(evaluation.kind).label,
                grade=grade_text(evaluation),
            )
        )

    return DecisionText(
        issuer=issuer,
        number=_("No.: %(number)s") % {"number": number_text},
        place_date=place_date,
        kind=_("DECISION"),
        summary=summary,
        authority=_("CHAIRPERSON OF THE PEOPLE'S COMMITTEE OF %(unit)s") % {"unit": unit_caps},
        bases=bases,
        decides=_("DECIDES:"),
        articles=articles,
        recipients=recipients,
        signature=committee_signature(),
        signatory=signatory,
        list_title=list_title.upper(),
        list_reference=_("(Attached to Decision No. %(number)s %(date)s of the %(committee)s)")
        % {"number": number_text, "date": date_text, "committee": committee},
        columns=[
            _("No."),
            pgettext("decision list", "Name"),
            _("Village or residential group"),
            _("Learning model"),
            _("Grade or level"),
        ],
        groups=groups,
        count=len(evaluations),
        total=_("Total: %(count)s") % {"count": integer_text(len(evaluations))},
        note=_("Extract: only the subjects in the area of the person who made this document are listed.")
        if partial
        else "",
        title=f"{_('DECISION').capitalize()} {number_text} – {summary}",
        is_draft=is_draft,
    )


def roman(number: int) -> str:
    """``XIV``: the numerals of the list's village headings."""
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    numerals += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


# --- PDF ------------------------------------------------------------------------------------------------

#: Widths (mm) of the attached list's columns: STT, name, village, kind, grade (the text width is 165 mm).
LIST_WIDTHS = (15, 58, 34, 35, 23)  # mm: "STT" and "Xếp loại" fit at 13 pt in Times New Roman


def decision_pdf(text: DecisionText) -> bytes:
    from fpdf.fonts import FontFace

    from .pdf import FAMILY, DocumentPDF

    class DecisionPDF(DocumentPDF):
        def header(self):
            """Decree 30's page numbers: centred in the top margin, from the second page on."""
            if self.page_no() > 1:
                self.set_y(10)
                self.set_font(FAMILY, size=13)
                self.cell(0, 5, str(self.page_no()), align="C")
                self.set_y(self.t_margin)

    pdf = DecisionPDF(title=text.title)
    pdf.add_page()
    if text.is_draft:  # a decision still to be taken: marked so that nobody files it as signed
        pdf.set_xy(pdf.w - pdf.r_margin - 28, 8)
        pdf.set_font(FAMILY, style="B", size=12)
        pdf.cell(28, 7, _("DRAFT"), border=1, align="C")
        pdf.set_xy(pdf.l_margin, pdf.t_margin)
    pdf.official_header(issuer=["\n".join(text.issuer)], number=text.number, place_date=text.place_date)

    pdf.ln(2)
    pdf.text_line(text.kind, size=14, style="B", align="C", height=7)
    pdf.text_line(text.summary, size=14, style="B", align="C", height=7)
    pdf.underline_below(pdf.l_margin + pdf.content_width / 2, 40, gap=1)
    pdf.ln(6)
    pdf.text_line(text.authority, size=13.5, style="B", align="C", height=7)
    pdf.ln(3)

    def paragraph(label: str, body: str, *, style: str = "", indent: float = 10):
        with (
            pdf.text_columns(text_align="J", line_height=1.25) as columns,
            columns.paragraph(first_line_indent=indent, bottom_margin=2) as par,
        ):
            if label:
                pdf.set_font(FAMILY, style="B", size=13.5)
                par.write(label + " ")
            pdf.set_font(FAMILY, style=style, size=13.5)
            par.write(body)

    for basis in text.bases:
        paragraph("", basis, style="I")
    pdf.ln(2)
    pdf.text_line(text.decides, size=14, style="B", align="C", height=7)
    pdf.ln(2)
    for label, body in text.articles:
        paragraph(label, body)
    pdf.ln(2)
    pdf.signature_block(authority=text.signature, name=text.signatory or " ", recipients=text.recipients)

    # The attached list, on its own page.
    pdf.add_page()
    pdf.text_line(text.list_title, size=13.5, style="B", align="C", height=6.5)
    pdf.text_line(text.list_reference, size=13, style="I", align="C", height=6)
    pdf.ln(5)
    pdf.set_font(FAMILY, size=11.5)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=LIST_WIDTHS,
        width=sum(LIST_WIDTHS),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        repeat_headings=1,
        line_height=5.5,
        padding=(1, 1.5),
        text_align=("CENTER", "LEFT", "LEFT", "LEFT", "CENTER"),
        v_align="MIDDLE",
    ) as table:
        heading = table.row()
        for column in text.columns:
            heading.cell(column, align="CENTER")
        for group in text.groups:
            row = table.row()
            row.cell(group.numeral, style=bold, align="CENTER")
            row.cell(group.heading, style=bold, colspan=4, align="LEFT")
            for entry in group.rows:
                row = table.row()
                for value in (str(entry.number), entry.name, entry.village, entry.kind, entry.grade):
                    row.cell(value)
        row = table.row()
        row.cell(text.total, style=bold, colspan=5, align="LEFT")
    if text.note:
        pdf.ln(2)
        pdf.text_line(text.note, size=11, style="I")
    return pdf.output_bytes()


# --- .docx ----------------------------------------------------------------------------------------------


def decision_docx(text: DecisionText) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    # Decree 30's page numbers: centred in the top margin, not on the first page.
    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field_element = number._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): "PAGE"})
    number._p.append(field_element)

    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), "Times New Roman")
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    document.core_properties.title = text.title
    document.core_properties.language = "vi-VN"

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY

    def add(container, words: str = "", *, bold=False, italic=False, size=14, align=None, after=0, indent=None):
        paragraph = container.add_paragraph()
        if words:
            run = paragraph.add_run(words)
            run.bold, run.italic, run.font.size = bold, italic, Pt(size)
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(after)
        if indent is not None:
            paragraph.paragraph_format.first_line_indent = indent
        return paragraph

    def rule(container, width_mm: float, cell_mm: float):
        """A short centred rule (the line under the issuing body and the motto): an empty paragraph's bottom
        border, its indents making it ``width_mm`` long."""
        paragraph = container.add_paragraph()
        side = Mm(max(0.0, (cell_mm - width_mm) / 2))
        paragraph.paragraph_format.left_indent = side
        paragraph.paragraph_format.right_indent = side
        paragraph.paragraph_format.space_after = Pt(6)
        run = paragraph.add_run()
        run.font.size = Pt(2)
        borders = paragraph._p.get_or_add_pPr()
        element = borders.makeelement(qn("w:pBdr"), {})
        bottom = element.makeelement(
            qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1", qn("w:color"): "000000"}
        )
        element.append(bottom)
        borders.append(element)

    def columns(table, widths_mm):
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        # The grid's widths too: LibreOffice (and Word when reflowing) lays a table out by them, not by cells.
        for column, width in zip(table.columns, widths_mm, strict=False):
            column.width = Mm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=False):
                cell.width = Mm(width)

    def first_paragraph(cell):
        """A new cell holds one empty paragraph: use it for the first line."""
        return cell.paragraphs[0]

    if text.is_draft:  # a decision still to be taken: marked so that nobody files it as signed
        add(document, _("DRAFT"), bold=True, size=13, align=WD_ALIGN_PARAGRAPH.RIGHT, after=4)
    # The header: issuing body and number on the left, the national name, motto and date on the right.
    left_mm, right_mm = 65, 100
    header = document.add_table(rows=1, cols=2)
    columns(header, (left_mm, right_mm))
    left, right = header.rows[0].cells
    for index, line in enumerate(text.issuer):
        paragraph = first_paragraph(left) if index == 0 else left.add_paragraph()
        run = paragraph.add_run(line)
        run.bold, run.font.size = True, Pt(13)
        paragraph.alignment = center
    rule(left, 25, left_mm)
    add(left, text.number, size=13, align=center)

    from .formats import motto, national_name

    paragraph = first_paragraph(right)
    run = paragraph.add_run(national_name())
    run.bold, run.font.size = True, Pt(13)
    paragraph.alignment = center
    add(right, motto(), bold=True, size=14, align=center)
    rule(right, 58, right_mm)
    add(right, text.place_date, italic=True, size=14, align=center)

    add(document, after=6)
    add(document, text.kind, bold=True, size=14, align=center)
    add(document, text.summary, bold=True, size=14, align=center)
    rule(document, 40, 165)
    add(document, text.authority, bold=True, size=14, align=center, after=12)
    for basis in text.bases:
        add(document, basis, italic=True, size=14, align=justify, after=6, indent=Mm(10))
    add(document, text.decides, bold=True, size=14, align=center, after=6)
    for label, body in text.articles:
        paragraph = add(document, size=14, align=justify, after=6, indent=Mm(10))
        run = paragraph.add_run(label + " ")
        run.bold, run.font.size = True, Pt(14)
        paragraph.add_run(body).font.size = Pt(14)

    # Recipients on the left, the signature on the right.
    add(document, after=6)
    signing = document.add_table(rows=1, cols=2)
    columns(signing, (80, 85))
    left, right = signing.rows[0].cells
    paragraph = first_paragraph(left)
    run = paragraph.add_run(_("Recipients:"))
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for line in text.recipients:
        add(left, f"- {line}", size=11)
    for index, line in enumerate(text.signature):
        paragraph = first_paragraph(right) if index == 0 else right.add_paragraph()
        run = paragraph.add_run(line)
        run.bold, run.font.size = True, Pt(14)
        paragraph.alignment = center
    for _blank in range(4):
        add(right, size=14)
    add(right, text.signatory, bold=True, size=14, align=center)

    # The attached list, on a page of its own.
    # The title starts the page (a break of its own would leave a blank page when the signature fills one).
    add(document, text.list_title, bold=True, size=14, align=center).paragraph_format.page_break_before = True
    add(document, text.list_reference, italic=True, size=14, align=center, after=12)

    table = document.add_table(rows=1, cols=len(text.columns))
    table.style = document.styles["Table Grid"]
    heading = table.rows[0]
    heading_properties = heading._tr.get_or_add_trPr()
    heading_properties.append(heading_properties.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, words in zip(heading.cells, text.columns, strict=True):
        paragraph = first_paragraph(cell)
        run = paragraph.add_run(words)
        run.bold, run.font.size = True, Pt(13)
        paragraph.alignment = center

    def cell_text(cell, words: str, *, bold=False, align=None):
        paragraph = first_paragraph(cell)
        run = paragraph.add_run(words)
        run.bold, run.font.size = bold, Pt(13)
        paragraph.alignment = align

    for group in text.groups:
        cells = table.add_row().cells
        cell_text(cells[0], group.numeral, bold=True, align=center)
        merged = cells[1].merge(cells[-1])
        cell_text(merged, group.heading, bold=True)
        for entry in group.rows:
            cells = table.add_row().cells
            cell_text(cells[0], str(entry.number), align=center)
            cell_text(cells[1], entry.name)
            cell_text(cells[2], entry.village)
            cell_text(cells[3], entry.kind)
            cell_text(cells[4], entry.grade, align=center)
    cells = table.add_row().cells
    merged = cells[0].merge(cells[-1])
    cell_text(merged, text.total, bold=True)
    columns(table, LIST_WIDTHS)
    if text.note:
        add(document, text.note, italic=True, size=12)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


RENDERERS = {"pdf": decision_pdf, "docx": decision_docx}
