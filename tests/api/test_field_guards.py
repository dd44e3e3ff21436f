"""Every field of the served schema carries its guards; parsed documents are kept, not their answers.

The guards (visibility, order allowlist, search text and hits, image arguments) are
wrapped around the resolvers when the schema is built (``api.field_guards``), not run
as middleware around every field of every response. These tests walk the served
schema, so a field grapple or we add later is checked without being listed here.
"""

import pytest
from graphql import GraphQLField, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, graphql_sync

from api import documents
from api.field_guards import FIELD_GUARDS, guard_schema
from api.middleware import argument_names
from api.schema import schema
from api.views import PartnerGraphQLView

GUARD_ORDER = [type(guard).__name__ for guard in FIELD_GUARDS]


def served_fields():
    for graphql_type in schema.graphql_schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                yield graphql_type.name, name, field


def expected_guards(type_name, name, field) -> list[str]:
    arguments = argument_names(field)
    expected = set()
    if "order" in arguments:
        expected.add("OrderAllowlistMiddleware")
    if name in ("srcSet", "rendition"):
        expected.add("ImageArgumentsMiddleware")
    if "search_query" in arguments:
        expected |= {"SearchHitMiddleware", "SearchTextMiddleware"}
    if name == "search" and "query" in arguments:
        expected.add("SearchTextMiddleware")
    expected.add("VisibilityMiddleware")
    return [guard for guard in GUARD_ORDER if guard in expected]


def test_every_field_of_the_served_schema_resolves_through_its_guards():
    walked = list(served_fields())
    wrong = {
        f"{type_name}.{name}": getattr(field.resolve, "guards", None)
        for type_name, name, field in walked
        if list(getattr(field.resolve, "guards", ())) != expected_guards(type_name, name, field)
    }

    assert wrong == {}
    # The walk reached the directory's types, grapple's pages and images, and the field api/schema.py adds.
    names = {f"{type_name}.{name}" for type_name, name, _ in walked}
    assert {"Structure.people", "Person.email", "ContentPage.children", "ImageObjectType.srcSet"} <= names
    assert {"DirectoryBlock.structures", "Query.directorySearch", "Query.pages", "Query.search"} <= names
    assert len(walked) > 500


def test_guards_are_not_run_a_second_time_as_middleware():
    assert PartnerGraphQLView().get_middleware(None) == []


def test_a_field_added_to_a_schema_gets_visibility_and_its_argument_guards(directory, rf):
    """guard_schema on a schema it has never seen: a draft structure comes back null, an order is checked."""
    leaky = GraphQLObjectType(
        "Query",
        {
            "draft": GraphQLField(GraphQLString, resolve=lambda root, info: directory["draft"]),
            "drafts": GraphQLField(GraphQLList(GraphQLString), resolve=lambda root, info: [directory["draft"], "ok"]),
        },
    )
    graphql_schema = GraphQLSchema(leaky)
    guard_schema(graphql_schema)

    result = graphql_sync(graphql_schema, "{ draft drafts }", context_value=rf.get("/graphql/"))

    assert (result.errors, result.data) == (None, {"draft": None, "drafts": ["ok"]})


def test_guarding_twice_wraps_once():
    field = GraphQLField(GraphQLString, resolve=lambda root, info: "x")
    graphql_schema = GraphQLSchema(GraphQLObjectType("Query", {"x": field}))
    guard_schema(graphql_schema)
    once = field.resolve
    guard_schema(graphql_schema)

    assert field.resolve is once and once.guards == ("VisibilityMiddleware",)


# -- the documents kept per worker ----------------------------------------------------------


@pytest.fixture
def empty_store(monkeypatch):
    monkeypatch.setattr(documents, "_kept", documents.OrderedDict())
    monkeypatch.setattr(documents, "_kept_characters", 0)


def test_a_document_is_parsed_and_validated_once_per_text_and_rules(empty_store, settings):
    graphql_schema = schema.graphql_schema
    rules = tuple(PartnerGraphQLView().get_validation_rules(None))
    first = documents.prepared_document(graphql_schema, "{ skills { slug } }", rules)
    again = documents.prepared_document(graphql_schema, "{ skills { slug } }", rules)
    invalid = documents.prepared_document(graphql_schema, "{ skills { nope } }", rules)
    preview = documents.prepared_document(graphql_schema, '{ page(token: "t") { title } }', rules)

    assert again is first and (first.errors, first.uses_preview_token) == ([], False)
    assert [e.message for e in invalid.errors] == ["Cannot query field 'nope' on type 'Skill'. Did you mean 'name'?"]
    assert preview.uses_preview_token is True
    # Other parsing limits: parsed again under them.
    settings.GRAPHQL_MAX_TOKENS = 3
    with pytest.raises(Exception, match="more than 3 tokens"):
        documents.prepared_document(graphql_schema, "{ skills { slug } }", rules)


def test_the_store_forgets_the_oldest_texts_beyond_its_size(empty_store, monkeypatch):
    monkeypatch.setattr(documents, "MAX_KEPT_CHARACTERS", 60)
    graphql_schema = schema.graphql_schema
    texts = [f"{{ a{i}: skills {{ slug }} }}" for i in range(4)]  # 23 characters each
    for text in texts:
        documents.prepared_document(graphql_schema, text, ())

    assert [key[1] for key in documents._kept] == texts[2:]
    assert documents._kept_characters == 46


def test_introspection_refusal_is_kept_apart_from_partners(partner_key, gql, settings):
    """Same text, other rules: a partner's allowed introspection never serves an anonymous caller."""
    settings.GRAPHQL_INTROSPECTION = False
    query = "{ __schema { queryType { name } } }"

    key_status, _ = gql(query, headers={"HTTP_X_API_KEY": partner_key[1]})
    anonymous_status, anonymous = gql(query)

    assert (key_status, anonymous_status) == (200, 400)
    assert "introspection" in anonymous["errors"][0]["message"].lower()
