"""What waits on the signed-in user ("Việc cần làm"): evaluations returned to them with the reviewer's reason,
evaluations awaiting their review or a recognition decision, drafts ready to submit, annual reports due and
criteria sets in use whose text is not confirmed. Each item counts rows of the user's own area (the
``for_user`` querysets), up to a bound, and links to the listing that shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations.calendar import current_evaluation_year, today
from evaluations.models import EVALUATION_LIST_ORDER, CriteriaSet, Evaluation, EvaluationResult, EvaluationStatus
from evaluations.models.criteria import SourceStatus
from evaluations.models.evaluations import returned_q
from evaluations.models.units import in_subtrees
from evaluations.notices import nearer_holder_paths

from .selectors import default_report_area, report_completeness
from .services import report_due_date

#: Counted exactly up to this many; above it the item says "more than".
COUNT_BOUND = 999
SUBMIT, REVIEW, RECOGNISE = (
    "evaluations.submit_evaluation",
    "evaluations.review_evaluation",
    "evaluations.recognise_evaluation",
)
#: Returned evaluations listed by name with their reason.
RETURNED_SHOWN = 5


@dataclass
class TodoItem:
    label: str
    count: int
    url: str
    #: "warning" for what is late or sent back; "info" for the routine queue.
    tone: str = "info"
    note: str = ""
    #: (name, reason, url) of the first returned evaluations.
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > COUNT_BOUND


def bounded_count(queryset) -> int:
    """Rows of ``queryset``, counted over a LIMIT: at most ``COUNT_BOUND + 1``."""
    return queryset.order_by()[: COUNT_BOUND + 1].count()


def evaluations_url(**params) -> str:
    from evaluations.admin.evaluations import evaluation_viewset

    return reverse(evaluation_viewset.get_url_name("list")) + "?" + urlencode(params)


def todo_items(user) -> list[TodoItem]:
    """The user's waiting work, most urgent first; empty for a user with nothing to do here."""
    if not user.is_active:
        return []
    return [*evaluation_queue_items(user), *_reports_due(user), *_criteria_sets_to_confirm(user)]


def evaluation_queue_items(user) -> list[TodoItem]:
    """The evaluations waiting on ``user``: returned to them, drafts to finish or submit, awaiting their
    review or a decision (what no nearer officer holds the permission for)."""
    from evaluations.admin.evaluations import evaluation_viewset

    items: list[TodoItem] = []
    in_area = Evaluation.objects.for_user(user)

    nearer_by_permission = nearer_holder_paths(user, [SUBMIT, REVIEW, RECOGNISE])

    def waiting(permission: str):
        # What no officer nearer the work holds the permission for (a commune's own reviewers, say).
        nearer = nearer_by_permission[permission]
        if nearer:
            notes[permission] = _("Not counting the units whose own officers do this; the list shows them all.")
        return in_area.exclude(in_subtrees(nearer))

    notes: dict[str, str] = {}

    if user.has_perm("evaluations.change_evaluation") and user.has_perm(SUBMIT):
        evaluations = waiting(SUBMIT)
        returned = evaluations.filter(returned_q())
        count = bounded_count(returned)
        if count:
            # In the order of the list the item links to (its index walks drafts by year and name): the
            # same first rows, found without sorting every returned draft of a province.
            latest = returned.select_related("subject").order_by(*EVALUATION_LIST_ORDER)[:RETURNED_SHOWN]
            inspect = evaluation_viewset.get_url_name("inspect")
            rows = [(str(e), e.status_reason, reverse(inspect, args=[e.pk])) for e in latest]
            items.append(
                TodoItem(
                    _("Returned for correction"),
                    count,
                    evaluations_url(returned="true"),
                    tone="warning",
                    rows=rows,
                    note=notes.get(SUBMIT, ""),
                )
            )
        ready = evaluations.filter(status=EvaluationStatus.DRAFT).exclude(result=EvaluationResult.INCOMPLETE)
        count = bounded_count(ready.exclude(returned_q()))
        if count:
            items.append(
                TodoItem(
                    _("Fully scored drafts to submit for review"),
                    count,
                    evaluations_url(status=EvaluationStatus.DRAFT, returned="false"),
                    note=" ".join(
                        [_("Select them in the list and use “Submit for review”."), notes.get(SUBMIT, "")]
                    ).strip(),
                )
            )
        unfinished = bounded_count(
            evaluations.filter(status=EvaluationStatus.DRAFT, result=EvaluationResult.INCOMPLETE).exclude(returned_q())
        )
        if unfinished:
            items.append(
                TodoItem(
                    _("Drafts not fully scored"),
                    unfinished,
                    evaluations_url(status=EvaluationStatus.DRAFT, result=EvaluationResult.INCOMPLETE),
                    note=notes.get(SUBMIT, ""),
                )
            )
    if user.has_perm(REVIEW):
        count = bounded_count(waiting(REVIEW).filter(status=EvaluationStatus.SUBMITTED))
        if count:
            items.append(
                TodoItem(
                    _("Awaiting your review"),
                    count,
                    evaluations_url(status=EvaluationStatus.SUBMITTED),
                    note=notes.get(REVIEW, ""),
                )
            )
    if user.has_perm(RECOGNISE):
        reviewed = waiting(RECOGNISE)
        count = bounded_count(reviewed.filter(status=EvaluationStatus.REVIEWED, result=EvaluationResult.MEETS))
        if count:
            items.append(
                TodoItem(
                    _("Reviewed, awaiting a recognition decision"),
                    count,
                    evaluations_url(status=EvaluationStatus.REVIEWED, result=EvaluationResult.MEETS),
                    note=notes.get(RECOGNISE, ""),
                )
            )
    return items


