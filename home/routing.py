"""Where a path leads, remembered per Site: a known page address served in one query.

Wagtail routes a request from the Site's root page down, reading at each level
the child by slug and then its ``.specific`` row; its view-restriction check
then reads the page's ancestors (to resolve aliases) and their restrictions.
That is 4 queries for a page one level down, on every view, for an answer that
changes only when pages are published, moved, deleted or restricted, or a Site
is saved: the changes that retire ``home.site_cache``'s generation.

So the Site's root page remembers, per host and path, the page the route ended
on (its model, id and ``url_path``) and whether any view restriction applies to
it. A known path is then answered by one query that re-reads in the database
what routing guarantees (the page is live, still at that address, under this
root), so even an entry that outlived a missed signal cannot serve an
unpublished page or one of another Site. A restricted page is still checked by
Wagtail as usual; only a page known to have no restriction skips that check's
two queries. Only plain results are remembered: a page with no view arguments
(a routable page's sub-views route as before), and only for paths that exist.
"""

from dataclasses import dataclass

from django.apps import apps
from wagtail.models import PageViewRestriction, Site
from wagtail.url_routing import RouteResult

from home.site_cache import read_route, store_route


@dataclass(frozen=True)
class CachedRoute:
    """Where a path of a Site led, and whether a view restriction applied (stored in the cache)."""

    root_id: int
    page_id: int
    model: str  # "app_label.ModelName"
    url_path: str
    restricted: bool

    @classmethod
    def of(cls, root, result: RouteResult) -> "CachedRoute | None":
        page, args, kwargs = result
        if args or kwargs or not isinstance(page, CachedRouteMixin):
            return None
        restricted = page.get_view_restrictions().exists()
        return cls(root.pk, page.pk, page._meta.label, page.url_path, restricted)

    def load(self, root):
        """The live page this route led to, read again (one query), or None to route as Wagtail does."""
        if self.root_id != root.pk:
            return None
        if self.page_id == root.pk:
            page = root if root.live and root.url_path == self.url_path else None
        else:
            try:
                model = apps.get_model(self.model)
            except LookupError:
                return None
            page = model.objects.filter(
                pk=self.page_id, live=True, url_path=self.url_path, path__startswith=root.path
            ).first()
        if page is not None:
            page.known_unrestricted = not self.restricted
        return page


class CachedRouteMixin:
    """For every page type of the site: routes known paths in one query when it is a Site's root.

    Wagtail calls ``route`` on the Site's root page (``Page.route_for_request``)
    and ``get_view_restrictions`` from its ``before_serve_page`` hook; both are
    Wagtail's documented extension points.
    """

    known_unrestricted = False  # set on a page routed from the cache that no view restriction applies to

    def route(self, request, path_components):
        site = Site.find_for_request(request)  # read once per request by Wagtail already
        if site is None or site.root_page_id != self.pk:
            return super().route(request, path_components)  # below the root, or a translated root
        generation, known = read_route(request)
        page = known.load(self) if known is not None else None
        if page is not None:
            return RouteResult(page)
        result = super().route(request, path_components)  # Http404 for a path that leads nowhere: nothing kept
        route = CachedRoute.of(self, result)
        if route is not None:
            store_route(request, generation, route)
        return result

    def get_view_restrictions(self):
        if self.known_unrestricted:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
