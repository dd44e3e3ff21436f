"""GraphQL arguments -> the search contract's ``SearchQuery``, validated.

Both ``directorySearch`` and ``structures`` go through ``SearchQuery.validate()``
so the same French messages name the same arguments everywhere; a bad argument
becomes a GraphQL error carrying ``extensions.argument``, never an HTTP 500.
"""

from graphql import GraphQLError

from search.types import DEFAULT_PER_PAGE, GeoPoint, InvalidSearchQuery, SearchQuery


def bad_argument(exc: InvalidSearchQuery) -> GraphQLError:
    return GraphQLError(
        f"Argument « {exc.argument} » invalide : {exc.message}",
        extensions={"code": "BAD_USER_INPUT", "argument": exc.argument},
    )


def build_search_query(
    *,
    query=None,
    categories=None,
    memberships=None,
    skills=None,
    sectors=None,
    city=None,
    near=None,
    sort=None,
    page=1,
    per_page=DEFAULT_PER_PAGE,
) -> SearchQuery:
    """Raise a GraphQLError naming the argument at fault, or return a valid SearchQuery."""
    sort_value = getattr(sort, "value", sort) or "relevance"
    search_query = SearchQuery(
        text=(query or "").strip(),
        categories=list(categories or []),
        memberships=list(memberships or []),
        skills=list(skills or []),
        sectors=list(sectors or []),
        city=(city or "").strip() or None,
        near=GeoPoint(near.latitude, near.longitude, near.radius_km) if near is not None else None,
        sort=sort_value,
        page=page if page is not None else 1,
        per_page=per_page if per_page is not None else DEFAULT_PER_PAGE,
    )
    try:
        return search_query.validate()
    except InvalidSearchQuery as exc:
        raise bad_argument(exc) from exc
