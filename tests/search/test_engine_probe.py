"""What answers at ELASTICSEARCH_URL: asked on first use, never while Django starts.

The stand-in servers below imitate what managed or minimal engines answer
(a 405 root, a refused ``_nodes``); the real engines are checked by the tests
marked ``engine`` (OpenSearch and Elasticsearch 9 in CI).
"""

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lagrappe import engine_probe
from lagrappe.engine_probe import EngineProbeError, engine_info, probe_engine

ROOT = Path(__file__).resolve().parents[2]

ES_MINIMAL = {  # Elastic's integ-test zip: no root handler, no analysis-common
    "/": (405, {"X-elastic-product": "Elasticsearch", "Allow": "DELETE"}, {"error": "Incorrect HTTP method"}),
    "/_nodes": (
        200,
        {"X-elastic-product": "Elasticsearch"},
        {
            "nodes": {
                "a": {
                    "version": "9.2.0",
                    "modules": [
                        {"name": "transport-netty4", "classname": "org.elasticsearch.transport.netty4.Netty4Plugin"},
                        {"name": "x-pack-core", "classname": "org.elasticsearch.xpack.core.XPackPlugin"},
                    ],
                    "plugins": [],
                }
            }
        },
    ),
}
OPENSEARCH_2 = {  # no product header; the root endpoint names the distribution
    "/": (200, {}, {"version": {"distribution": "opensearch", "number": "2.19.1"}}),
    "/_nodes": (
        200,
        {},
        {
            "nodes": {
                "a": {"version": "2.19.1", "modules": [{"name": "analysis-common"}, {"name": "geo"}]},
                "b": {"version": "2.19.0", "modules": [{"name": "analysis-common"}]},
            }
        },
    ),
}
MIXED_CLUSTER = {  # one node without the module: the index would fail on it
    "/_nodes": (
        200,
        {"X-elastic-product": "Elasticsearch"},
        {
            "nodes": {
                "a": {"version": "8.15.0", "modules": [{"name": "analysis-common"}]},
                "b": {"version": "8.15.0", "modules": []},
            }
        },
    ),
}
RESTRICTED = {  # a managed service that refuses the nodes info API
    "/": (200, {"X-elastic-product": "Elasticsearch"}, {"version": {"number": "8.17.1"}}),
    "/_nodes": (403, {"X-elastic-product": "Elasticsearch"}, {"error": "forbidden"}),
    "/_analyze": (200, {"X-elastic-product": "Elasticsearch"}, {"tokens": []}),
}
NOT_AN_ENGINE = {"/": (200, {"Content-Type": "text/html"}, "<html>hello</html>")}


class StandIn:
    """A tiny HTTP server answering fixed responses per path (query strings ignored)."""

    def __init__(self, routes):
        self.routes = routes
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                path = self.path.split("?")[0]
                owner.requests.append(f"{self.command} {path}")
                status, headers, body = owner.routes.get(path, (404, {}, {"error": "not found"}))
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in():
    servers = []

    def start(routes):
        servers.append(StandIn(routes))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def forget_probes():
    engine_probe.forget()
    yield
    engine_probe.forget()


# --------------------------------------------------------------------------- no network at start-up


