"""Closed doors on grapple's generic queries.

grapple 0.31 is generous by default; this mixin is placed *before* grapple's
mixins in the root ``Query`` (see ``api/wagtail_hooks.py``), so its resolvers
win and delegate to grapple's once the arguments are safe:

- ``pages``/``page``/``search``/``site``/``sites``: only the Wagtail Site that
  serves the request; another site's pages are not reachable by id, slug,
  path, ``site:`` argument or the ``sites`` listing.
- ``page(token:)``: wagtail-headless-preview signs tokens with a timestamp but
  never checks their age; we refuse tokens older than PREVIEW_TOKEN_MAX_AGE.
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

``order`` arguments are checked by ``api.middleware.OrderAllowlistMiddleware``.
"""

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db.models import Q
from graphql import GraphQLError
from grapple.registry import registry
from grapple.types.pages import PagesQuery
from grapple.types.search import SearchQuery
from grapple.types.sites import SitesQuery
from grapple.utils import resolve_queryset
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, DraftStateMixin, Page, Site
from wagtail.search.backends import get_search_backend

# Apps whose models are exposed only through their own typed queries.
PRIVATE_SNIPPET_APPS = {"directory"}
PREVIEW_SIGNER_SALT = "headlesspreview.token"  # wagtail_headless_preview.models.HeadlessPreviewMixin


def current_site(info):
    return Site.find_for_request(info.context)


def check_preview_token(token: str) -> bool:
    """True when the token is authentic and fresh; GraphQL error when expired."""
    try:
        TimestampSigner(salt=PREVIEW_SIGNER_SALT).unsign(token, max_age=settings.PREVIEW_TOKEN_MAX_AGE)
    except SignatureExpired as exc:
        raise GraphQLError(
            "Le jeton d’aperçu a expiré : relancez l’aperçu depuis l’administration.",
            extensions={"code": "PREVIEW_TOKEN_EXPIRED"},
        ) from exc
    except BadSignature:
        return False
    return True


def public_collections():
    """Collections with no view restriction on themselves or any ancestor.

    Wagtail's CollectionViewRestriction covers the collection's sub-tree
    (``Collection.get_view_restrictions`` checks ancestors); grapple only looks
    at the item's own collection. Restricted paths are few: one query for them,
    then a single ``NOT (path LIKE p1% OR ...)`` subquery.
    """
    restricted = set(Collection.objects.filter(view_restrictions__isnull=False).values_list("path", flat=True))
    under_restriction = Q()
    for path in restricted:
        under_restriction |= Q(path__startswith=path)
    collections = Collection.objects.all()
    return collections.exclude(under_restriction) if restricted else collections


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


def GrappleGuardsQuery():
    grapple_pages = PagesQuery()
    grapple_sites = SitesQuery()

    class Mixin:
        def resolve_pages(self, info, **kwargs):
            if not _site_arguments_allowed(info, kwargs):
                return Page.objects.none()
            return grapple_pages.resolve_pages(self, info, **kwargs)

        def resolve_page(self, info, **kwargs):
            token = kwargs.get("token")
            if token:
                if not check_preview_token(token):
                    return None
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
            from grapple.utils import resolve_queryset

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