def _criteria_sets_to_confirm(user) -> list[TodoItem]:
    items = []
    if user.has_perm("evaluations.change_criteriaset"):
        # In use: one probe of the evaluations' criteria-set index per set, never a scan of the evaluations.
        in_use = Exists(Evaluation.objects.filter(criteria_set=OuterRef("pk")))
        count = CriteriaSet.objects.exclude(source_status=SourceStatus.CONFIRMED).filter(in_use).count()
        if count:
            from evaluations.admin.criteria_sets import criteria_set_viewset

            items.append(
                TodoItem(
                    _("Criteria sets in use whose text is not confirmed"),
                    count,
                    reverse(criteria_set_viewset.get_url_name("list"))
                    + "?"
                    + urlencode({"source_status": SourceStatus.PARTIAL, "in_use": "true"}),
                    tone="warning",
                    note=_("Complete each from the official document and confirm it."),
                )
            )
    return items


def _reports_due(user) -> list[TodoItem]:
    """The annual report of the year being worked on: the user's own unit's when it is missing, and for a
    unit above communes how many of its units have not reported."""
    from .views.admin import can_submit_reports

    if not can_submit_reports(user):
        return []
    area = default_report_area(user)
    if area is None:
        return []
    year = current_evaluation_year()
    due = report_due_date(year)
    rows = report_completeness(root=area, year=year)
    missing = [row for row in rows if row.state == "missing"]
    late = today() > due
    params = urlencode({"area": area.pk, "year": year})
    tone = "warning" if late else "info"
    note = (_("Due %(due)s: overdue.") if late else _("Due %(due)s.")) % {"due": due.strftime("%d/%m/%Y")}
    items = []
    if any(row.unit.pk == area.pk for row in missing):
        items.append(
            TodoItem(
                _("The %(year)s report of %(area)s is not submitted") % {"year": year, "area": area},
                1,
                reverse("reports:report") + "?" + params,
                tone=tone,
                note=note,
            )
        )
    others = [row for row in missing if row.unit.pk != area.pk]
    if others:
        items.append(
            TodoItem(
                _("Units that have not submitted their %(year)s report") % {"year": year},
                len(others),
                reverse("reports:completeness") + "?" + params,
                tone=tone,
                note=note,
            )
        )
    return items
