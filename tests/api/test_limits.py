"""Bounded requests: tokens, depth, cost (aliases and list sizes), body size, batching, introspection."""

import json

import pytest
from graphql import GraphQLError

from api.limits import measure, parse_bounded
from api.schema import schema
from api.views import PartnerGraphQLView


def test_ten_thousand_token_query_is_refused_fast(db, gql):
    query = "{ " + "s " * 10_000 + "}"  # 10,002 tokens

    with pytest.raises(GraphQLError) as refused:
        parse_bounded(query)
    status, body = gql(query)

    assert status == 400
    assert body["errors"][0]["message"] == "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    # The parser stops at token 2001 instead of reading all 10,002 (structural, not timed: the error's
    # position is where it stopped, within the first 2001 tokens of two characters each).
    assert refused.value.positions[0] <= 2 * 2001 + 2


def test_too_deep_query_is_refused(db, gql):
    # skills > domain > skills > … : 15 levels of fields, then `slug` at depth 16.
    query = "slug"
    for level in range(15):
        query = f"{'skills' if level % 2 == 0 else 'domain'} {{ {query} }}"
    status, body = gql("{ " + query + " }")

    assert status == 400
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert error["message"] == "Requête trop profonde : profondeur 16, au plus 15."


def test_cost_counts_aliases_and_list_sizes(db):
    one = parse_bounded("{ structures(perPage: 100) { items { name skills { name } } } }")
    aliased = parse_bounded(
        "{ a: structures(perPage: 100) { items { name skills { name } } } "
        "b: structures(perPage: 100) { items { name skills { name } } } }"
    )
    graphql_schema = schema.graphql_schema

    cost_one = measure(graphql_schema, one, one.definitions[0], {}).cost
    cost_two = measure(graphql_schema, aliased, aliased.definitions[0], {}).cost

    # structures: 1 + 100 × (items: 1 + name 1 + skills (1 + name 1)) = 1 + 100 × 4 = 401
    assert cost_one == 401
    assert cost_two == 2 * cost_one


def test_cost_uses_variables_and_defaults(db):
    document = parse_bounded("query($n: Int) { structures(perPage: $n) { items { name } } sectors { name } }")

    with_var = measure(schema.graphql_schema, document, document.definitions[0], {"n": 50}).cost
    default = measure(schema.graphql_schema, document, document.definitions[0], {}).cost

    assert with_var == 1 + 50 * 2 + 2
    assert default == 1 + 20 * 2 + 2  # perPage defaults to 20
    # Measured again with each request's variables, in either order.
    assert measure(schema.graphql_schema, document, document.definitions[0], {"n": 80}).cost == 1 + 80 * 2 + 2
    assert measure(schema.graphql_schema, document, document.definitions[0], {}).cost == default


def test_cost_written_in_the_document_is_measured_once_per_parsed_document(db):
    text = "{ structures(perPage: 30) { items { name } } }"
    document = parse_bounded(text)

    first = measure(schema.graphql_schema, document, document.definitions[0], {})
    assert measure(schema.graphql_schema, document, document.definitions[0], {"n": 1}) is first
    assert first.cost == 1 + 30 * 2
    # Another parse of the same text is another document: measured for itself.
    other = parse_bounded(text)
    assert measure(schema.graphql_schema, other, other.definitions[0], {}) is not first


def test_too_costly_query_is_refused_with_clear_error(db, gql):
    fields = " ".join(
        f"s{i}: directorySearch(perPage: 100) {{ hits {{ structure {{ name skills {{ name }} sectors {{ name }} }} }} }}"
        for i in range(40)
    )
    status, body = gql("{ " + fields + " }")

    assert status == 400
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["message"].startswith("Requête trop coûteuse : coût ")


