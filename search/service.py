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

The blank and filter-only listings (the landing page, the embed, a partner's
first query: no text, no position) are cached per backend under the index
generation (``search.generation``), which every processed change and rebuild
bumps; they are neither read nor stored while any change waits (hidden ids) or
when the answer is degraded, so a cached listing never shows what the indexes
no longer hold.
"""

import dataclasses
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from . import database
from .base import check_hits, relaxed_search
from .engine import EngineUnavailable, get_backend
from .generation import GENERATION_KEY, current_generation
from .sync import pending
from .text import words
from .types import MAX_QUERY_LENGTH, InvalidSearchQuery, SearchQuery, SearchResult, Suggestion

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 20


def listing_cache_key(query: SearchQuery, answered_by: str) -> str | None:
    """The cache key of a blank or filter-only listing; None for a search with text or a position."""
    if words(query.text) or query.near is not None or not settings.SEARCH_LISTING_CACHE_SECONDS:
        return None
    return f"search:listing:{answered_by}:{hashlib.sha256(repr(query).encode()).hexdigest()}"


def search_structures(query: SearchQuery) -> SearchResult:
    """Search the published structures; raises InvalidSearchQuery (naming the argument) on bad input."""
    query.validate()
    backend = get_backend()
    queued = pending()
    waiting = queued.engine if backend is not None else queued.database
    key = None if waiting else listing_cache_key(query, backend.alias if backend else "database")
    if key is None:
        return _search(query, backend, queued)
    # One cache read for the generation and the listing (one SQL query with the database cache).
    found = cache.get_many([GENERATION_KEY, key])
    generation = current_generation(found.get(GENERATION_KEY))
    cached = found.get(key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    result = _search(query, backend, queued)
    if not result.degraded:
        cache.set(key, (generation, result), settings.SEARCH_LISTING_CACHE_SECONDS)
    return result


def _search(query: SearchQuery, backend, queued) -> SearchResult:
    if backend is None:
        result = relaxed_search(
            dataclasses.replace(query, hidden_ids=tuple(queued.database), settled=queued.settled), database.search
        )
        result.degraded = bool(queued.database)
        return result
    try:
        result = relaxed_search(
            dataclasses.replace(query, hidden_ids=tuple(queued.engine), settled=queued.settled), backend.search
        )
    except EngineUnavailable as exc:
        logger.warning("Search engine unavailable, answering from the database: %s", exc)
        result = relaxed_search(dataclasses.replace(query, hidden_ids=tuple(queued.database)), database.search)
        result.degraded = True
        return result
    # The engine's cards, checked against the database in one query (published, not stale).
    result.hits = check_hits(result.hits)
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
