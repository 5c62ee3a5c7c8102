import pytest

from search.backends.base import IndexDoc
from search.backends.database import DatabaseBackend
from search.query import SearchRequest


@pytest.fixture
def db_backend(db):
    return DatabaseBackend()


def doc(pk: int, title: str, body: str = "", **fields) -> IndexDoc:
    return IndexDoc(object_type=fields.pop("object_type", "page"), object_id=pk, title=title, body=body, **fields)


def titles(backend, text: str, **fields) -> list[str]:
    """Titles of the hits for ``text``, best first."""
    fields.setdefault("object_types", ("page", "subject", "evidence"))
    return [hit.title for hit in backend.search(SearchRequest(text=text, **fields)).hits]
