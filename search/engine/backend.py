"""The engine backend: Elasticsearch or OpenSearch behind the search contract.

``EngineClient`` (``client``) talks to the server, ``EngineIndexer`` (``indexer``)
writes the index described in ``definition``; this class adds searching: a body
from ``query``, the answer read by ``results``. ``get_backend()`` builds one
per engine address, index prefix and requested analysis profile.
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
        profile = self.profile
        # The portable profile expands synonyms itself, from the skills' rules (cached).
        synonyms = self.synonym_groups() if not profile.analyzed_by_engine and words(query.text) else ()
        response = self.request("POST", f"/{self.alias}/_search", body=search_body(query, profile, synonyms))
        return read_search(query, response, engine=self.name, profile=profile, synonyms=synonyms)

    def suggest(self, prefix: str, limit: int, hidden_ids=()) -> list[Suggestion]:
        if not words(prefix):
            return []
        body = suggest_body(prefix, limit, hidden_ids, self.profile)
        response = self.request("POST", f"/{self.alias}/_search", body=body)
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
    requested = getattr(settings, "SEARCH_ANALYSIS_PROFILE", "auto")
    key = (url, prefix, requested)
    if key not in _backends:
        # Asks the engine nothing until its first request.
        _backends[key] = EngineBackend(url, prefix, requested_profile=requested)
    return _backends[key]
