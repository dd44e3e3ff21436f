"""GraphQL field middleware (graphql-core), run around every resolver."""

from django.conf import settings
from graphql import GraphQLError
from wagtail.models import Collection, Site

# Fields an `order:` argument may use (each optionally prefixed with "-").
# grapple passes `order` straight to QuerySet.order_by(): without this list a
# client could sort on any column or relation (e.g. `owner__password`) and
# learn private values from the order of public rows.
DEFAULT_ORDER_ALLOWLIST = (
    "id",
    "title",
    "slug",
    "path",
    "first_published_at",
    "last_published_at",
    "created_at",
    "name",
)


class OrderAllowlistMiddleware:
    """Refuse `order` arguments naming a field outside GRAPHQL_ORDER_ALLOWLIST."""

    def resolve(self, next_, root, info, **args):
        order = args.get("order")
        if order:
            allowed = set(getattr(settings, "GRAPHQL_ORDER_ALLOWLIST", DEFAULT_ORDER_ALLOWLIST))
            for term in (t.strip() for t in str(order).split(",")):
                if term.lstrip("-") not in allowed:
                    raise GraphQLError(
                        f"Argument « order » invalide : tri sur {term!r} non autorisé "
                        f"(champs possibles : {', '.join(sorted(allowed))}, précédés de « - » pour l’ordre inverse).",
                        extensions={"code": "BAD_USER_INPUT", "argument": "order"},
                    )
        return next_(root, info, **args)


class NestedGuardsMiddleware:
    """Guards on fields of grapple's types, which a root-Query mixin cannot override.

    - ``Site.page(token:)``: the nested twin of ``Query.page(token:)`` goes
      straight to grapple's preview lookup; expired or forged tokens get the same
      treatment as at the root (``api.grapple_guards.check_preview_token``).
    - ``Collection.descendants``: grapple hides restricted collections but not
      the collections below them, which Wagtail's restriction also covers.
    """

    def resolve(self, next_, root, info, **args):
        if info.field_name == "page" and args.get("token") and isinstance(root, Site):
            from .grapple_guards import check_preview_token

            if not check_preview_token(args["token"]):
                return None
        if info.field_name == "descendants" and isinstance(root, Collection):
            from .grapple_guards import public_collections

            return root.get_descendants().filter(pk__in=public_collections().values("pk"))
        return next_(root, info, **args)


class SearchHitMiddleware:
    """Count Wagtail search-promotion hits for POST requests only.

    grapple's ADD_SEARCH_HIT writes a row on every ``searchQuery``, including
    anonymous GETs that CDNs and browsers cache: a GET must stay free of side
    effects (and a cached answer would never be counted anyway). The setting is
    off; this middleware records the hit where grapple would have (a list field
    with ``searchQuery`` and no ``id``), when the request is a POST.
    """

    def resolve(self, next_, root, info, **args):
        result = next_(root, info, **args)
        search_query = args.get("search_query")
        if search_query and args.get("id") is None and getattr(info.context, "method", None) == "POST":
            from wagtail.contrib.search_promotions.models import Query

            Query.get(search_query).add_hit()
        return result
