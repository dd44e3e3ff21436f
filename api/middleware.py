"""GraphQL field middleware (graphql-core), run around every resolver."""

import re

from django.conf import settings
from graphql import GraphQLError, GraphQLList, get_nullable_type

# A word: letters and digits (any script), with inner apostrophes or hyphens (« aujourd’hui », « co-working »).
WORD = re.compile(r"\w+(?:[’'-]\w+)*")


class OrderAllowlistMiddleware:
    """Refuse `order` arguments naming a field outside GRAPHQL_ORDER_ALLOWLIST.

    grapple passes `order` straight to QuerySet.order_by(): without this list a
    client could sort on any column or relation (e.g. `owner__password`) and
    learn private values from the order of public rows.
    """

    def resolve(self, next_, root, info, **args):
        order = args.get("order")
        if order:
            allowed = set(settings.GRAPHQL_ORDER_ALLOWLIST)
            for term in (t.strip() for t in str(order).split(",")):
                if term.lstrip("-") not in allowed:
                    raise GraphQLError(
                        f"Argument « order » invalide : tri sur {term!r} non autorisé "
                        f"(champs possibles : {', '.join(sorted(allowed))}, précédés de « - » pour l’ordre inverse).",
                        extensions={"code": "BAD_USER_INPUT", "argument": "order"},
                    )
        return next_(root, info, **args)


class SearchTextMiddleware:
    """Search text made safe for every backend before grapple sees it.

    grapple hands ``searchQuery`` (and ``search(query:)``) to Wagtail's query-string
    parser, then to the backend: an unbalanced quote or a NUL byte becomes an SQL or
    FTS syntax error on SQLite and PostgreSQL (an internal error for the partner). Only
    letters, digits and the spaces between words are kept; a text with no word left
    (quotes, punctuation, whitespace only, control characters) finds nothing.
    """

    SEARCH_ARGUMENTS = ("search_query", "query")

    def resolve(self, next_, root, info, **args):
        for name in self.SEARCH_ARGUMENTS:
            value = args.get(name)
            if not isinstance(value, str) or not self.applies(info, name):
                continue
            words = search_words(value)
            if not words:
                return [] if self.returns_list(info) else None
            args[name] = words
        return next_(root, info, **args)

    @staticmethod
    def applies(info, name) -> bool:
        # `query` is the search text of the root `search` field only (`directorySearch` has its own rules).
        return name == "search_query" or (info.field_name == "search" and info.parent_type.name == "Query")

    @staticmethod
    def returns_list(info) -> bool:
        return isinstance(get_nullable_type(info.return_type), GraphQLList)


def search_words(text: str) -> str:
    """The words of a search text, separated by single spaces ('' when there are none)."""
    return " ".join(WORD.findall(text))


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
