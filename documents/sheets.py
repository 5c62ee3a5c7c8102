"""The evaluation sheet (phiếu đánh giá): one evaluation on A4 as the officer scored it, for the officer and the
reviewer to sign. A batch is one PDF, each evaluation starting on a new page and numbered on its own.

What a sheet says is what the score screen says, read by the same rules: the subject's display name
(``Subject.name``), the commune of the evaluated unit (``AdministrativeUnit.commune``, read for a batch at once
by ``communes_by_path``), the result recomputed from the stored scores (``services.evaluation_result``), points
written by ``points_text`` ("96,5"), and "Đạt"/"Không đạt" for the indicators of a pass/fail set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from evaluations import scoring, services
from evaluations.calendar import day_label
from evaluations.models import AdministrativeUnit, Evaluation, EvaluationResult, Evidence, UnitLevel
from evaluations.models.units import communes_by_path, provinces_by_path
from evaluations.points import points_text

from .formats import association_name, blank_place_and_date, document_language
from .pdf import FAMILY, DocumentPDF

#: The most evaluations one download prints: a batch is made inside the request (about 30 ms a sheet).
SHEET_LIMIT = 300

#: Grey of the table's headings and of its criterion rows.
HEADING_FILL = (225, 225, 225)
CRITERION_FILL = (242, 242, 242)
TABLE_SIZE = 10.5
#: The note and evidence column's smaller type: file names are long and do not break at spaces.
NOTE_SIZE = 9
#: The issuing associations' column of the header: "HỘI KHUYẾN HỌC TỈNH KHÁNH HÒA" on one line, and the
#: national emblem line still on one line beside it.
HEADER_LEFT_WIDTH = 82
#: The criteria table's columns (mm of the 165 between the margins), by (pass/fail, self-assessed): code,
#: criterion or indicator, maximum or level, [self-assessed,] score or result, note and evidence. A result
#: column holds "Không đạt" on one line; a points column "Điểm tối đa" on two.
COLUMN_WIDTHS = {
    (False, False): (12, 67, 17, 17, 52),
    (False, True): (12, 60, 16, 16, 16, 45),
    (True, False): (12, 60, 17, 21, 55),
    (True, True): (12, 52, 16, 21, 21, 43),
}
#: The result block and the signatures are kept together on a page (about this high).
CLOSING_HEIGHT = 62


def sheet_queryset(evaluations: QuerySet) -> QuerySet:
    """``evaluations`` with everything a sheet reads, in a fixed number of queries whatever their number."""
    return evaluations.select_related("subject", "area", "criteria_set", "decision").prefetch_related(
        "scores",
        "criteria_set__criteria__indicators",
        "criteria_set__grade_bands",
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
    )


@dataclass
class Place:
    """Where the evaluated subject is: its village (when evaluated in one), its commune and province."""

    village: AdministrativeUnit | None
    commune: AdministrativeUnit | None
    province: AdministrativeUnit | None


def places_of(evaluations: list[Evaluation]) -> dict[int, Place]:
    """Each evaluation's place, read for the whole batch at once."""
    paths = {evaluation.area.path for evaluation in evaluations}
    communes = communes_by_path(paths)
    provinces = provinces_by_path(paths)
    return {
        evaluation.pk: Place(
            village=evaluation.area if evaluation.area.level == UnitLevel.VILLAGE else None,
            commune=communes.get(evaluation.area.path),
            province=provinces.get(evaluation.area.path),
        )
        for evaluation in evaluations
    }


@dataclass
class SheetLine:
    """One line of the criteria table: a criterion (bold, its subtotal) or one of its indicators."""

    code: str
    text: str
    maximum: str
    score: str
    note: str = ""
    evidence: list[str] = field(default_factory=list)
    self_score: str = ""
    is_criterion: bool = False


def indicator_score_text(indicator, score) -> str:
    """What the score screen shows as an indicator's score: points, "Đạt"/"Không đạt", or "–" for none."""
    if score is None:
        return "–"
    if indicator.max_points is not None:
        return points_text(score.points) if score.points is not None else "–"
    return met_text(score.met)


