"""Per-Site cache entries that never outlive a change to pages, Sites or settings.

What is cached here is what any visitor may see (the menus, a page's
pre-filters, where a path leads). Every change that could make an entry wrong
or private retires the entries of every Site at once (a menu may link to a page
of another Site): publishing, unpublishing, moving or deleting a page, adding or
removing a view restriction, saving a Site or a setting (``home.signals``). A
missed signal is bounded by CACHE_SECONDS.

Retiring is a new generation, not a delete: an entry is stored with the
generation read *before* the database was, and only an entry of the current
generation is served. A request that read the pages just before one became
private and stores its entry just after cannot bring the old state back: its
entry is of the old generation. The generation and a request's entries are read
in one cache round trip per request (one query with the database cache).

Entries are keyed by host (which names one Site), so two Sites never share one.
"""

import uuid

from django.core.cache import cache
from django.http.request import split_domain_port

CACHE_PREFIX = "site-chrome:v1:"
GENERATION_KEY = CACHE_PREFIX + "generation"
CACHE_SECONDS = 3600  # a safety net only: the signals retire every entry on each change
_FETCHED_ATTR = "_lagrappe_site_cache"  # what this request already read from the cache
_HOST_ATTR = "_lagrappe_host"
# What a page at a path keeps: its pre-filters ("path"), where the path leads ("route", home.routing).
PATH_KINDS = ("path", "route")


def retire_all_sites() -> None:
    """Every Site's entries stop being served (a page may be linked from any Site's menus)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _read(request, key: str, prefetch: tuple[str, ...] = ()):
    """(generation, value stored under ``key`` for that generation or None).

    The first read of a request fetches the generation, ``key`` and the
    ``prefetch`` keys in one cache round trip (one query with the database
    cache) and keeps them on the request for the reads that follow.
    """
    fetched = getattr(request, _FETCHED_ATTR, None) if request is not None else None
    if fetched is None:
        fetched = cache.get_many([GENERATION_KEY, key, *prefetch])
        if GENERATION_KEY not in fetched:  # first use, or evicted: start a generation no stored entry can match
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            fetched = {GENERATION_KEY: cache.get(GENERATION_KEY)}
        if request is not None:
            setattr(request, _FETCHED_ATTR, fetched)
    generation = fetched.get(GENERATION_KEY)
    entry = fetched[key] if key in fetched else cache.get(key)
    if entry is not None and entry[0] == generation:
        return generation, entry[1]
    return generation, None


def _store(request, full_key: str, generation, value) -> None:
    if generation is None:
        return
    cache.set(full_key, (generation, value), CACHE_SECONDS)
    fetched = getattr(request, _FETCHED_ATTR, None) if request is not None else None
    if fetched is not None:
        fetched[full_key] = (generation, value)


def cached_for_site(request, key: str, build, prefetch: tuple[str, ...] = ()):
    """``build()``, cached under ``key`` until the next change to pages, Sites or settings."""
    full_key = CACHE_PREFIX + key
    generation, value = _read(request, full_key, tuple(CACHE_PREFIX + k for k in prefetch))
    if value is None:
        value = build()
        _store(request, full_key, generation, value)
    return value


# ---------------------------------------------------------------------- one round trip per request
def host_key(request) -> str:
    """The request's host and port, which name one Site (as Wagtail matches them)."""
    host = getattr(request, _HOST_ATTR, None)
    if host is None:
        # Only hosts ALLOWED_HOSTS accepts reach a view: no key per forged Host.
        host = f"{split_domain_port(request.get_host())[0]}:{request.get_port()}"
        setattr(request, _HOST_ATTR, host)
    return host


def _path_key(request, kind: str) -> str:
    return CACHE_PREFIX + f"{kind}:{host_key(request)}:{request.path}"


def prefetch(request) -> None:
    """Read the generation, this host's layout and what the page at this path cached, in one round trip.

    Called by ``home.middleware.LayoutCacheMiddleware`` on GET and HEAD.
    """
    layout = CACHE_PREFIX + f"chrome:{host_key(request)}"
    _read(request, layout, tuple(_path_key(request, kind) for kind in PATH_KINDS))


def cached_for_path(request, build):
    """``build()`` for the published page at the request's path, read with the Site (one round trip).

    For what a page derives from its published state only: publishing, moving
    or deleting a page retires it, like the menus.
    """
    if request is None:
        return build()
    return cached_for_site(request, f"path:{host_key(request)}:{request.path}", build)


def read_route(request):
    """(generation, what ``home.routing`` stored for the request's path or None)."""
    return _read(request, _path_key(request, "route"))


def store_route(request, generation, entry) -> None:
    """Keep ``entry`` for the request's path, under the generation read before routing did."""
    _store(request, _path_key(request, "route"), generation, entry)
