"""What every page view needs besides its own page, cached per Site: the menus,
the footer and the contact details.

Resolving a menu link to a page a visitor may open costs the page, its
``.specific`` row and its view restrictions: about 23 SQL queries for the demo
menus, on every page view, and the two settings two more. They are built once
per host (which names one Site) and kept in the default cache (shared by every
worker) by ``home.site_cache``, whose generations retire them on every change
that could make them wrong or private.

What goes into the cache is what any visitor may see: links to unpublished or
restricted pages are dropped while building (``home.blocks.live_public_page``).
"""

from dataclasses import dataclass, field

from wagtail.models import Site

from home.blocks import live_public_page
from home.models import ContactSettings, NavigationSettings
from home.site_cache import cached_for_site, host_key

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
        # Per host, which names one Site: the key home.site_cache.prefetch() already read.
        chrome = cached_for_site(request, f"chrome:{host_key(request)}", lambda: build_chrome(site, request))
        setattr(request, _CHROME_ATTR, chrome)
    return chrome
