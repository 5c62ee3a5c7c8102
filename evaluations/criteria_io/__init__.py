"""Criteria sets as files: export one set to JSON, import a file as a new set or a new version.

The province hands a revision to every commune as one file. Import never overwrites a stored
version (a version may already be frozen by evaluations): a file whose ``code`` and ``version`` are
already stored with the same content changes nothing ("unchanged"); with different content it is
stored as the next free version of that code ("created").

"Same content" means every field of the document except ``version`` and ``status``: the status is
the local life cycle of a set (an officer retiring an old version must not make the next seed or
re-import create a copy of it).

Every error in a file is collected before anything is written, so that one import reports all of
them, each saying where it is (criterion, indicator, grade band, field).
"""

from .document import CREATED, FORMAT, FORMAT_VERSION, UNCHANGED, CriteriaSetImportError, ImportOutcome
from .export import criteria_set_export_json, criteria_set_to_dict
from .store import criteria_set_import

__all__ = [
    "CREATED",
    "FORMAT",
    "FORMAT_VERSION",
    "UNCHANGED",
    "CriteriaSetImportError",
    "ImportOutcome",
    "criteria_set_export_json",
    "criteria_set_import",
    "criteria_set_to_dict",
]
