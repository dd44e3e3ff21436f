"""The short-path execution answers exactly what graphql-core's own execution answers.

Each document runs through both (``api.execution.ShortPathExecutionContext`` and
graphql-core's ``ExecutionContext``) with the same schema, request and variables;
data and formatted errors (messages, paths, locations) must be equal.
"""

import graphene
import pytest
from graphql import (
    ExecutionContext,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)

from api.execution import ShortPathExecutionContext, is_awaitable
from api.field_guards import guard_schema
from api.schema import schema
from tests.api.test_directory_queries import STRUCTURE_FIELDS


def both(graphql_schema, document, context=None, variables=None):
    answers = []
    for execution_context_class in (ExecutionContext, ShortPathExecutionContext):
        result = execute(
            graphql_schema,
            parse(document),
            context_value=context,
            variable_values=variables,
            execution_context_class=execution_context_class,
            is_awaitable=is_awaitable,
        )
        answers.append((result.data, [error.formatted for error in result.errors or ()]))
    return answers


def fail(root, info):
    raise ValueError("résolveur en échec")


Named = GraphQLInterfaceType("Named", {"name": GraphQLField(GraphQLString)}, resolve_type=lambda value, *_: "Thing")
Thing = GraphQLObjectType(
    "Thing",
    {
        "name": GraphQLField(GraphQLString),
        "size": GraphQLField(GraphQLNonNull(GraphQLInt)),
        "tags": GraphQLField(GraphQLList(GraphQLNonNull(GraphQLString))),
    },
    interfaces=[Named],
)
Colour = GraphQLEnumType("Colour", {"RED": "red", "GREEN": "green"})
Odd = GraphQLScalarType("Odd", serialize=lambda value: None if value == "bad" else value)
THINGS = [{"name": "a", "size": 1, "tags": ["x"]}, {"name": "b", "size": None, "tags": ["y", None]}]
EDGES = GraphQLSchema(
    GraphQLObjectType(
        "Query",
        {
            "text": GraphQLField(GraphQLString, resolve=lambda *_: "texte"),
            "number": GraphQLField(GraphQLNonNull(GraphQLInt), resolve=lambda *_: 3),
            "missing": GraphQLField(GraphQLString, resolve=lambda *_: None),
            "requiredMissing": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda *_: None),
            "failing": GraphQLField(GraphQLString, resolve=fail),
            "requiredFailing": GraphQLField(GraphQLNonNull(GraphQLString), resolve=fail),
            "returnedError": GraphQLField(GraphQLString, resolve=lambda *_: ValueError("rendue, pas levée")),
            "badNumber": GraphQLField(GraphQLInt, resolve=lambda *_: "douze"),
            "colour": GraphQLField(Colour, resolve=lambda *_: "green"),
            "badColour": GraphQLField(Colour, resolve=lambda *_: "blue"),
            "odd": GraphQLField(Odd, resolve=lambda *_: "bad"),
            "things": GraphQLField(GraphQLList(Thing), resolve=lambda *_: THINGS),
            "requiredThings": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(Thing))), resolve=lambda *_: THINGS
            ),
            "named": GraphQLField(GraphQLList(Named), resolve=lambda *_: THINGS[:1]),
            "notAList": GraphQLField(GraphQLList(GraphQLString), resolve=lambda *_: 5),
            "echo": GraphQLField(
                GraphQLString,
                args={"value": GraphQLArgument(GraphQLString, default_value="défaut")},
                resolve=lambda root, info, value: value,
            ),
        },
    ),
    types=[Thing],
)


@pytest.mark.parametrize(
    "document",
    [
        '{ text number missing colour echo e2: echo(value: "donnée") }',
        "{ text requiredMissing }",
        "{ failing text }",
        "{ requiredFailing }",
        "{ returnedError badNumber badColour odd }",
        "{ things { name size tags } }",
        "{ requiredThings { name } }",
        "{ requiredThings { size } }",
        "{ named { name ... on Thing { size } __typename } }",
        "{ notAList }",
    ],
)
def test_edge_cases_answer_the_same(document):
    reference, short_path = both(EDGES, document)

    assert short_path == reference


def test_a_list_with_a_null_where_none_is_allowed_answers_the_same():
    reference, short_path = both(EDGES, "{ things { tags } }")

    assert short_path == reference
    assert reference[1][0]["path"] == ["things", 1, "tags", 1]


