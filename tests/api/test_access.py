"""Partner keys and rate limits."""

import time
from types import SimpleNamespace

import pytest

from api.models import PartnerKey, hash_key
from lagrappe import ratelimit

QUERY = "{ sectors { slug } }"


@pytest.fixture(autouse=True)
def one_rate_window(monkeypatch, settings):
    """The throttle's clock stands still in the middle of a window.

    Windows are aligned on the wall clock: on a loaded machine a test's requests
    could straddle a boundary, the count restart at zero and an expected 429 never
    come. Every request of a test now falls in the same window.
    """
    window = settings.GRAPHQL_RATE_LIMIT_WINDOW
    middle = (time.time() // window) * window + window / 2
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: middle))


def test_key_is_stored_as_prefix_and_hash_only(partner_key):
    key, raw = partner_key
    stored = PartnerKey.objects.get(pk=key.pk)

    assert raw.startswith(f"lgr_{stored.prefix}_")
    assert stored.key_hash == hash_key(raw)
    assert raw not in {getattr(stored, f.attname) for f in PartnerKey._meta.concrete_fields}


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_valid_key_is_accepted_in_either_header(partner_key, gql, header):
    key, raw = partner_key
    value = f"Bearer {raw}" if header == "HTTP_AUTHORIZATION" else raw

    status, body = gql(QUERY, headers={header: value})

    assert (status, body) == (200, {"data": {"sectors": []}})
    assert PartnerKey.objects.get(pk=key.pk).last_used_at is not None


@pytest.mark.parametrize("raw", ["lgr_deadbeef_nope", "n'importe quoi"], ids=["unknown", "malformed"])
def test_invalid_key_is_401(db, gql, raw):
    status, body = gql(QUERY, headers={"HTTP_X_API_KEY": raw})

    assert status == 401
    assert body == {
        "errors": [{"message": "Clé d’API invalide ou révoquée.", "extensions": {"code": "INVALID_API_KEY"}}]
    }


def test_revoked_key_is_401(partner_key, gql):
    key, raw = partner_key
    PartnerKey.objects.filter(pk=key.pk).update(revoked=True)

    status, body = gql(QUERY, headers={"HTTP_X_API_KEY": raw})

    assert status == 401


def test_key_bound_to_origins(partner_key, gql):
    key, raw = partner_key
    key.allowed_origins = "https://www.partenaire.fr\n"
    key.save()

    ok, _ = gql(QUERY, headers={"HTTP_X_API_KEY": raw, "HTTP_ORIGIN": "https://www.partenaire.fr"})
    refused, body = gql(QUERY, headers={"HTTP_X_API_KEY": raw, "HTTP_ORIGIN": "https://evil.example"})

    assert (ok, refused) == (200, 403)
    assert body["errors"][0]["extensions"]["code"] == "ORIGIN_NOT_ALLOWED"


def test_anonymous_rate_limit_per_ip_gives_429_with_retry_after(db, gql, settings):
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 3
    statuses = [gql(QUERY)[0] for _ in range(3)]
    response = gql.client.post("/graphql/", {"query": QUERY}, content_type="application/json")

    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Another IP has its own window.
    other = gql.client.post("/graphql/", {"query": QUERY}, content_type="application/json", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_partner_key_raises_the_limit(partner_key, gql, settings):
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 2
    settings.GRAPHQL_RATE_LIMIT_KEY = 5
    _, raw = partner_key

    anonymous = [gql(QUERY)[0] for _ in range(3)]
    with_key = [gql(QUERY, headers={"HTTP_X_API_KEY": raw})[0] for _ in range(6)]

    assert anonymous == [200, 200, 429]
    assert with_key == [200, 200, 200, 200, 200, 429]


def test_batch_counts_each_operation(db, client, settings):
    import json

    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 4
    batch = json.dumps([{"query": QUERY}] * 3)

    first = client.post("/graphql/", batch, content_type="application/json")
    second = client.post("/graphql/", batch, content_type="application/json")

    assert (first.status_code, second.status_code) == (200, 429)


def test_key_bound_to_origins_is_refused_without_an_origin(partner_key, gql):
    key, raw = partner_key
    key.allowed_origins = "https://www.partenaire.fr\n"
    key.save()

    status, body = gql(QUERY, headers={"HTTP_X_API_KEY": raw})

    assert status == 403
    assert body["errors"][0] == {
        "message": "Cette clé d’API est réservée à ses origines autorisées : l’en-tête Origin manque.",
        "extensions": {"code": "ORIGIN_NOT_ALLOWED"},
    }


def test_key_without_origins_works_without_an_origin(partner_key, gql):
    status, _ = gql(QUERY, headers={"HTTP_X_API_KEY": partner_key[1]})

    assert status == 200
