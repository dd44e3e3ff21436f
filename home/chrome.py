"""What every page view needs besides its own page, cached per Site: the menus,
the footer and the contact details.

Resolving a menu link to a page a visitor may open costs the page, its
``.specific`` row and its view restrictions: about 23 SQL queries for the demo
menus, on every page view, and the two settings two more. They are built once per host (which names one Site) and kept in the default cache
(shared by every worker), under keys that name the host, so two Sites never
share an entry.

What goes into the cache is what any visitor may see: links to unpublished or
restricted pages are dropped while building (``home.blocks.live_public_page``).
Every change that could make a cached entry wrong or private retires the entries
of every Site at once (a menu may link to a page of another Site): publishing,
unpublishing, moving or deleting a page, adding or removing a view restriction,
saving a Site or either setting (``home.signals``). A missed signal is bounded by
CACHE_SECONDS.

Retiring is a new generation, not a delete: an entry is stored with the
generation read *before* the database was, and only an entry of the current
generation is served. A request that read the menus just before a page became
private and stores them just after cannot bring the old link back: its entry is
of the old generation. The generation and the layout are read in one cache
round trip per request (one query with the database cache).
"""

import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.http.request import split_domain_port
from wagtail.models import Site

from home.blocks import live_public_page
from home.models import ContactSettings, NavigationSettings

CACHE_PREFIX = "site-chrome:v1:"
GENERATION_KEY = CACHE_PREFIX + "generation"
CACHE_SECONDS = 3600  # a safety net only: the signals retire every entry on each change
_FETCHED_ATTR = "_lagrappe_site_cache"  # what this request already read from the cache
_CHROME_ATTR = "_lagrappe_site_chrome"


@dataclass(frozen=True)
class MenuLink:
    text: str
    href: str
    is_page: bool  # a page of the site: highlighted on its sub-pages too

    def is_current(self, path: str) -> bool:
        # A section stays highlighted on its sub-pages (the home page only on itself).
        return self.href == path or (self.is_page and self.href != "/" and path.startswith(self.href))


@dataclass(frozen=True)
class SiteChrome:
    contact: ContactSettings | None = None
    main_menu: list[MenuLink] = field(default_factory=list)
    footer_links: list[MenuLink] = field(default_factory=list)
    footer_text: str = ""


# ---------------------------------------------------------------------- generations
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


def cached_for_site(request, key: str, build, prefetch: tuple[str, ...] = ()):
    """``build()``, cached under ``key`` until the next change to pages, Sites or settings."""
    full_key = CACHE_PREFIX + key
    fetched = getattr(request, _FETCHED_ATTR, None) if request is not None else None
    generation, value = _read(request, full_key, tuple(CACHE_PREFIX + k for k in prefetch))
    if value is None:
        value = build()
        if generation is not None:
            cache.set(full_key, (generation, value), CACHE_SECONDS)
            if fetched is not None:
                fetched[full_key] = (generation, value)
    return value


# ---------------------------------------------------------------------- one round trip per request
def prefetch(request) -> None:
    """Read the generation, this host's layout and what the page at this path cached, in one round trip.

    Called by ``home.middleware.LayoutCacheMiddleware`` on GET and HEAD. The Site
    itself is Wagtail's to find (``Site.find_for_request``, one query): seeding
    its private ``request._wagtail_site`` would save that query and the home
    page's ``.specific`` one, but issue 14 keeps first-party code off Wagtail's
    private attributes.
    """
    # Only hosts ALLOWED_HOSTS accepts reach here (CommonMiddleware has checked): no key per forged Host.
    host = f"{split_domain_port(request.get_host())[0]}:{request.get_port()}"
    request._lagrappe_host = host
    _read(request, CACHE_PREFIX + f"chrome:{host}", (CACHE_PREFIX + f"path:{host}:{request.path}",))


def cached_for_path(request, build):
    """``build()`` for the published page at the request's path, read with the Site (one round trip).

    For what a page derives from its published state only: publishing, moving
    or deleting a page retires it, like the menus.
    """
    host = getattr(request, "_lagrappe_host", None)
    if host is None:
        return build()
    return cached_for_site(request, f"path:{host}:{request.path}", build)


# ---------------------------------------------------------------------- menus and settings
def resolve_links(stream, request) -> list[MenuLink]:
    """The links whose target a visitor can open, with their address on this request's Site."""
    links = []
    for child in stream:
        value = child.value
        page = live_public_page(value.get("page"), request)
        href = page.get_url(request=request) if page is not None else value.get("url")
        if not href:
            continue  # a link to an unpublished or private page disappears rather than leading to a 404
        links.append(MenuLink(text=value.get("link_text") or "", href=href, is_page=page is not None))
    return links


def _setting(model, site: Site):
    # Not ``for_site``: its get_or_create would write on a visitor's GET (and retire the entry being built).
    return model.objects.filter(site=site).first() or model(site=site)


def build_chrome(site: Site, request) -> SiteChrome:
    navigation = _setting(NavigationSettings, site)
    contact = _setting(ContactSettings, site)
    # The cached copy must not drag the Site along.
    contact._state.fields_cache.clear()
    return SiteChrome(
        contact=contact,
        main_menu=resolve_links(navigation.main_menu, request),
        footer_links=resolve_links(navigation.footer_links, request),
        footer_text=navigation.footer_text,
    )


def site_chrome(request) -> SiteChrome:
    """The chrome of the request's Site: from the cache, built on a miss."""
    if request is None:
        return SiteChrome()
    chrome = getattr(request, _CHROME_ATTR, None)  # several tags of one page: one cache read
    if chrome is None:
        site = Site.find_for_request(request)
        if site is None:
            return SiteChrome()
        # Per host, which names one Site: the key prefetch() already read.
        host = getattr(request, "_lagrappe_host", None) or f"site-{site.pk}"
        chrome = cached_for_site(request, f"chrome:{host}", lambda: build_chrome(site, request))
        setattr(request, _CHROME_ATTR, chrome)
    return chrome
