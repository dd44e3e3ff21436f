"""An off-the-shelf client (gql + requests) against a live server, persisted queries included."""

import hashlib

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

QUERY = """
query Collectifs($categories: [String!]) {
  structures(categories: $categories, perPage: 10) {
    items { slug name categoryLabel people { fullName } }
    pagination { total totalPages }
  }
}
"""


# live_server needs committed rows: transactional tests; serialized_rollback restores the
# rows data migrations created (root collection, memberships) after each flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def live_directory(taxonomy, directory_builder):
    # A transactional test before this one may have flushed the rows data migrations
    # create (serialized_rollback restores them only when the database was serialized
    # for it): put back what the directory and images need.
    from wagtail.models import Collection

    from directory.models import MEMBERSHIP_CHOICES, Membership

    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    for slug, name in MEMBERSHIP_CHOICES:
        Membership.objects.get_or_create(slug=slug, defaults={"name": name})
    return directory_builder(taxonomy)


def test_gql_client_queries_with_variables_and_schema_validation(live_directory, live_server):
    transport = RequestsHTTPTransport(url=f"{live_server.url}/graphql/", timeout=10)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        result = session.execute(GraphQLRequest(QUERY, variable_values={"categories": ["collectif"]}))

    assert result["structures"] == {
        "items": [
            {
                "slug": "soleil-coop",
                "name": "Soleil Coop",
                "categoryLabel": "Projet collectif",
                "people": [{"fullName": "Alice Martin"}],
            }
        ],
        "pagination": {"total": 1, "totalPages": 1},
    }


def test_gql_client_surfaces_argument_errors(live_directory, live_server):
    transport = RequestsHTTPTransport(url=f"{live_server.url}/graphql/", timeout=10)
    with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as excinfo:
            session.execute(gql('{ structures(categories: ["inconnue"]) { items { slug } } }'))

    assert excinfo.value.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "categories"}


class PersistedQueryRequest(GraphQLRequest):
    """What Apollo's persisted-query link sends: the query's SHA-256 in `extensions`, the query only if asked."""

    def __init__(self, source: str, *, include_query: bool):
        super().__init__(source)
        self.include_query = include_query

    @property
    def payload(self):
        payload = super().payload
        sha = hashlib.sha256(payload["query"].encode()).hexdigest()
        payload["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
        if not self.include_query:
            del payload["query"]
        return payload


def test_apq_round_trip_with_gql_client(live_directory, live_server):
    """Apollo's protocol: hash only -> PersistedQueryNotFound; hash + query; then hash only works."""
    query_text = "{ sectors { slug } }"
    url = f"{live_server.url}/graphql/"

    with Client(transport=RequestsHTTPTransport(url=url, timeout=10)) as session:
        with pytest.raises(TransportQueryError) as excinfo:
            session.execute(PersistedQueryRequest(query_text, include_query=False))
        registered = session.execute(PersistedQueryRequest(query_text, include_query=True))
        by_hash = session.execute(PersistedQueryRequest(query_text, include_query=False))

    assert excinfo.value.errors == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    assert registered == by_hash == {"sectors": [{"slug": "alimentation"}, {"slug": "energie"}]}