def met_text(met: bool | None) -> str:
    if met is None:
        return "–"
    return _("Met") if met else _("Not met")


def sheet_lines(evaluation: Evaluation, result: scoring.ScoringResult) -> list[SheetLine]:
    """The criteria table of ``evaluation``: each criterion then its indicators, in the set's order."""
    criteria_set = evaluation.criteria_set
    pass_fail = criteria_set.scoring_mode == scoring.PASS_FAIL_LEVELS
    scores = {score.indicator_id: score for score in evaluation.scores.all()}
    evidence: dict[int, list[str]] = {}
    for item in evaluation.evidence.all():
        if item.indicator_id is not None:
            evidence.setdefault(item.indicator_id, []).append(item.original_name)
    subtotals = {criterion.number: criterion for criterion in result.criteria}
    lines = []
    for criterion in criteria_set.criteria.all():
        indicators = list(criterion.indicators.all())
        computed = subtotals.get(criterion.number)
        title = _("Criterion %(number)s. %(title)s") % {"number": criterion.number, "title": criterion.title}
        if criterion.min_points is not None:
            title += f" ({_('at least')} {points_text(criterion.min_points)})"
        if pass_fail or computed is None or not computed.maximum:
            met = computed.met_count if computed is not None else 0
            maximum, subtotal = "", f"{met}/{len(indicators)}"
        else:
            maximum, subtotal = points_text(computed.maximum), points_text(computed.subtotal)
        lines.append(SheetLine(criterion.number, title, maximum, subtotal, is_criterion=True))
        for indicator in indicators:
            score = scores.get(indicator.pk)
            if indicator.max_points is not None:
                maximum = points_text(indicator.max_points)
            elif pass_fail:
                maximum = _("Level %(level)s") % {"level": indicator.level or 1}
            else:
                maximum = _("met / not met")
            self_score = ""
            if criteria_set.has_self_assessment and score is not None:
                if indicator.max_points is not None:
                    self_score = points_text(score.self_points) if score.self_points is not None else "–"
                else:
                    self_score = met_text(score.self_met)
            lines.append(
                SheetLine(
                    code=indicator.code,
                    text=indicator.text,
                    maximum=maximum,
                    score=indicator_score_text(indicator, score),
                    note=score.note if score is not None else "",
                    evidence=evidence.get(indicator.pk, []),
                    self_score=self_score or ("–" if criteria_set.has_self_assessment else ""),
                )
            )
    return lines