def test_request_body_over_limit_is_refused(db, gql, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 1000
    status, body = gql("{ sectors { name } }" + " " * 2000)

    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_batch_of_operations_within_limit(db, gql):
    batch = [{"query": "{ sectors { slug } }"}, {"query": "{ skillDomains { slug } }"}]
    response = gql.client.post("/graphql/", json.dumps(batch), content_type="application/json")

    assert response.status_code == 200
    assert response.json() == [{"data": {"sectors": []}}, {"data": {"skillDomains": []}}]


def test_batch_over_limit_is_refused(db, gql):
    batch = [{"query": "{ sectors { slug } }"}] * 6
    response = gql.client.post("/graphql/", json.dumps(batch), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Lot de 6 opérations : de 1 à 5 par requête."


def test_introspection_on_by_default_and_off_by_setting(db, gql, settings):
    status, body = gql("{ __schema { queryType { name } } }")
    assert (status, body) == (200, {"data": {"__schema": {"queryType": {"name": "Query"}}}})

    settings.GRAPHQL_INTROSPECTION = False
    status, body = gql("{ __schema { queryType { name } } }")
    assert status == 400
    assert "introspection" in body["errors"][0]["message"].lower()


def test_full_introspection_query_passes_the_limits(db, gql):
    from graphql import get_introspection_query

    status, body = gql(get_introspection_query(descriptions=True))

    assert status == 200, body["errors"] if body.get("errors") else None
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_mutation_over_get_is_refused(db, gql):
    status, body = gql("mutation { noSuchField }", method="get")

    assert status == 405
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "body, message",
    [
        pytest.param("{not json", "Le corps de la requête n’est pas du JSON valide.", id="invalid-json"),
        pytest.param("42", "Le corps doit être un objet JSON (ou une liste d’objets).", id="scalar"),
    ],
)
def test_malformed_bodies_are_400_not_500(db, client, body, message):
    response = client.post("/graphql/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message


NESTED = "[" * 3000 + "]" * 3000  # 6 KB of nested arrays


@pytest.mark.parametrize(
    "send, field",
    [
        pytest.param(
            lambda c: c.post("/graphql/", NESTED, content_type="application/json"), "Le corps de la requête", id="body"
        ),
        pytest.param(
            lambda c: c.post(
                "/graphql/",
                '{"query": "{ sectors { slug } }", "variables": {"x": ' + NESTED + "}}",
                content_type="application/json",
            ),
            "Le corps de la requête",
            id="post-variables",
        ),
        pytest.param(
            lambda c: c.get("/graphql/", {"query": "{ sectors { slug } }", "variables": NESTED}),
            "Le paramètre « variables »",
            id="get-variables",
        ),
    ],
)
def test_deeply_nested_json_is_a_clear_400_not_a_500(db, client, send, field):
    response = send(client)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "JSON_TOO_DEEP"}
    assert error["message"] == f"{field} imbrique plus de 32 niveaux de listes ou d’objets JSON : simplifiez-le."


def test_introspection_is_costed_aliases_included(db, gql):
    from graphql import get_introspection_query

    deep = " ".join(
        f"a{i}: __schema {{ types {{ name fields {{ name type {{ name fields {{ name type {{ name }} }} }} }} }} }}"
        for i in range(20)
    )
    full = get_introspection_query(descriptions=False)
    two_full = full.replace(
        "query IntrospectionQuery {", "query IntrospectionQuery { again: __schema { types { ...FullType } }"
    )

    status, body = gql("{ " + deep + " }")
    twice_status, twice = gql(two_full)
    once_status, _ = gql(full)

    assert (status, body["errors"][0]["extensions"]["code"]) == (400, "QUERY_TOO_COSTLY")
    assert (twice_status, twice["errors"][0]["extensions"]["code"]) == (400, "QUERY_TOO_COSTLY")
    assert once_status == 200


def test_introspection_off_refuses_anonymous_callers_only(partner_key, gql, settings):
    settings.GRAPHQL_INTROSPECTION = False
    query = "{ __schema { queryType { name } } }"

    anonymous_status, anonymous = gql(query)
    key_status, with_key = gql(query, headers={"HTTP_X_API_KEY": partner_key[1]})

    assert anonymous_status == 400
    assert "introspection" in anonymous["errors"][0]["message"].lower()
    assert (key_status, with_key) == (200, {"data": {"__schema": {"queryType": {"name": "Query"}}}})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {
                "data": {
                    "s": {"name": "Café « Été »\u2028", "score": 12.5, "d": 0.1, "n": None, "ok": True, "l": [1, -2]}
                }
            },
            id="answer",
        ),
        pytest.param(
            {"errors": [{"message": "Requête trop coûteuse", "extensions": {"cost": 10**30}}]}, id="huge cost"
        ),
    ],
)
def test_answers_are_encoded_as_compact_utf8_json(body):
    encoded = PartnerGraphQLView().json_encode(None, body)

    assert encoded == json.dumps(body, separators=(",", ":"), ensure_ascii=False)
