"""GraphQL field middleware (graphql-core), run around every resolver."""

from django.conf import settings
from graphql import GraphQLError

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
