"""Closed doors on grapple's generic queries.

grapple 0.31 is generous by default; this mixin is placed *before* grapple's
mixins in the root ``Query`` (see ``api/wagtail_hooks.py``), so its resolvers
win and delegate to grapple's once the arguments are safe:

- ``pages``/``page``/``search``/``site``/``sites``: only the Wagtail Site that
  serves the request; another site's pages are not reachable by id, slug,
  path, ``site:`` argument or the ``sites`` listing.
- ``page(token:)``: the token is checked by ``api.visibility.VisibilityMiddleware``
  (``home.preview``: tokens older than PREVIEW_TOKEN_MAX_AGE are refused).
- ``setting``/``settings``: the settings of the request's Site only (grapple lists
  every Site's, and ``setting(name:)`` fails once two Sites exist).
- ``tags``/``tag``: tags used by a visible page, image or document only.
- ``search`` and every ``searchQuery`` argument: see ``api.middleware.SearchTextMiddleware``.
- ``snippets``: grapple returns ``Model.objects.all()`` for every snippet,
  drafts included; we return live objects of publishable snippets only, and
  never the directory's models (they have their own queries with visibility).
- ``search``: grapple searches every model of every GRAPPLE app (drafts
  included); we search live, public pages of the current site only.
- ``redirects``: grapple lists every site's redirects, and ``page`` returns the
  target even when it is a draft, view-restricted or on another site. We list
  the redirects that apply to the current site; when the target page is not
  live and public in this site, ``page`` and ``newUrl`` are null (the old path
  stays: it is a public path of this site that anyone can already request).
- ``images``/``image``/``documents``/``document``/``collections``: grapple
  hides items whose *own* collection has a view restriction, but Wagtail applies
  a restriction to the whole sub-tree; we exclude every collection under a
  restricted one.

``order`` arguments are checked by ``api.middleware.OrderAllowlistMiddleware``; every
value any field returns (nested ones included) goes through
``api.visibility.VisibilityMiddleware``, the safety net behind these root resolvers.
"""

from django.db.models import Q
from grapple.registry import registry
from grapple.types.pages import PagesQuery
from grapple.types.search import SearchQuery
from grapple.types.sites import SitesQuery
from grapple.utils import resolve_queryset
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import DraftStateMixin, Page, Site
from wagtail.search.backends import get_search_backend

from .visibility import Visibility, public_collections, visible_tags

# Apps whose models are exposed only through their own typed queries.
PRIVATE_SNIPPET_APPS = {"directory"}


def current_site(info):
    return Site.find_for_request(info.context)


def visible_redirects(site):
    """The redirects of ``site`` (its own and the all-sites ones), safe to show anyone.

    Instances are modified in memory only (never saved): an all-sites redirect
    gets ``site`` set to the current site, and a target page that is not live and
    public in this site is dropped, so ``page`` and ``newUrl`` resolve to null
    instead of revealing a draft, a private page or another site.
    """
    redirects = list(
        Redirect.objects.filter(Q(site=site) | Q(site__isnull=True)).select_related("site").order_by("old_path", "pk")
    )
    target_ids = {r.redirect_page_id for r in redirects if r.redirect_page_id}
    visible = (
        {page.pk: page for page in Page.objects.live().public().in_site(site).filter(pk__in=target_ids).specific()}
        if target_ids
        else {}
    )
    for redirect in redirects:
        redirect.site = site
        if redirect.redirect_page_id:
            page = visible.get(redirect.redirect_page_id)
            redirect.redirect_page = page  # None when hidden: `link` falls back to redirect_link
            if page is None:
                redirect.redirect_link = None
                redirect.redirect_page_route_path = ""
    return redirects


def _site_arguments_allowed(info, kwargs) -> bool:
    """A `site:` hostname is accepted only when it names the site serving the request."""
    hostname = kwargs.pop("site", None)
    kwargs["in_site"] = True
    if hostname is None:
        return True
    site = current_site(info)
    return site is not None and site.hostname == hostname