def test_importing_settings_and_loading_apps_makes_no_network_call():
    """Settings, every app, the URLconf and the system checks load without touching the engine.

    The engine URL points at a socket that listens but never answers: any
    connection would show up in its backlog, and a request would hang.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "import lagrappe.urls\n"
        "call_command('check', verbosity=0)\n"
        "print(settings.WAGTAILSEARCH_BACKENDS['default']['BACKEND'])\n"
    )
    env = {**os.environ, "ELASTICSEARCH_URL": url, "DJANGO_SETTINGS_MODULE": "lagrappe.settings.test"}
    env.pop("SEARCH_ENGINE", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "lagrappe.page_search"
    listener.setblocking(False)
    with pytest.raises(BlockingIOError):  # nobody connected
        listener.accept()
    listener.close()


# --------------------------------------------------------------------------- detection


def test_minimal_elasticsearch_is_told_by_its_header_although_its_root_answers_405(stand_in):
    server = stand_in(ES_MINIMAL)

    info = probe_engine(server.url)

    assert (info.product, info.version, info.analysis_common) == ("elasticsearch", "9.2.0", False)
    assert info.detected_by == "en-tête X-elastic-product"
    assert info.wagtail_backend == "wagtail.search.backends.elasticsearch9"
    assert "GET /" not in server.requests  # the header and _nodes were enough


def test_opensearch_without_product_header_is_told_by_its_root_endpoint(stand_in):
    server = stand_in(OPENSEARCH_2)

    info = probe_engine(server.url)

    assert (info.product, info.version, info.analysis_common) == ("opensearch", "2.19.0", True)
    assert info.wagtail_backend == "wagtail.search.backends.opensearch2"
    assert server.requests == ["GET /_nodes", "GET /"]


def test_a_cluster_counts_as_having_analysis_common_only_if_every_node_has_it(stand_in):
    info = probe_engine(stand_in(MIXED_CLUSTER).url)

    assert (info.product, info.version, info.analysis_common) == ("elasticsearch", "8.15.0", False)


def test_when_nodes_info_is_refused_the_filters_themselves_are_tried(stand_in):
    server = stand_in(RESTRICTED)

    info = probe_engine(server.url)

    assert (info.product, info.version, info.analysis_common) == ("elasticsearch", "8.17.1", True)
    assert server.requests == ["GET /_nodes", "GET /", "POST /_analyze"]
    RESTRICTED_NO_MODULE = {**RESTRICTED, "/_analyze": (400, {"X-elastic-product": "Elasticsearch"}, {"error": "x"})}
    assert probe_engine(stand_in(RESTRICTED_NO_MODULE).url).analysis_common is False


def test_something_else_at_the_url_is_an_error_naming_it(stand_in):
    server = stand_in(NOT_AN_ENGINE)

    with pytest.raises(EngineProbeError, match="ni comme Elasticsearch ni comme OpenSearch"):
        probe_engine(server.url)


def test_credentials_in_the_url_are_sent_and_never_logged(stand_in, caplog):
    server = stand_in(ES_MINIMAL)
    seen = []
    original = server.server.RequestHandlerClass._answer

    def spy(handler):
        seen.append(handler.headers.get("Authorization"))
        original(handler)

    server.server.RequestHandlerClass.do_GET = spy
    url = server.url.replace("http://", "http://lecteur:s%C3%A9cret@")

    with caplog.at_level("INFO", logger="lagrappe.engine_probe"):
        engine_info(url)

    assert seen == ["Basic bGVjdGV1cjpzw6ljcmV0"]  # lecteur:sécret
    assert "sécret" not in caplog.text and "s%C3%A9cret" not in caplog.text
    assert "lecteur:***@" in caplog.text


def test_a_down_engine_costs_one_probe_then_is_not_asked_again_for_a_while(monkeypatch):
    calls = []
    real = engine_probe.probe_engine

    def counted(url, timeout=engine_probe.PROBE_TIMEOUT):
        calls.append(url)
        return real(url, timeout)

    monkeypatch.setattr(engine_probe, "probe_engine", counted)
    dead = "http://127.0.0.1:9"  # discard port: refused at once

    for _ in range(3):
        with pytest.raises(EngineProbeError, match=r"ne répond pas : ConnectionError"):
            engine_info(dead)
    assert calls == [dead]

    monkeypatch.setattr(engine_probe, "RETRY_AFTER", 0.0)
    with pytest.raises(EngineProbeError):
        engine_info(dead)
    assert calls == [dead, dead]


def test_the_answer_is_cached_for_the_process(stand_in):
    server = stand_in(ES_MINIMAL)

    first = engine_info(server.url)
    second = engine_info(server.url)

    assert first is second
    assert server.requests == ["GET /_nodes"]


# --------------------------------------------------------------------------- Wagtail's page search


def _page_backend(settings, url, declared=None):
    from lagrappe.page_search import SearchBackend

    settings.ELASTICSEARCH_URL = url
    settings.SEARCH_ENGINE = declared
    return SearchBackend(dict(settings.WAGTAILSEARCH_BACKENDS.get("default", {}), URLS=[url]))


def test_page_search_uses_the_declared_backend_while_the_engine_is_down(settings):
    backend = _page_backend(settings, "http://127.0.0.1:9", declared="elasticsearch9")

    assert type(backend).__module__ == "modelsearch.backends.elasticsearch9"


def test_page_search_falls_back_to_the_database_on_a_node_without_analysis_common(db, settings, stand_in):
    backend = _page_backend(settings, stand_in(ES_MINIMAL).url, declared="elasticsearch9")

    assert type(backend).__module__.startswith("modelsearch.backends.database")


def test_page_search_follows_the_engine_over_a_wrong_declaration(settings, stand_in):
    backend = _page_backend(settings, stand_in(OPENSEARCH_2).url, declared="elasticsearch9")

    assert type(backend).__module__ == "modelsearch.backends.opensearch2"


def test_page_search_switching_kinds_does_not_leak_client_options(settings, stand_in):
    """modelsearch writes its client's timeout option into OPTIONS: never into our settings."""
    from lagrappe.page_search import SearchBackend

    full_elasticsearch = {
        "/_nodes": (
            200,
            {"X-elastic-product": "Elasticsearch"},
            {"nodes": {"a": {"version": "9.2.0", "modules": [{"name": "analysis-common"}]}}},
        )
    }
    params = {"URLS": ["http://127.0.0.1:9"], "TIMEOUT": 5, "OPTIONS": {}, "INDEX_PREFIX": "t_"}
    settings.SEARCH_ENGINE = None
    assert type(SearchBackend(params)).__module__ == "modelsearch.backends.opensearch3"  # engine unknown yet
    params["URLS"] = [stand_in(full_elasticsearch).url]  # the engine now answers there

    assert type(SearchBackend(params)).__module__ == "modelsearch.backends.elasticsearch9"
    assert params["OPTIONS"] == {}


