"""The one search service pages and GraphQL call (never a backend directly).

``search_structures`` answers from the engine when ``ELASTICSEARCH_URL`` is set,
from the database otherwise. An engine that is configured but unreachable
never becomes a server error: the database answers, and the result says so
(``engine="database"``, ``degraded=True``).

Structures whose last change the worker has not indexed yet (``sync.pending``)
are hidden from results, facets, highlights and suggestions, whichever backend
answers: a withdrawn consent or an unpublication counts from the next request,
even while the engine is down or catching up; the result is then ``degraded``.
Searching never processes the queue: that is the worker's job.
"""

import dataclasses
import logging

from . import database
from .base import relaxed_search
from .engine import EngineUnavailable, get_backend
from .sync import pending
from .types import MAX_QUERY_LENGTH, InvalidSearchQuery, SearchQuery, SearchResult, Suggestion

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 20


def search_structures(query: SearchQuery) -> SearchResult:
    """Search the published structures; raises InvalidSearchQuery (naming the argument) on bad input."""
    query.validate()
    backend = get_backend()
    queued = pending()
    if backend is None:
        result = relaxed_search(dataclasses.replace(query, hidden_ids=tuple(queued.database)), database.search)
        result.degraded = bool(queued.database)
        return result
    try:
        result = relaxed_search(dataclasses.replace(query, hidden_ids=tuple(queued.engine)), backend.search)
    except EngineUnavailable as exc:
        logger.warning("Search engine unavailable, answering from the database: %s", exc)
        result = relaxed_search(dataclasses.replace(query, hidden_ids=tuple(queued.database)), database.search)
        result.degraded = True
        return result
    result.degraded = bool(queued.engine)
    return result


def suggest(prefix: str, limit: int = 8) -> list[Suggestion]:
    """Skill and structure names for what a visitor is typing (autocomplete)."""
    if len(prefix or "") > MAX_QUERY_LENGTH:
        raise InvalidSearchQuery("prefix", f"le début de recherche ne doit pas dépasser {MAX_QUERY_LENGTH} caractères")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InvalidSearchQuery("limit", f"limit doit être compris entre 1 et {MAX_SUGGESTIONS}")
    backend = get_backend()
    queued = pending()
    if backend is not None:
        try:
            return backend.suggest(prefix, limit, hidden_ids=queued.engine)
        except EngineUnavailable as exc:
            logger.warning("Search engine unavailable for suggestions, answering from the database: %s", exc)
    return database.suggest(prefix, limit, hidden_ids=queued.database)
