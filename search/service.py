"""The one search service pages and GraphQL call (never a backend directly).

``search_structures`` answers from the engine when ``ELASTICSEARCH_URL`` is set,
from the database otherwise. An engine that is configured but unreachable
never becomes a server error: the database answers, and the result says so
(``engine="database"``, ``degraded=True``).
"""

import logging

from . import database
from .engine import EngineUnavailable, get_backend
from .sync import maybe_drain
from .types import MAX_QUERY_LENGTH, InvalidSearchQuery, SearchQuery, SearchResult, Suggestion

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 20


def search_structures(query: SearchQuery) -> SearchResult:
    """Search the published structures; raises InvalidSearchQuery (naming the argument) on bad input."""
    query.validate()
    backend = get_backend()
    if backend is None:
        return database.search(query)
    try:
        result = backend.search(query)
    except EngineUnavailable as exc:
        logger.warning("Search engine unavailable, answering from the database: %s", exc)
        result = database.search(query)
        result.degraded = True
        return result
    maybe_drain()  # the engine answered: a good moment to catch up on queued changes
    return result


def suggest(prefix: str, limit: int = 8) -> list[Suggestion]:
    """Skill and structure names for what a visitor is typing (autocomplete)."""
    if len(prefix or "") > MAX_QUERY_LENGTH:
        raise InvalidSearchQuery("prefix", f"le début de recherche ne doit pas dépasser {MAX_QUERY_LENGTH} caractères")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InvalidSearchQuery("limit", f"limit doit être compris entre 1 et {MAX_SUGGESTIONS}")
    backend = get_backend()
    if backend is not None:
        try:
            return backend.suggest(prefix, limit)
        except EngineUnavailable as exc:
            logger.warning("Search engine unavailable for suggestions, answering from the database: %s", exc)
    return database.suggest(prefix, limit)