def test_page_search_asks_the_engine_it_will_write_to(settings, stand_in):
    """Tests point ELASTICSEARCH_URL at a dead port while Wagtail keeps its URLS: ask those."""
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    params = {"URLS": [stand_in(OPENSEARCH_2).url], "TIMEOUT": 5, "OPTIONS": {}, "INDEX_PREFIX": "t_"}
    from lagrappe.page_search import SearchBackend

    assert type(SearchBackend(params)).__module__ == "modelsearch.backends.opensearch2"


def test_a_misspelt_declaration_names_the_accepted_values():
    with pytest.raises(ValueError, match="opensearch2, opensearch3, elasticsearch8, elasticsearch9"):
        engine_probe.parse_declared("elastic9")


# --------------------------------------------------------------------------- the real engine


@pytest.mark.engine
def test_the_real_engine_is_identified_as_it_identifies_itself(settings):
    """Cross-check the probe with the engine's own words: its product header, its `_analyze`."""
    import urllib.error
    import urllib.request

    info = engine_info(settings.ELASTICSEARCH_URL)

    try:
        with urllib.request.urlopen(settings.ELASTICSEARCH_URL + "/_cluster/health", timeout=5) as response:
            header = response.headers.get("X-elastic-product")
    except urllib.error.HTTPError as exc:  # pragma: no cover - health is open on our test nodes
        header = exc.headers.get("X-elastic-product")
    assert info.product == ("elasticsearch" if header == "Elasticsearch" else "opensearch")
    assert info.major >= 2 and info.version.count(".") == 2

    request = urllib.request.Request(
        settings.ELASTICSEARCH_URL + "/_analyze",
        data=json.dumps({"tokenizer": "standard", "filter": ["asciifolding"], "text": "été"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            folds = [t["token"] for t in json.load(response)["tokens"]] == ["ete"]
    except urllib.error.HTTPError:
        folds = False
    assert info.analysis_common is folds
