"""Signals the evaluation services send for writes that bypass ``save()`` (bulk updates)."""

from django.dispatch import Signal

#: Sent after many evaluations changed status (and nothing else the index reads) in one bulk write, a
#: decision; ``evaluation_ids``, ``subject_ids``.
evaluations_bulk_changed = Signal()

#: Sent after subjects were created or changed in a bulk write (imports, the reorganisation); ``subject_ids``,
#: and ``names_changed`` when their names may have changed (what else carries a subject's name follows).
subjects_bulk_changed = Signal()

#: Sent after a subtree of administrative units moved (its paths were rewritten); ``old_path``, ``new_path``:
#: the moved unit's path before and after. Whatever stores copies of unit paths follows it.
units_moved = Signal()
