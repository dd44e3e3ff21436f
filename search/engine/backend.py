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
from .query import search_body, spelling_body, suggest_body, wants_spelling
from .results import read_search, read_structure_suggestions


class EngineBackend(EngineIndexer):
    def search_request(self, query: SearchQuery) -> tuple[dict, dict | None, tuple]:
        """The body and query string of the request answering ``query``, and the synonyms it expanded.

        A listing without text or position is the same request for every visitor:
        the engine's shard request cache keeps its whole answer, aggregations
        included, until the next refresh changes the index (``request_cache``).
        """
        profile = self.profile
        # The portable profile expands synonyms itself, from the skills' rules (cached).
        synonyms = self.synonym_groups() if not profile.analyzed_by_engine and words(query.text) else ()
        params = None if words(query.text) or query.near else {"request_cache": "true"}
        return search_body(query, profile, synonyms), params, synonyms

    def search(self, query: SearchQuery) -> SearchResult:
        body, params, synonyms = self.search_request(query)
        response = self.request("POST", f"/{self.alias}/_search", body=body, params=params)
        if wants_spelling(query, response["hits"]["total"]["value"]):
            spelled = self.request("POST", f"/{self.alias}/_search", body=spelling_body(query))
            response["suggest"] = spelled.get("suggest")
        return read_search(query, response, engine=self.name, profile=self.profile, synonyms=synonyms)

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
