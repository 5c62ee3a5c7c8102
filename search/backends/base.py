"""What every search backend stores: one ``IndexDoc`` per searchable object."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class IndexDoc:
    """One object as the index sees it: raw text for Elasticsearch's analyzers, folded for the database."""

    object_type: str
    object_id: int
    title: str
    body: str = ""
    summary: str = ""
    kind: str = ""
    year: int | None = None
    area_path: str = ""
    public: bool = False


class SearchBackend:
    name = ""

    def index(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace ``docs``; returns how many were written."""
        raise NotImplementedError

    def delete(self, object_type: str, object_ids: Iterable[int]) -> None:
        raise NotImplementedError

    def move_area(self, old_path: str, new_path: str) -> None:
        """A subtree of units moved from ``old_path`` to ``new_path``: bring the stored area paths up to date."""
        raise NotImplementedError

    def search(self, request):
        """``SearchResults`` for a ``SearchRequest``."""
        raise NotImplementedError

    def rebuild(self, batches: Iterable[tuple[str, list[IndexDoc]]], progress: Callable[[str], None]) -> int:
        """Replace the whole index with ``batches`` of (object type, docs); returns how many were indexed."""
        raise NotImplementedError
