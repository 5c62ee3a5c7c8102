"""What every write shares: the refusal a workflow rule raises, and who is recorded as the author."""

from __future__ import annotations


class WorkflowError(Exception):
    """An action that the evaluation's status (or its result) does not allow; the message says why."""


def actor(user):
    """``user`` when signed in (recorded as the author), else None (an import or a command)."""
    return user if getattr(user, "is_authenticated", False) else None
