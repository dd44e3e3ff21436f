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

``order`` arguments are checked by ``api.middleware.OrderAllowlistMiddleware``.
"""

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from graphql import GraphQLError
from grapple.types.pages import PagesQuery
from grapple.types.search import SearchQuery
from grapple.types.sites import SitesQuery
from wagtail.models import DraftStateMixin, Page, Site
from wagtail.search.backends import get_search_backend

from grapple.registry import registry

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
