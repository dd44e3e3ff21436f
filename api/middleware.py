"""Guards around GraphQL resolvers, with graphql-core's middleware signature.

Each says by ``applies_to`` which fields it can act on; ``api.field_guards`` wraps
those fields' resolvers with it once, when the schema is built.
"""

import re

from django.conf import settings
from graphql import GraphQLError, GraphQLList, get_nullable_type
from wagtail.images.models import AbstractImage

# A word: letters and digits (any script), with inner apostrophes or hyphens (« aujourd’hui », « co-working »).
WORD = re.compile(r"\w+(?:[’'-]\w+)*")


def argument_names(field) -> set[str]:
    """A field's arguments as its resolver receives them (``searchQuery`` -> ``search_query``)."""
    return {argument.out_name or name for name, argument in field.args.items()}


class OrderAllowlistMiddleware:
    """Refuse `order` arguments naming a field outside GRAPHQL_ORDER_ALLOWLIST.

    grapple passes `order` straight to QuerySet.order_by(): without this list a
    client could sort on any column or relation (e.g. `owner__password`) and
    learn private values from the order of public rows.
    """

    @staticmethod
    def applies_to(parent_type, name, field) -> bool:
        return "order" in argument_names(field)

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

    @staticmethod
    def applies_to(parent_type, name, field) -> bool:
        arguments = argument_names(field)
        return "search_query" in arguments or (name == "search" and "query" in arguments)

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

    @staticmethod
    def applies_to(parent_type, name, field) -> bool:
        return "search_query" in argument_names(field)

    def resolve(self, next_, root, info, **args):
        result = next_(root, info, **args)
        search_query = args.get("search_query")
        if search_query and args.get("id") is None and getattr(info.context, "method", None) == "POST":
            from wagtail.contrib.search_promotions.models import Query

            Query.get(search_query).add_hit()
        return result


class ImageArgumentsMiddleware:
    """French errors naming the argument for an image's ``srcSet`` and ``rendition``.

    grapple's resolvers fail with Python's own text (``srcSet`` without ``sizes``:
    "resolve_src_set() missing 1 required positional argument") or an English hint at
    a setting (a filter outside ``ALLOWED_IMAGE_FILTERS``), and ``srcSet`` silently
    drops the widths it may not render. The arguments are checked here, against the
    same allowlist and with grapple's own way of building the filter, before grapple runs.
    """

    @staticmethod
    def applies_to(parent_type, name, field) -> bool:
        return name in ("srcSet", "rendition")

    def resolve(self, next_, root, info, **args):
        if isinstance(root, AbstractImage):
            if info.field_name == "srcSet":
                check_src_set_arguments(args)
            elif info.field_name == "rendition":
                check_rendition_arguments(args)
        return next_(root, info, **args)


def _allowed_filters() -> list[str] | None:
    from grapple.settings import grapple_settings

    allowed = grapple_settings.ALLOWED_IMAGE_FILTERS
    return list(allowed) if isinstance(allowed, (list, tuple)) else None


def _bad_image_argument(argument: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"Argument « {argument} » {message}", extensions={"code": "BAD_USER_INPUT", "argument": argument}
    )


def check_src_set_arguments(args: dict) -> None:
    allowed = _allowed_filters()
    widths = sorted({int(spec[6:]) for spec in allowed or () if re.fullmatch(r"width-\d+", spec)})
    possible = f"(valeurs possibles : {', '.join(map(str, widths))})" if allowed is not None else ""
    sizes = args.get("sizes")
    if not sizes:
        raise _bad_image_argument(
            "sizes", f"requis : la liste des largeurs voulues, en pixels {possible}".rstrip() + "."
        )
    for width in sizes:
        if width is None or width <= 0 or (allowed is not None and width not in widths):
            raise _bad_image_argument("sizes", f"invalide : largeur {width} non autorisée {possible}".rstrip() + ".")
    image_format = args.get("format")
    if image_format and allowed is not None:
        formats = sorted(
            {
                spec.split("|format-")[1]
                for spec in allowed
                if "|format-" in spec and all(f"width-{w}|format-{spec.split('|format-')[1]}" in allowed for w in sizes)
            }
        )
        if image_format not in formats:
            possible_formats = ", ".join(formats) or "aucun, sans autre filtre"
            raise _bad_image_argument(
                "format",
                f"invalide : format {image_format!r} non autorisé avec ces largeurs (possibles : {possible_formats}).",
            )


def check_rendition_arguments(args: dict) -> None:
    allowed = _allowed_filters()
    if allowed is None:
        return
    # Built as grapple builds it (ImageObjectType.resolve_rendition), in the same order.
    filters = {key: value for key, value in args.items() if key != "preserve_svg"}
    spec = "|".join(f"{key}-{value}" for key, value in filters.items())
    if spec in allowed:
        return
    possible = f"(filtres possibles : {', '.join(allowed)})"
    if not filters:
        raise _bad_image_argument(
            "width", f"requis : « rendition » demande un filtre, par exemple width: 320 {possible}."
        )
    from graphene.utils.str_converters import to_camel_case

    names = [to_camel_case(key) for key in filters]
    raise _bad_image_argument(
        names[0] if len(names) == 1 else ", ".join(names),
        f"invalide : filtre {spec!r} non autorisé {possible}.",
    )