class SheetPDF(DocumentPDF):
    """Evaluation sheets, one after another; each numbers its own pages ("Trang 1/2") when it has several."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.page_numbers = False

    # --- one sheet -----------------------------------------------------------------------------------

    def sheet(self, evaluation: Evaluation, place: Place):
        with document_language():
            self._sheet(evaluation, place)

    def _sheet(self, evaluation: Evaluation, place: Place):
        self.add_page()
        first_page = self.page
        result = services.evaluation_result(evaluation)
        criteria_set = evaluation.criteria_set
        pass_fail = criteria_set.scoring_mode == scoring.PASS_FAIL_LEVELS

        issuer = [association_name(place.commune or place.province).upper()]
        if place.commune is not None and place.province is not None:
            issuer.insert(0, association_name(place.province).upper())
        self.official_header(
            issuer=issuer,
            number=None,
            place_date=blank_place_and_date(place.commune or place.province),
            left_width=HEADER_LEFT_WIDTH,
        )
        title = _("Evaluation and recognition sheet: %(kind)s, year %(year)s") % {
            "kind": evaluation.get_kind_display().lower(),
            "year": evaluation.year,
        }
        self.text_line(title.upper(), size=14, style="B", align="C", height=7)
        self.ln(3)

        self.labelled(_("Subject"), evaluation.subject.name, bold=True)
        self.labelled(_("Kind"), evaluation.get_kind_display())
        if place.village is not None:
            self.labelled(_("Village"), str(place.village))
        if place.commune is not None:
            self.labelled(_("Commune"), str(place.commune))
        self.labelled(_("Year"), str(evaluation.year))
        set_text = _("%(name)s, version %(version)s") % {"name": criteria_set.name, "version": criteria_set.version}
        if criteria_set.document_number and criteria_set.document_number not in criteria_set.name:
            set_text += f" ({criteria_set.document_number})"
        self.labelled(_("Criteria set"), set_text)
        self.ln(2)

        self.criteria_table(evaluation, result, pass_fail)
        self.ln(2)
        general = [item.original_name for item in evaluation.evidence.all() if item.indicator_id is None]
        if general:
            self.labelled(_("Evidence of the whole evaluation"), "; ".join(general))
        if evaluation.note:
            self.labelled(_("Note"), evaluation.note)
        if general or evaluation.note:
            self.ln(2)
        self.result_block(evaluation, result, pass_fail)
        self.signatures()
        self.number_pages(first_page, evaluation)

    def labelled(self, label: str, value: str, *, bold: bool = False, size: float = 12):
        """``Label: value`` across the text width, the value wrapped under itself."""
        self.set_font(FAMILY, size=size)
        text = f"{label}: "
        label_width = self.get_string_width(text) + 0.5
        if self.will_page_break(size * 0.5):
            self.add_page()
        self.set_x(self.l_margin)
        self.cell(label_width, size * 0.5, text)
        self.set_font(FAMILY, style="B" if bold else "", size=size)
        self.multi_cell(
            self.content_width - label_width, size * 0.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )

    def criteria_table(self, evaluation: Evaluation, result: scoring.ScoringResult, pass_fail: bool):
        self_assessed = evaluation.criteria_set.has_self_assessment
        headings = [
            _("Code"),
            _("Criterion, indicator"),
            _("Level") if pass_fail else _("Maximum points"),
            *([_("Self-assessed")] if self_assessed else []),
            _("Result") if pass_fail else _("Score"),
            _("Note, evidence"),
        ]
        widths = COLUMN_WIDTHS[(pass_fail, self_assessed)]
        centred = ("CENTER", "LEFT", "CENTER", *(("CENTER",) if self_assessed else ()), "CENTER", "LEFT")
        self.set_font(FAMILY, size=TABLE_SIZE)
        with self.table(
            width=self.content_width,
            col_widths=widths,
            text_align=centred,
            v_align="TOP",
            line_height=TABLE_SIZE * 0.47,
            padding=(1, 1.2),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL, size_pt=TABLE_SIZE),
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for text in headings:
                heading.cell(text, align="CENTER", v_align="MIDDLE")
            for line in sheet_lines(evaluation, result):
                style = FontFace(emphasis="BOLD", fill_color=CRITERION_FILL) if line.is_criterion else None
                row = table.row(style=style)
                row.cell(line.code)
                row.cell(line.text)
                row.cell(line.maximum)
                if self_assessed:
                    row.cell("" if line.is_criterion else line.self_score)
                row.cell(line.score)
                row.cell(self.note_and_evidence(line), style=FontFace(size_pt=NOTE_SIZE))
            total = table.row(style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL))
            if pass_fail:
                total.cell(_("Indicators met"), colspan=4 if self_assessed else 3, align="RIGHT")
                total.cell(f"{points_text(result.total)}/{indicator_count(evaluation.criteria_set)}")
            else:
                total.cell(_("Total"), colspan=2, align="RIGHT")
                total.cell(points_text(evaluation.criteria_set.max_total))
                if self_assessed:
                    self_result = services.evaluation_self_result(evaluation)
                    total.cell(points_text(self_result.total) if self_result.total is not None else "–")
                total.cell(points_text(result.total) if result.total is not None else "–")
            total.cell("")

    @staticmethod
    def note_and_evidence(line: SheetLine) -> str:
        parts = [line.note] if line.note else []
        if line.evidence:
            parts.append(_("Evidence") + ":")
            parts += [f"- {name}" for name in line.evidence]
        return "\n".join(parts)

    def result_block(self, evaluation: Evaluation, result: scoring.ScoringResult, pass_fail: bool):
        """Total, grade or level and result, as the score screen shows them, and why when it is not met."""
        if self.will_page_break(CLOSING_HEIGHT):
            self.add_page()
        if pass_fail:
            count = indicator_count(evaluation.criteria_set)
            self.labelled(
                _("Indicators met"),
                _("%(met)s of %(count)s") % {"met": points_text(result.total), "count": count},
            )
        else:
            total = points_text(result.total) if result.total is not None else "–"
            maximum = points_text(evaluation.criteria_set.max_total)
            self.labelled(_("Total"), _("%(total)s of %(maximum)s points") % {"total": total, "maximum": maximum})
        self.labelled(_("Grade or level"), result.grade or "–")
        self.labelled(_("Result"), evaluation.get_result_display(), bold=True)
        if result.missing:
            self.labelled(_("Not scored yet"), ", ".join(result.missing))
        if evaluation.result == EvaluationResult.FAILS and result.reasons:
            self.labelled(_("Reason"), "; ".join(result.reasons))
        status = evaluation.get_status_display()
        if evaluation.decision is not None:
            status += " – " + _("Decision %(number)s of %(date)s, %(body)s") % {
                "number": evaluation.decision.number,
                "date": day_label(evaluation.decision.decision_date),
                "body": evaluation.decision.issuing_body,
            }
        self.labelled(_("Status"), status)

    def signatures(self):
        """The officer who evaluated and the reviewer, side by side, each with room to sign and write a name."""
        height = 38
        if self.will_page_break(height):
            self.add_page()
        top = self.get_y() + 4
        half = self.content_width / 2
        for index, title in enumerate((_("EVALUATOR"), _("REVIEWER"))):
            x = self.l_margin + index * half
            self.set_xy(x, top)
            self.set_font(FAMILY, style="B", size=13)
            self.cell(half, 6, title, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font(FAMILY, style="I", size=12)
            self.cell(half, 6, _("(Sign and write the full name)"), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(top + height - 6)

    def number_pages(self, first_page: int, evaluation: Evaluation):
        """ "Trang 1/2" and whose sheet it is at the foot of each page of a sheet of several pages."""
        last_page = self.page
        count = last_page - first_page + 1
        if count == 1:
            return
        auto_break, margin = self.auto_page_break, self.b_margin
        self.set_auto_page_break(False)
        for number, page in enumerate(range(first_page, last_page + 1), start=1):
            self.page = page
            self.set_font(FAMILY, style="I", size=9)
            self.current_font_is_set_on_page = False  # this page's text may have ended in another font
            self.set_xy(self.l_margin, self.h - 13)
            text = _("%(evaluation)s – page %(number)s/%(count)s") % {
                "evaluation": str(evaluation),
                "number": number,
                "count": count,
            }
            self.cell(self.content_width, 5, text, align="C")
        self.page = last_page
        self.set_auto_page_break(auto_break, margin)


def indicator_count(criteria_set) -> int:
    """How many indicators the set has (read from the prefetched criteria)."""
    return sum(len(criterion.indicators.all()) for criterion in criteria_set.criteria.all())


def sheets_pdf(evaluations: list[Evaluation]) -> bytes:
    """The sheets of ``evaluations`` (read through :func:`sheet_queryset`) as one PDF."""
    with document_language():
        if len(evaluations) == 1:
            title = _("Evaluation sheet: %(evaluation)s") % {"evaluation": evaluations[0]}
        else:
            title = _("Evaluation sheets")
        pdf = SheetPDF(title=title)
        places = places_of(evaluations)
        for evaluation in evaluations:
            pdf.sheet(evaluation, places[evaluation.pk])
        return pdf.output_bytes()