@pytest.mark.parametrize(
    "document, variables, shown",
    [
        pytest.param(
            "query ($q: String) { directorySearch(query: $q, perPage: 10) { total engine hits { score distanceKm "
            "highlights { field fragments } structure { " + STRUCTURE_FIELDS + " } } "
            "facets { categories { value label count } skills { value label count } cities { value count } } } }",
            {"q": "soleil"},
            "Alice Martin",
            id="directorySearch",
        ),
        pytest.param(
            "{ structures { items { " + STRUCTURE_FIELDS + " } pagination { total } } }",
            None,
            "Chloé Durand",
            id="structures",
        ),
        pytest.param(
            '{ structure(slug: "soleil-coop") { name people { fullName skills { name domain { name } } } } '
            "skills { slug structureCount domain { skills { slug } } } skillDomains { name } sectors { name } }",
            None,
            "circuits-courts",
            id="taxonomy",
        ),
        pytest.param(
            "{ pages { __typename id title url ... on ContentPage { body { __typename } } children { title } } "
            "site { hostname rootPage { title } } }",
            None,
            "Welcome to your new Wagtail site",
            id="pages",
        ),
        pytest.param(
            '{ structure(slug: "brouillon-secret") { name } directorySuggest(prefix: "sol") { label } }',
            None,
            "Soleil Coop",
            id="hidden",
        ),
    ],
)
def test_the_served_schema_answers_the_same(directory, rf, document, variables, shown):
    request = rf.post("/graphql/")
    reference, short_path = both(schema.graphql_schema, document, request, variables)

    assert short_path == reference
    assert reference[1] == []
    assert shown in str(reference[0]) and "Secret" not in str(reference[0])


# A graphene schema guarded as the served one is (api.field_guards): its fields without a
# resolver read an attribute under the visibility guard alone, the short path's own case.
class Box:
    def __init__(self, **values):
        self.__dict__.update(values)

    @property
    def broken(self):
        raise ValueError("propriété en échec")


class Shade(graphene.Enum):
    LIGHT = "light"
    DARK = "dark"


class BoxType(graphene.ObjectType):
    name = graphene.String(required=True)
    label = graphene.String()
    count = graphene.Int(required=True)
    ratio = graphene.Float()
    flag = graphene.Boolean()
    shade = graphene.Field(Shade)
    broken = graphene.String()
    words = graphene.List(graphene.NonNull(graphene.String))
    children = graphene.List(graphene.NonNull(lambda: BoxType))
    loose = graphene.List(lambda: BoxType)

    class Meta:
        name = "Box"


def make_boxes():
    return [
        Box(name="a", label="étiquette", count=1, ratio=0.5, flag=True, shade="dark", words=["x", "y"], children=[]),
        {"name": "b", "label": None, "count": 7, "ratio": 2, "flag": False, "shade": "light", "words": ("z",)},
        Box(name=12, label=True, count=2**31, ratio=float("inf"), flag=1, shade="grey", words=["x", 3]),
        Box(name=None, label="l", count=None, children=[Box(name="c", count="3"), None]),
        Box(name="d", count=True, ratio=3, children=[Box(name=None, count=1)], loose=[None, Box(name="e", count=2)]),
    ]


class BoxQuery(graphene.ObjectType):
    boxes = graphene.List(BoxType)
    required_boxes = graphene.List(graphene.NonNull(BoxType), required=True)

    @staticmethod
    def resolve_boxes(root, info):
        return make_boxes()

    @staticmethod
    def resolve_required_boxes(root, info):
        return make_boxes()[:2]


GUARDED = graphene.Schema(query=BoxQuery).graphql_schema
guard_schema(GUARDED)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param("{ boxes { name } }", id="null in a non-null text"),
        pytest.param("{ boxes { label count } }", id="int out of bounds, null int"),
        pytest.param("{ boxes { ratio flag } }", id="float and boolean coercions"),
        pytest.param("{ boxes { shade } }", id="enum, unknown value"),
        pytest.param("{ boxes { broken label } }", id="a property that raises"),
        pytest.param("{ boxes { words } }", id="lists of texts"),
        pytest.param("{ boxes { children { name count } } }", id="null item in a non-null list"),
        pytest.param("{ boxes { loose { name } } }", id="null item allowed"),
        pytest.param("{ requiredBoxes { name label count ratio flag shade words } }", id="dict and object sources"),
        pytest.param("{ boxes { n: name, n2: name, __typename } }", id="aliases"),
    ],
)
def test_guarded_attribute_fields_answer_the_same(document, rf):
    reference, short_path = both(GUARDED, document, rf.post("/graphql/"))

    assert short_path == reference


def test_guarded_attribute_fields_take_the_short_path():
    box = GUARDED.get_type("Box")

    assert box.fields["name"].resolve.plain_attribute == ("name", None)
    # A field with its own resolver or with arguments keeps the resolver chain.
    assert GUARDED.get_type("BoxQuery").fields["boxes"].resolve.plain_attribute is None
    served = schema.graphql_schema
    assert served.get_type("DirectoryFacetValue").fields["label"].resolve.plain_attribute == ("label", None)
    assert served.get_type("Structure").fields["url"].resolve.plain_attribute is None
