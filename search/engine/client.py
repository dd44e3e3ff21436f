"""The engine's client: one class, two client libraries, one way to call the server.

The official ``elasticsearch`` client refuses OpenSearch (product check) and
``opensearch-py`` is the client OpenSearch supports; what the engine says it is
(``lagrappe/engine_probe.py``, asked on the first request, cached for the
process) decides which one to build. Requests go through
the client's transport with the same bodies whichever it is.

Any transport failure (refused, timeout, 5xx, missing index) becomes
``EngineUnavailable``: the service then answers from the database.
"""

import logging

import elastic_transport
import elasticsearch
import opensearchpy
import orjson
from elasticsearch import helpers as elasticsearch_helpers
from elasticsearch.serializer import OrjsonSerializer as ElasticsearchOrjsonSerializer
from opensearchpy import helpers as opensearch_helpers

from lagrappe.engine_probe import EngineInfo, EngineProbeError, engine_info

from .definition import AnalysisProfile, choose_profile

logger = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine is configured but does not answer (down, timeout, refused, index missing)."""


REQUEST_TIMEOUT = 3.0  # seconds: a page waits at most this long before the database answers
BULK_TIMEOUT = 60.0
# Bulk requests in flight at once: the engine indexes one while LaGrappe builds the next.
BULK_THREADS = 2


class OpenSearchOrjsonSerializer(opensearchpy.JSONSerializer):
    """opensearch-py's JSON serializer on ``orjson``, as the official client's ``OrjsonSerializer``.

    A rebuild serialises every document (about 2 kB) in LaGrappe's process, which shares the
    machine's cores with the engine: ``json.dumps`` was a sixth of LaGrappe's CPU per document
    (issue 10). The bulk helper measures and joins text, hence ``str``; a rebuild's bulk bodies
    come serialised already (``indexer.bulk_body``), as ``bytes``.
    """

    def dumps(self, data):
        if isinstance(data, str | bytes):
            return data
        try:
            return orjson.dumps(data, default=self.default).decode()
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise opensearchpy.exceptions.SerializationError(data, exc) from exc

    def loads(self, s):
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError as exc:
            raise opensearchpy.exceptions.SerializationError(s, exc) from exc


class EngineClient:
    """Transport to one engine, for one index alias (``<prefix>_directory``)."""

    def __init__(self, url: str, prefix: str, info: EngineInfo | None = None, requested_profile: str = "auto"):
        self.url = url
        self.prefix = prefix
        self.alias = f"{prefix}_directory"
        self.requested_profile = requested_profile
        self._info = info
        self._client = None
        self._profile: tuple[AnalysisProfile, str] | None = None

    @property
    def info(self) -> EngineInfo:
        """What the engine is, asked on first use (never while Django starts); EngineUnavailable if down."""
        if self._info is None:
            try:
                self._info = engine_info(self.url)
            except EngineProbeError as exc:
                raise EngineUnavailable(str(exc)) from exc
        return self._info

    @property
    def profile(self) -> AnalysisProfile:
        """The analysis profile for this engine (``definition.choose_profile``), chosen and logged once."""
        if self._profile is None:
            self._profile = choose_profile(self.info.analysis_common, self.requested_profile)
            profile, reason = self._profile
            # Worth an operator's eye whenever the engine does not analyse French itself.
            log = logger.info if profile.analyzed_by_engine and self.info.analysis_common else logger.warning
            log("Directory index on %s %s: %s profile (%s)", self.info.product, self.info.version, profile.name, reason)
        return self._profile[0]

    @property
    def profile_reason(self) -> str:
        self.profile  # noqa: B018 (chooses it)
        return self._profile[1]

    @property
    def name(self) -> str:
        return self.info.product  # "opensearch" | "elasticsearch"

    @property
    def client(self):
        return self._built()[0]

    @property
    def helpers(self):
        return self._built()[1]

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        return self._built()[2]

    def _built(self):
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self):
        if self.info.product == "opensearch":
            client = opensearchpy.OpenSearch(
                hosts=[self.url], timeout=REQUEST_TIMEOUT, max_retries=0, retry_on_timeout=False,
                # Rebuilds send bulk requests from several threads (indexer.BULK_THREADS).
                pool_maxsize=BULK_THREADS + 2, serializer=OpenSearchOrjsonSerializer(),
            )  # fmt: skip
            errors = (opensearchpy.exceptions.ConnectionError, opensearchpy.exceptions.TransportError)
            return client, opensearch_helpers, errors
        client = elasticsearch.Elasticsearch(
            self.url, request_timeout=REQUEST_TIMEOUT, max_retries=0, retry_on_timeout=False,
            serializer=ElasticsearchOrjsonSerializer(),
        )  # fmt: skip
        errors = (elastic_transport.TransportError, elasticsearch.ApiError)
        return client, elasticsearch_helpers, errors

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        params: dict | None = None,
        ignore=(),
        timeout: float | None = None,
    ):
        """One HTTP call through the client's transport; JSON in, JSON out.

        ``timeout`` lengthens the default (a search's) for maintenance calls: a
        refresh after 20,000 documents or opening an index takes seconds.
        """
        errors = self.errors  # the first call asks the engine what it is
        try:
            if self.info.product == "opensearch":
                return self.client.transport.perform_request(
                    method, path, params=params, body=body, ignore=ignore, timeout=timeout
                )
            headers = {"accept": "application/json"}
            if body is not None:
                headers["content-type"] = "application/json"
            try:
                client = self.client.options(request_timeout=timeout) if timeout else self.client
                return client.perform_request(method, path, params=params, body=body, headers=headers).body
            except errors as exc:
                if (
                    getattr(exc, "status_code", None) in ignore
                    or getattr(getattr(exc, "meta", None), "status", None) in ignore
                ):
                    return {}
                raise
        except errors as exc:
            raise EngineUnavailable(f"{self.name} à {self.url} : {exc.__class__.__name__} {str(exc)[:300]}") from exc

    # ------------------------------------------------------------------ inspecting
    def count(self) -> int:
        return int(self.request("GET", f"/{self.alias}/_count")["count"])

    def indexed_ids(self) -> dict[int, str]:
        """Every document id with its slug (scrolls by id with search_after)."""
        found = {}
        after = None
        while True:
            # Total hits tracked: without it OpenSearch 3.8's sort optimisation skipped documents on an index with
            # many deleted ones (16,965 of 19,176 returned after a catch-up), and the check reported 2,211 as absent.
            body = {
                "size": 5000, "sort": [{"id": "asc"}], "_source": ["id", "slug"], "query": {"match_all": {}},
                "track_total_hits": True,
            }  # fmt: skip
            if after is not None:
                body["search_after"] = after
            hits = self.request("POST", f"/{self.alias}/_search", body=body, timeout=BULK_TIMEOUT)["hits"]["hits"]
            if not hits:
                return found
            for hit in hits:
                found[int(hit["_source"]["id"])] = hit["_source"]["slug"]
            after = hits[-1]["sort"]

    def stored_documents(self, ids: list[int]) -> dict[int, dict]:
        """What the index holds for these ids (``_source`` by id, as written); absent ids are left out."""
        if not ids:
            return {}
        found = self.request(
            "POST", f"/{self.alias}/_mget", body={"ids": [str(pk) for pk in ids]}, timeout=BULK_TIMEOUT
        )["docs"]
        return {int(doc["_id"]): doc["_source"] for doc in found if doc.get("found")}

    def server_version(self) -> str:
        return f"{self.info.product} {self.info.version}"

    def index_profile(self) -> str | None:
        """The profile that built the live index (recorded in its mappings' ``_meta``), None before any rebuild."""
        response = self.request("GET", f"/{self.alias}/_mapping", ignore=(404,)) or {}
        for mapping in response.values():
            if isinstance(mapping, dict):
                return ((mapping.get("mappings") or {}).get("_meta") or {}).get("lagrappe_profile", "full")
        return None
