"""Background work of search: reading the text of evidence files.

Written for any django-tasks backend: the immediate one (tests, small sites) or a database queue
with a ``db_worker``. The task takes only the evidence id and reloads everything it needs.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from django_tasks import task

from evaluations.models import Evidence

from .extract import ExtractionError, extract_text
from .indexing import index_evidence, index_subject_evidence, index_subjects
from .models import EvidenceText, ExtractionStatus

logger = logging.getLogger(__name__)


def evidence_text_extract(*, evidence_id: int) -> str:
    """Read the evidence file's text, store it with its status, and re-index the evidence.

    Returns the status. A file that cannot be read is marked ``failed`` with the reason; nothing raises.
    """
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        return "gone"
    status, error, text = ExtractionStatus.OK, "", ""
    try:
        with evidence.file.open("rb") as handle:
            data = handle.read()
        text = extract_text(data, evidence.original_name)
        if not text.strip():
            status = ExtractionStatus.EMPTY
    except ExtractionError as exc:
        status, error = ExtractionStatus.FAILED, str(exc)
    except OSError as exc:
        status, error = (
            ExtractionStatus.FAILED,
            _("The stored file could not be opened (%(error)s).") % {"error": type(exc).__name__},
        )
    except Exception as exc:
        logger.exception("evidence %s: text extraction failed", evidence_id)
        status, error = (
            ExtractionStatus.FAILED,
            _("Unexpected error while reading the file (%(error)s).") % {"error": type(exc).__name__},
        )
    EvidenceText.objects.update_or_create(
        evidence_id=evidence_id,
        defaults={"status": status, "error": error[:500], "text": text, "extracted_at": timezone.now()},
    )
    index_evidence([evidence_id])
    return status


@task()
def extract_evidence_text(evidence_id: int) -> str:
    return evidence_text_extract(evidence_id=evidence_id)


def id_runs(ids: list[int]) -> list[int | list[int]]:
    """Sorted ``ids`` written short for a task's arguments: a run of consecutive ids as ``[first, last]``
    (an import's new subjects are one run), a lone id as itself. The task queue checks and stores every
    element of its arguments: 100,000 ids cost it more than half a second, one run nothing."""
    runs: list[int | list[int]] = []
    for number in ids:
        last = runs[-1] if runs else None
        if isinstance(last, list) and last[1] == number - 1:
            last[1] = number
        elif isinstance(last, int) and last == number - 1:
            runs[-1] = [last, number]
        else:
            runs.append(number)
    return runs


def ids_of_runs(runs: list[int | list[int]]) -> list[int]:
    """The ids ``id_runs`` wrote (a plain list of ids, as tasks queued before it wrote them, reads as itself)."""
    ids: list[int] = []
    for run in runs:
        if isinstance(run, list):
            ids.extend(range(run[0], run[1] + 1))
        else:
            ids.append(run)
    return ids


@task(backend="background")
def index_subjects_task(subject_ids: list[int | list[int]], names_changed: bool = False) -> int:
    """Index a large bulk write's subjects (and, when their names changed, their evidence) after its commit;
    ``subject_ids`` as ``id_runs`` writes them."""
    subject_ids = ids_of_runs(subject_ids)
    index_subjects(subject_ids)
    if names_changed:
        index_subject_evidence(subject_ids)
    return len(subject_ids)
