"""The guards around every field's resolver, installed once on the served schema.

The guards (``api.middleware``, ``api.visibility``) used to run as graphql-core
middleware: around *every* field of every response, each asking of each value
whether it concerned it (a search results page is some 600 fields, five guards
each). They are now chosen once per field, when the schema is built, and wrapped
around that field's own resolver, innermost first, in the order the middleware
ran:

- ``OrderAllowlistMiddleware`` on fields with an ``order`` argument;
- ``ImageArgumentsMiddleware`` on ``srcSet`` and ``rendition`` (it still checks that
  the parent is an image);
- ``SearchHitMiddleware`` on fields with a ``searchQuery`` argument;
- ``SearchTextMiddleware`` on those and on ``search(query:)``;
- ``VisibilityMiddleware`` on every field, outermost: it filters what the field
  returned, by kind, whatever the field (a text or a number goes through at once).

Every object type of the schema is walked, grapple's and ours, the fields added
by ``api/schema.py`` included: a field added later is guarded without being listed.
``tests/api/test_field_guards.py`` walks the served schema and fails on a field
without its guards. The introspection types (``__Schema``, ``__Type``…) are
graphql-core's own and resolve the schema's description, never a model.
"""

from functools import partial

from graphene.types.resolver import dict_or_attr_resolver
from graphql import GraphQLObjectType, GraphQLSchema, default_field_resolver

from .middleware import ImageArgumentsMiddleware, OrderAllowlistMiddleware, SearchHitMiddleware, SearchTextMiddleware
from .visibility import VisibilityMiddleware

# Innermost first (graphql-core's order for a middleware list: the last one outermost).
FIELD_GUARDS = (
    OrderAllowlistMiddleware(),
    ImageArgumentsMiddleware(),
    SearchHitMiddleware(),
    # Outside SearchHitMiddleware: a hit is recorded for the cleaned text only.
    SearchTextMiddleware(),
    VisibilityMiddleware(),
)


def guards_for(parent_type: GraphQLObjectType, name: str, field) -> tuple:
    """The guards that can act on this field, innermost first."""
    return tuple(guard for guard in FIELD_GUARDS if guard.applies_to(parent_type, name, field))


def guard_field(parent_type: GraphQLObjectType, name: str, field) -> None:
    if getattr(field.resolve, "guards", None) is not None:  # already guarded (a field shared by two types)
        return
    guards = guards_for(parent_type, name, field)
    if not guards:  # never: visibility applies to every field (and the schema test would say so)
        return
    resolver = field.resolve or default_field_resolver
    for guard in guards:
        resolver = partial(guard.resolve, resolver)
    resolver.guards = tuple(type(guard).__name__ for guard in guards)
    resolver.plain_attribute = plain_attribute(field, guards)
    field.resolve = resolver


def plain_attribute(field, guards) -> tuple[str, object] | None:
    """(attribute, default) when the guarded field only reads an attribute (or a dict key) and filters it.

    That is graphene's default resolver (``dict_or_attr_resolver``) of a field
    without arguments, under the visibility guard alone: ``api.execution`` reads
    such a field directly and filters it with ``api.visibility.visible``, without
    the resolver chain (most fields of a search answer: names, labels, counts).
    """
    inner = field.resolve
    if (
        field.args
        or [type(guard) for guard in guards] != [VisibilityMiddleware]
        or not isinstance(inner, partial)
        or inner.func is not dict_or_attr_resolver
        or inner.keywords
        or len(inner.args) != 2
    ):
        return None
    return inner.args[0], inner.args[1]


def guard_schema(graphql_schema: GraphQLSchema) -> None:
    for graphql_type in graphql_schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                guard_field(graphql_type, name, field)
