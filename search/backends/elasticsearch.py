"""Scale-out backend: Elasticsearch 8 through elasticsearch-dsl documents (``search.documents``).

Writes go through an alias per type; ``rebuild`` fills fresh timestamped indexes with bulk requests
and then moves every alias in one atomic ``update_aliases`` call (no moment without an index), and
drops the old indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from elasticsearch import Elasticsearch, helpers
from elasticsearch_dsl import Search

from evaluations.models.units import ancestor_paths

from ..documents import DOCUMENTS
from ..models import ObjectType
from ..query import Hit, SearchRequest, SearchResults, es_search
from .base import IndexDoc, SearchBackend


def doc_source(doc: IndexDoc) -> dict:
    return {
        "object_type": doc.object_type,
        "object_id": doc.object_id,
        "title": doc.title,
        "body": doc.body,
        "summary": doc.summary[:300],
        "kind": doc.kind or None,
        "year": doc.year,
        "area_path": doc.area_path or None,
        "area_ancestors": ancestor_paths(doc.area_path or ""),
        "public": doc.public,
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, *, refresh: bool = False):
        self.client = Elasticsearch(url, request_timeout=30)
        #: Refresh after each write (tests), so a search right after sees it.
        self.refresh = refresh
        self._ensured = False

    @classmethod
    def from_settings(cls) -> ElasticsearchBackend:
        url = getattr(settings, "ELASTICSEARCH_URL", "")
        if not url:
            raise ImproperlyConfigured("SEARCH_BACKEND is 'elasticsearch' but ELASTICSEARCH_URL is not set.")
        return cls(url, refresh=getattr(settings, "ELASTICSEARCH_REFRESH_ON_WRITE", False))

    # --- indexes and aliases ------------------------------------------------------------------

    def _new_index(self, object_type: str, stamp: str) -> str:
        document = DOCUMENTS[object_type]
        name = f"{document.alias()}-{stamp}"
        document.index_template(name).create(using=self.client)
        return name

    def ensure_indexes(self) -> None:
        """Create an index and its alias for any type that has none yet (first write, fresh cluster)."""
        if self._ensured:
            return
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        for object_type, document in DOCUMENTS.items():
            alias = document.alias()
            if not self.client.indices.exists_alias(name=alias):
                if self.client.indices.exists(index=alias):
                    self.client.indices.delete(index=alias)  # a concrete index squatting the alias name
                name = self._new_index(object_type, stamp)
                self.client.indices.put_alias(index=name, name=alias)
        self._ensured = True

    def drop_all(self) -> None:
        """Delete every index behind this site's aliases (tests, decommissioning)."""
        for document in DOCUMENTS.values():
            # Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name): name each index.
            names = list(self.client.indices.get(index=f"{document.alias()}-*", ignore_unavailable=True).body)
            if names:
                self.client.indices.delete(index=names)

    # --- writing ------------------------------------------------------------------------------

    def _actions(self, docs: Iterable[IndexDoc], index_for: Callable[[str], str]):
        for doc in docs:
            yield {
                "_op_type": "index",
                "_index": index_for(doc.object_type),
                "_id": str(doc.object_id),
                "_source": doc_source(doc),
            }

    def index(self, docs: Iterable[IndexDoc]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        self.ensure_indexes()
        done, _errors = helpers.bulk(
            self.client, self._actions(docs, lambda t: DOCUMENTS[t].alias()), refresh=self.refresh
        )
        return done

    def delete(self, object_type: str, object_ids: Iterable[int]) -> None:
        actions = [
            {"_op_type": "delete", "_index": DOCUMENTS[object_type].alias(), "_id": str(pk)} for pk in object_ids
        ]
        if actions and self.client.indices.exists_alias(name=DOCUMENTS[object_type].alias()):
            helpers.bulk(self.client, actions, raise_on_error=False, refresh=self.refresh)

    def move_area(self, old_path: str, new_path: str) -> None:
        """Index again what lies under ``new_path`` (each document also lists its ancestors' paths)."""
        from ..indexing import reindex_area  # cycle: indexing imports the back ends

        reindex_area(new_path, self)

    def rebuild(self, batches, progress: Callable[[str], None]) -> int:
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        new = {object_type: self._new_index(object_type, stamp) for object_type in DOCUMENTS}
        done = 0
        try:
            for object_type, docs in batches:
                count, _errors = helpers.bulk(self.client, self._actions(docs, new.__getitem__))
                done += count
                progress(
                    gettext("%(type)s: %(count)s documents")
                    % {"type": ObjectType(object_type).label, "count": number_format(done, force_grouping=True)}
                )
            self.client.indices.refresh(index=list(new.values()))
        except Exception:
            self.client.indices.delete(index=list(new.values()), ignore_unavailable=True)
            raise
        actions, old = [], []
        for object_type, name in new.items():
            alias = DOCUMENTS[object_type].alias()
            if self.client.indices.exists_alias(name=alias):
                current = list(self.client.indices.get_alias(name=alias).body)
                old += current
                actions += [{"remove": {"index": index, "alias": alias}} for index in current]
            elif self.client.indices.exists(index=alias):
                self.client.indices.delete(index=alias)
            actions.append({"add": {"index": name, "alias": alias}})
        self.client.indices.update_aliases(actions=actions)
        if old:
            self.client.indices.delete(index=old, ignore_unavailable=True)
        progress(gettext("aliases moved to the new indexes (%(indexes)s)") % {"indexes": ", ".join(new.values())})
        return done

    # --- reading ------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        if not request.parsed:
            return SearchResults()
        indices = [DOCUMENTS[t].alias() for t in request.object_types]
        search = es_search(Search(using=self.client, index=indices).params(ignore_unavailable=True), request)
        response = search.execute()
        results = SearchResults(total=response.hits.total.value)
        for hit in response:
            results.hits.append(
                Hit(
                    object_type=hit.object_type,
                    object_id=hit.object_id,
                    title=hit.title,
                    summary=getattr(hit, "summary", "") or "",
                    kind=getattr(hit, "kind", "") or "",
                    year=getattr(hit, "year", None),
                    area_path=getattr(hit, "area_path", "") or "",
                    score=hit.meta.score or 0.0,
                )
            )
        if request.facets and getattr(response, "aggregations", None) is not None:
            for name in ("kind", "year", "area"):
                buckets = response.aggregations[name].buckets
                results.facets[name] = [(bucket.key, bucket.doc_count) for bucket in buckets]
        return results
