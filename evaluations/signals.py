"""Signals the evaluation services send for writes that bypass ``save()`` (bulk updates)."""

from django.dispatch import Signal

#: Sent after many evaluations changed status in one bulk write; ``evaluation_ids``, ``subject_ids``.
evaluations_bulk_changed = Signal()