def site_settings(info, name=None, hostname=None) -> list:
    """The registered settings of the request's Site (a `site:` naming another Site gets none).

    grapple returns every Site's settings, and ``setting(name:)`` raises once two Sites
    exist; here the request's Site decides, as it does for pages. Rows are read, never
    created (``for_site`` would write one).
    """
    here = current_site(info)
    if here is None or (hostname is not None and hostname != here.hostname):
        return []
    found = []
    for model in registry.settings:
        if name and model._meta.model_name != name.lower():
            continue
        rows = model.objects.all()
        if issubclass(model, BaseSiteSetting):
            rows = rows.filter(site=here)
        setting = rows.order_by("pk").first()
        if setting is not None:
            found.append(setting)
    return found


def GrappleGuardsQuery():
    grapple_pages = PagesQuery()
    grapple_sites = SitesQuery()

    class Mixin:
        def resolve_pages(self, info, **kwargs):
            if not _site_arguments_allowed(info, kwargs):
                return Page.objects.none()
            return grapple_pages.resolve_pages(self, info, **kwargs)

        def resolve_page(self, info, **kwargs):
            if kwargs.get("token"):  # checked by VisibilityMiddleware before this runs
                return grapple_pages.resolve_page(self, info, **kwargs)
            if not _site_arguments_allowed(info, kwargs):
                return None
            return grapple_pages.resolve_page(self, info, **kwargs)

        def resolve_site(self, info, **kwargs):
            site = grapple_sites.resolve_site(self, info, **kwargs)
            here = current_site(info)
            if site is None or here is None or site.pk != here.pk:
                return None
            return site

        def resolve_sites(self, info, **kwargs):
            here = current_site(info)
            if here is None:
                return Site.objects.none()
            kwargs.pop("is_default_site", None)
            return resolve_queryset(Site.objects.filter(pk=here.pk), info, **kwargs)

        def resolve_snippets(self, info, **kwargs):
            objects = []
            for model in registry.snippets:
                if model._meta.app_label in PRIVATE_SNIPPET_APPS:
                    continue
                qs = model._default_manager.all()
                if issubclass(model, DraftStateMixin):
                    qs = qs.filter(live=True)
                objects.extend(qs)
            return objects

        def resolve_redirects(self, info, **kwargs):
            here = current_site(info)
            return visible_redirects(here) if here is not None else []

        def resolve_image(self, info, id, **kwargs):
            model = get_image_model()
            return model.objects.filter(collection__in=public_collections(), pk=id).prefetch_renditions().first()

        def resolve_images(self, info, **kwargs):
            model = get_image_model()
            qs = model.objects.filter(collection__in=public_collections()).prefetch_renditions()
            return resolve_queryset(qs, info, **kwargs)

        def resolve_document(self, info, id, **kwargs):
            return get_document_model().objects.filter(collection__in=public_collections(), pk=id).first()

        def resolve_documents(self, info, **kwargs):
            qs = get_document_model().objects.filter(collection__in=public_collections())
            return resolve_queryset(qs, info, **kwargs)

        def resolve_collections(self, info, **kwargs):
            return resolve_queryset(public_collections(), info, **kwargs)

        def resolve_setting(self, info, name=None, site=None, **kwargs):
            settings = site_settings(info, name, site)
            return settings[0] if settings else None

        def resolve_settings(self, info, name=None, site=None, **kwargs):
            return site_settings(info, name, site)

        def resolve_tag(self, info, id=None, **kwargs):
            if id is None:
                return None
            return visible_tags(Visibility.for_request(info.context)).filter(pk=id).first()

        def resolve_tags(self, info, **kwargs):
            return resolve_queryset(visible_tags(Visibility.for_request(info.context)), info, **kwargs)

        def resolve_search(self, info, **kwargs):
            query = kwargs.get("query")
            if not query:
                return None
            site = current_site(info)
            pages = Page.objects.live().public().filter(depth__gt=1)
            pages = pages.in_site(site) if site else pages.none()
            results = get_search_backend().search(query, pages)
            return [page.specific for page in results]

    # Keep grapple's own `search` field if it exists (it only does when models are registered).
    if not hasattr(SearchQuery(), "search"):
        del Mixin.resolve_search
    return Mixin
