"""``/health/`` for monitoring: JSON, no login, nothing private (ages and counts only)."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import worker_state

logger = logging.getLogger(__name__)


def _age(moment, now) -> float | None:
    return None if moment is None else round((now - moment).total_seconds(), 1)


@never_cache
@require_safe
def health(request):
    """200 when the service works; 503 when the database cannot be reached, or when tasks wait and no
    worker is alive to take them. HEAD answers the same status without the body."""
    now = timezone.now()
    try:
        connection.ensure_connection()
        state = worker_state(now)
    except DatabaseError as exc:
        logger.error("health: database unreachable: %s", exc)
        return JsonResponse({"status": "error", "database": False}, status=503)
    if not state.required:
        worker = "not_required"
    else:
        worker = "alive" if state.alive else ("absent" if state.last_beat is None else "stale")
    body = {
        "status": "error" if state.stalled else ("ok" if worker in ("alive", "not_required") else "degraded"),
        "database": True,
        "worker": worker,
        "worker_heartbeat_age_seconds": _age(state.last_beat, now),
        "queued_tasks": state.waiting,
        "oldest_queued_age_seconds": _age(state.oldest_waiting, now),
    }
    return JsonResponse(body, status=503 if state.stalled else 200)
