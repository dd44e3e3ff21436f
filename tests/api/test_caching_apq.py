"""HTTP caching of anonymous GET queries and Apollo-compatible persisted queries."""

import hashlib
import json

QUERY = "{ sectors { slug name } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()


def apq_extensions(sha=SHA):
    return json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha}})


def test_anonymous_get_is_publicly_cacheable_with_strong_etag(directory, client):
    response = client.get("/graphql/", {"query": QUERY})

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["ETag"] == '"' + hashlib.sha256(response.content).hexdigest() + '"'


def test_if_none_match_gives_304_without_body(directory, client):
    etag = client.get("/graphql/", {"query": QUERY})["ETag"]

    response = client.get("/graphql/", {"query": QUERY}, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_changed_data_changes_the_etag(directory, client):
    from directory.models import Sector

    before = client.get("/graphql/", {"query": QUERY})["ETag"]
    Sector.objects.create(name="Mobilité", slug="mobilite")
    response = client.get("/graphql/", {"query": QUERY}, HTTP_IF_NONE_MATCH=before)

    assert response.status_code == 200
    assert response["ETag"] != before


def test_post_errors_and_editor_sessions_are_not_cacheable(directory, client, admin_user):
    post = client.post("/graphql/", {"query": QUERY}, content_type="application/json")
    error = client.get("/graphql/", {"query": "{ structures(perPage: 0) { items { slug } } }"})
    client.force_login(admin_user)
    editor = client.get("/graphql/", {"query": QUERY})

    assert [r["Cache-Control"] for r in (post, error, editor)] == ["no-store"] * 3
    assert not any(r.has_header("ETag") for r in (post, error, editor))


def test_apq_round_trip_over_get(directory, client):
    unknown = client.get("/graphql/", {"extensions": apq_extensions()})
    registered = client.post(
        "/graphql/",
        {"query": QUERY, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": SHA}}},
        content_type="application/json",
    )
    by_hash = client.get("/graphql/", {"extensions": apq_extensions()})

    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    assert registered.json() == by_hash.json()
    assert by_hash.json()["data"]["sectors"][0] == {"slug": "alimentation", "name": "Alimentation"}
    assert by_hash["Cache-Control"] == "public, max-age=60"


def test_apq_refuses_a_hash_that_is_not_the_query_hash(directory, client):
    response = client.post(
        "/graphql/",
        {"query": "{ skills { slug } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": SHA}}},
        content_type="application/json",
    )
    follow_up = client.get("/graphql/", {"extensions": apq_extensions()})

    assert response.json()["errors"][0]["message"] == "provided sha does not match query"
    assert follow_up.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # nothing was stored
