"""The public GraphQL schema: grapple's, less the editorial metadata no visitor may read.

grapple builds each page type as a graphene-django ``DjangoObjectType`` of the page
model, so every column of Wagtail's ``Page`` comes along: ``draftTitle``,
``hasUnpublishedChanges``, ``latestRevisionCreatedAt``, ``lockedAt``, ``numchild``
(which counts private children), ``aliasOf``, the one-to-one links to each specific
page type… grapple offers no way to leave them out, so they are removed here, once,
by an allowlist: a page type keeps the fields of the page interface and the fields
its model declares in ``graphql_fields``. A column Wagtail adds later stays out.

The directory block (``home.blocks.DirectoryBlock``) only stores its filters: the
editorial app does not import the directory's search. Its ``structures`` field is
added here, on top of both, with the excerpt the page shows (``directory_pages``).

Then every field's resolver gets its guards (``api.field_guards``): visibility,
order allowlist, search text, image arguments.

``GRAPHENE["SCHEMA"]`` names this module, so the view, ``manage.py graphql_schema``
(``make schema``) and the tests all serve the same schema.
"""

from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLField, GraphQLList, GraphQLNonNull
from grapple.registry import registry
from grapple.schema import schema

from directory_pages.templatetags.directory_pages import excerpt_context

from .field_guards import guard_schema
from .graphql.directory.resolvers import with_hit_structures
from .graphql.directory.selection import selected_fields
from .visibility import Visibility

# Editorial state on grapple's page interface: whether an editor holds the page's lock.
PRIVATE_INTERFACE_FIELDS = ("locked",)
# Counts every child collection, restricted ones included.
PRIVATE_COLLECTION_FIELDS = ("numchild",)


def declared_field_names(model) -> set[str]:
    names = set()
    for field in getattr(model, "graphql_fields", ()):
        if callable(field):
            field = field()
        if isinstance(field, tuple):  # (field, wrapper), as grapple's GraphQLCollection gives
            field = field[0]() if callable(field[0]) else field[0]
        names.add(to_camel_case(field.field_name))
    return names


def prune(graphql_schema) -> None:
    interface = graphql_schema.get_type("PageInterface")
    for name in PRIVATE_INTERFACE_FIELDS:
        interface.fields.pop(name, None)
    kept_by_all_pages = set(interface.fields)
    for model, node in registry.pages.items():
        graphql_type = graphql_schema.get_type(node._meta.name)
        declared = declared_field_names(model) if isinstance(model, type) and hasattr(model, "_meta") else set()
        for name in list(graphql_type.fields):
            if name not in kept_by_all_pages and name not in declared:
                del graphql_type.fields[name]
    collection = graphql_schema.get_type("CollectionObjectType")
    for name in PRIVATE_COLLECTION_FIELDS:
        collection.fields.pop(name, None)


def resolve_directory_block_structures(block, info):
    value = getattr(block, "value", block)  # a stream child, or the StructValue itself
    result = excerpt_context(value)["result"]
    # As directorySearch: the hits are the service's cards, published a moment ago; what a card
    # lacks (people, skills, contact…) is loaded for the whole excerpt at once.
    Visibility.for_request(info.context).vouch_published(hit.structure.pk for hit in result.hits)
    return [hit.structure for hit in with_hit_structures(result, selected_fields(info)).hits]


def add_directory_block_structures(graphql_schema) -> None:
    block_type = graphql_schema.get_type("DirectoryBlock")
    structure_type = graphql_schema.get_type("Structure")
    block_type.fields["structures"] = GraphQLField(
        GraphQLNonNull(GraphQLList(GraphQLNonNull(structure_type))),
        resolve=resolve_directory_block_structures,
        description="Les structures publiées que l’extrait montre (par nom, `limit` au plus), comme sur la page.",
    )


prune(schema.graphql_schema)
add_directory_block_structures(schema.graphql_schema)
# Last: every field of the finished schema, those added above included.
guard_schema(schema.graphql_schema)
