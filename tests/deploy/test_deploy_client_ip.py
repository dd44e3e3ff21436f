"""One client-address rule for every throttle: only declared proxies are believed."""

import ast
from pathlib import Path

import pytest
from django.test import RequestFactory

from lagrappe.client_ip import client_bucket, client_ip

BASE_DIR = Path(__file__).resolve().parents[2]
QUERY = "{ skills { name } }"


def request_from(remote="198.51.100.7", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        pytest.param(0, "198.51.100.7", "203.0.113.1", "198.51.100.7", id="no-proxy-declared-header-ignored"),
        pytest.param(1, "10.0.0.2", "203.0.113.1", "203.0.113.1", id="one-proxy"),
        pytest.param(1, "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1", id="one-proxy-client-claim-ignored"),
        pytest.param(2, "10.0.0.3", "6.6.6.6, 203.0.113.1, 10.0.0.2", "203.0.113.1", id="two-proxies"),
        pytest.param(2, "10.0.0.3", "203.0.113.1", "203.0.113.1", id="fewer-entries-than-proxies"),
        pytest.param(1, "10.0.0.2", None, "10.0.0.2", id="proxy-declared-no-header"),
        pytest.param(1, "10.0.0.2", "203.0.113.1:51234", "203.0.113.1", id="ipv4-with-port"),
        pytest.param(1, "10.0.0.2", "[2001:DB8::1]:443", "2001:db8::1", id="ipv6-bracketed-normalised"),
        pytest.param(1, "10.0.0.2", "6.6.6.6, not-an-address", "unknown", id="garbage-from-the-proxy"),
    ],
)
def test_client_ip_takes_what_the_nearest_trusted_proxy_saw(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from(remote, forwarded)) == expected


def test_ipv6_clients_are_counted_per_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_bucket(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_bucket(request_from("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_bucket(request_from("198.51.100.7")) == "198.51.100.7"


def test_rotating_the_leftmost_forwarded_value_does_not_escape_the_api_limit(db, client, settings):
    # Given one proxy in front, a client that writes a new X-Forwarded-For value on each request…
    settings.TRUSTED_PROXY_COUNT = 1
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 2
    # The setting the docs used to recommend, which read the leftmost value: it must not matter.
    settings.GRAPHQL_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    statuses = [
        client.post(
            "/graphql/",
            {"query": QUERY},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.1",
        ).status_code
        for n in range(3)
    ]

    # …is still one client: the proxy appended the same address each time.
    assert statuses == [200, 200, 429]


def test_visitors_behind_the_proxy_get_their_own_api_window(db, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 1

    def call(visitor):
        return client.post(
            "/graphql/",
            {"query": QUERY},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=visitor,
        ).status_code

    assert [call("203.0.113.1"), call("203.0.113.2"), call("203.0.113.1")] == [200, 200, 429]


def test_the_join_form_counts_per_visitor_behind_the_proxy(db, client, settings):
    # The join form used REMOTE_ADDR: behind a proxy every visitor shared one quota.
    from directory.views import JOIN_RATE_LIMIT

    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(JOIN_RATE_LIMIT + 1):
        client.post("/annuaire/rejoindre/", {}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1")

    blocked = client.post("/annuaire/rejoindre/", {}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1")
    other = client.post("/annuaire/rejoindre/", {}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert (blocked.status_code, other.status_code) == (429, 200)


def project_modules():
    for path in sorted(BASE_DIR.glob("*/**/*.py")):
        relative = path.relative_to(BASE_DIR)
        if (
            relative.parts[0] in {".venv", "tests", "bench", "scripts", "node_modules"}
            or "migrations" in relative.parts
        ):
            continue
        yield relative, path


def test_only_the_resolver_reads_client_address_headers():
    # A second copy of the rule is where the next spoofing bug hides.
    readers = set()
    for relative, path in project_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in {"REMOTE_ADDR", "HTTP_X_FORWARDED_FOR"}:
                readers.add(str(relative))

    assert readers == {"lagrappe/client_ip.py"}
