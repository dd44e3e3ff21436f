"""The engine backend: Elasticsearch or OpenSearch behind the search contract.

``EngineClient`` (``client``) talks to the server, ``EngineIndexer`` (``indexer``)
writes the index described in ``definition``; this class adds searching: a body
from ``query``, the answer read by ``results``. ``get_backend()`` builds one
per engine address and index prefix.
"""

from django.conf import settings

from ..base import matching_skill_suggestions, merge_suggestions
from ..text import words
from ..types import SearchQuery, SearchResult, Suggestion
from .indexer import EngineIndexer
from .query import search_body, suggest_body
from .results import read_search, read_structure_suggestions


class EngineBackend(EngineIndexer):
    def search(self, query: SearchQuery) -> SearchResult:
        response = self.request("POST", f"/{self.alias}/_search", body=search_body(query))
        return read_search(query, response, engine=self.name)

    def suggest(self, prefix: str, limit: int, hidden_ids=()) -> list[Suggestion]:
        if not words(prefix):
            return []
        response = self.request("POST", f"/{self.alias}/_search", body=suggest_body(prefix, limit, hidden_ids))
        return merge_suggestions(matching_skill_suggestions(prefix), read_structure_suggestions(response), limit)


_backends: dict[tuple, EngineBackend] = {}


def get_backend() -> EngineBackend | None:
    """The engine backend, or None when ELASTICSEARCH_URL is not set (the database answers).

    Building it makes no network call: what the engine is gets asked on its first request.
    """
    url = getattr(settings, "ELASTICSEARCH_URL", None)
    if not url:
        return None
    prefix = settings.SEARCH_INDEX_PREFIX
    key = (url, prefix)
    if key not in _backends:
        _backends[key] = EngineBackend(url, prefix)  # asks the engine nothing until its first request
    return _backends[key]
