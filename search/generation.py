"""The index generation: a counter in the shared cache that every change reaching the indexes bumps.

A processed outbox batch and a rebuild bump it (``search.sync``); answers cached
under an older value are never read again (``search.service`` caches the blank
and filter-only listings under it, ``search.base`` the towns a query names).
Its own module, below both: the reading side and the writing side share it
without importing each other.
"""

import time

from django.core.cache import cache

GENERATION_KEY = "search:generation"


def bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Missing or evicted: start from the clock, never from a value already used.
        cache.set(GENERATION_KEY, time.time_ns(), None)


def current_generation(found) -> int:
    """The generation read from the cache (``found``), set from the clock when it was missing."""
    if found is None:
        found = time.time_ns()
        if not cache.add(GENERATION_KEY, found, None):
            found = cache.get(GENERATION_KEY, found)
    return found
