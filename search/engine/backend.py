"""The engine adapter: one class, two clients.

The official ``elasticsearch`` client refuses OpenSearch (product check) and
``opensearch-py`` is the client OpenSearch supports; the server's root
endpoint (``settings.SEARCH_ENGINE_INFO``, probed at start-up by
``lagrappe/engine_probe.py``) decides which one to build. Everything else —
index definition, queries, bulk indexing — is shared: requests go through the
client's transport with the same bodies, bulk writes through each client's
own ``helpers.streaming_bulk``.

Any transport failure (refused, timeout, 5xx, missing index) becomes
``EngineUnavailable``: the service then answers from the database.
"""

import logging
import math
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.conf import settings

from lagrappe.engine_probe import EngineInfo

from ..fallback import haversine_km, load_structures
from ..types import FACET_NAMES, FacetValue, Highlight, SearchHit, SearchQuery, SearchResult, Suggestion
from . import EngineUnavailable
from .definition import HIGHLIGHT_FIELDS, index_body, synonym_rules
from .query import search_body, suggest_body

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 3.0  # seconds: a page waits at most this long before the database answers
BULK_TIMEOUT = 60.0


class EngineBackend:
    def __init__(self, url: str, info: EngineInfo, prefix: str):
        self.url = url
        self.info = info
        self.prefix = prefix
        self.alias = f"{prefix}_directory"
        self.name = info.distribution  # "opensearch" | "elasticsearch"
        self.client, self.helpers, self.errors = self._build_client()

    # ------------------------------------------------------------------ client
    def _build_client(self):
        if self.info.distribution == "opensearch":
            import opensearchpy
            from opensearchpy import helpers

            client = opensearchpy.OpenSearch(
                hosts=[self.url], timeout=REQUEST_TIMEOUT, max_retries=0, retry_on_timeout=False
            )
            errors = (opensearchpy.exceptions.ConnectionError, opensearchpy.exceptions.TransportError)
            return client, helpers, errors
        import elastic_transport
        import elasticsearch
        from elasticsearch import helpers

        client = elasticsearch.Elasticsearch(
            self.url, request_timeout=REQUEST_TIMEOUT, max_retries=0, retry_on_timeout=False
        )
        errors = (elastic_transport.TransportError, elasticsearch.ApiError)
        return client, helpers, errors

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
        try:
            if self.info.distribution == "opensearch":
                return self.client.transport.perform_request(
                    method, path, params=params, body=body, ignore=ignore, timeout=timeout
                )
            headers = {"accept": "application/json"}
            if body is not None:
                headers["content-type"] = "application/json"
            try:
                client = self.client.options(request_timeout=timeout) if timeout else self.client
                return client.perform_request(method, path, params=params, body=body, headers=headers).body
            except self.errors as exc:
                if (
                    getattr(exc, "status_code", None) in ignore
                    or getattr(getattr(exc, "meta", None), "status", None) in ignore
                ):
                    return {}
                raise
        except self.errors as exc:
            raise EngineUnavailable(f"{self.name} à {self.url} : {exc.__class__.__name__} {str(exc)[:300]}") from exc

    # ------------------------------------------------------------------ search
    def search(self, query: SearchQuery) -> SearchResult:
        body = search_body(query)
        response = self.request("POST", f"/{self.alias}/_search", body=body)
        return self.parse_search(query, response)

    def parse_search(self, query: SearchQuery, response: dict) -> SearchResult:
        raw_hits = response["hits"]["hits"]
        ids = [int(h["_source"]["id"]) for h in raw_hits]
        # Structures come from the database, restricted to published ones: a stale
        # index entry can never leak an unpublished structure.
        structures = {s.pk: s for s in load_structures(ids)}
        hits = []
        for raw in raw_hits:
            structure = structures.get(int(raw["_source"]["id"]))
            if structure is None:
                continue
            distance = None
            if query.near is not None and structure.has_location:
                distance = round(
                    haversine_km(query.near.latitude, query.near.longitude, structure.latitude, structure.longitude), 3
                )
            highlights = [
                Highlight(field=HIGHLIGHT_FIELDS[field], fragments=fragments)
                for field, fragments in (raw.get("highlight") or {}).items()
                if field in HIGHLIGHT_FIELDS
            ]
            _mark_skills_by_synonym(structure, highlights, (raw.get("highlight") or {}).get("skill_synonyms") or [])
            order = list(HIGHLIGHT_FIELDS.values())
            highlights.sort(key=lambda h: order.index(h.field))
            hits.append(
                SearchHit(structure=structure, score=raw.get("_score"), distance_km=distance, highlights=highlights)
            )
        counts = {
            name: {b["key"]: b["doc_count"] for b in response["aggregations"][name]["values"]["buckets"]}
            for name in FACET_NAMES
        }
        return SearchResult(
            total=response["hits"]["total"]["value"],
            page=query.page,
            per_page=query.per_page,
            engine=self.name,
            hits=hits,
            facets=self.facets(counts, query),
            suggestion=self.parse_suggestion(response, query),
        )

    @staticmethod
    def facets(counts: dict[str, dict[str, int]], query: SearchQuery) -> dict[str, list[FacetValue]]:
        from collections import Counter

        from ..fallback import build_facets

        return build_facets({name: Counter(values) for name, values in counts.items()}, query)

    @staticmethod
    def parse_suggestion(response: dict, query: SearchQuery) -> str | None:
        """The « did you mean », unless it only changes plurals (« menuisiers » -> « menuisier »)."""
        from ..text import query_terms, words

        for entry in (response.get("suggest") or {}).get("did_you_mean", []):
            for option in entry.get("options", []):
                if option["text"] != " ".join(words(query.text)) and query_terms(option["text"]) != query_terms(
                    query.text
                ):
                    return option["text"]
        return None

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        from ..fallback import matching_skill_suggestions, merge_suggestions
        from ..text import words

        if not words(prefix):
            return []
        response = self.request("POST", f"/{self.alias}/_search", body=suggest_body(prefix, limit))
        structures = [
            Suggestion(kind="structure", label=h["_source"]["name"], slug=h["_source"]["slug"])
            for h in response["hits"]["hits"]
        ]
        return merge_suggestions(matching_skill_suggestions(prefix), structures, limit)

    # ------------------------------------------------------------------ writing
    def _actions(self, index: str, sources: Iterable[dict], deleted_ids: Iterable[int] = ()) -> Iterator[dict]:
        for source in sources:
            yield {"_op_type": "index", "_index": index, "_id": str(source["id"]), "_source": _engine_source(source)}
        for pk in deleted_ids:
            yield {"_op_type": "delete", "_index": index, "_id": str(pk)}

    def _bulk(self, index: str, actions: Iterable[dict], progress=None, require_alias: bool = False) -> int:
        done = 0
        # Rebuild chunks (no alias required: a fresh index) get the long timeout;
        # after-commit writes keep the short one so a save never waits long.
        extra_timeout = (
            {"request_timeout": BULK_TIMEOUT} if not require_alias and self.info.distribution == "opensearch" else {}
        )
        # Writing to the alias before any rebuild would auto-create a concrete index
        # with guessed mappings under the alias's name: require the alias instead.
        extra = {"require_alias": "true"} if require_alias else {}
        try:
            for ok, item in self.helpers.streaming_bulk(
                self._bulk_client(), actions, chunk_size=500, raise_on_error=False, raise_on_exception=True,
                ignore_status=(404,), **extra, **extra_timeout,
            ):  # fmt: skip
                op, result = next(iter(item.items()))
                if not ok and result.get("status") != 404:
                    raise EngineUnavailable(
                        f"indexation refusée pour le document {result.get('_id')} : {result.get('error')}"
                    )
                done += 1
                if progress is not None:
                    progress.update(1)
        except self.errors as exc:
            raise EngineUnavailable(f"{self.name} à {self.url} : {exc.__class__.__name__} {str(exc)[:300]}") from exc
        return done

    def _bulk_client(self):
        if self.info.distribution == "opensearch":
            return self.client
        return self.client.options(request_timeout=BULK_TIMEOUT)

    def apply(self, sources: list[dict], deleted_ids: list[int]) -> None:
        """Index the published structures' documents, delete the others (after a commit)."""
        if sources or deleted_ids:
            self._bulk(self.alias, self._actions(self.alias, sources, deleted_ids), require_alias=True)

    def refresh(self) -> None:
        self.request("POST", f"/{self.alias}/_refresh", timeout=BULK_TIMEOUT)

    def current_indices(self) -> list[str]:
        response = self.request("GET", f"/_alias/{self.alias}", ignore=(404,))
        return sorted(name for name in (response or {}) if name != "error" and name != "status")

    def update_synonyms(self) -> None:
        """Replace the synonym rules of the live index: close, update analysis settings, open.

        The index refuses searches for the moment it is closed (well under a
        second at our size); searches in that window answer from the database.
        """
        from directory.models import Skill

        rules = synonym_rules(Skill.objects.all()) or ["lagrappe, la grappe"]
        for index in self.current_indices():
            self.request("POST", f"/{index}/_close", timeout=BULK_TIMEOUT)
            try:
                self.request(
                    "PUT",
                    f"/{index}/_settings",
                    body={
                        "analysis": {
                            "filter": {
                                "directory_synonyms": {"type": "synonym_graph", "synonyms": rules, "lenient": True}
                            }
                        }
                    },
                    timeout=BULK_TIMEOUT,
                )
            finally:
                self.request("POST", f"/{index}/_open", timeout=BULK_TIMEOUT)
                self.request(
                    "GET", f"/_cluster/health/{index}", params={"wait_for_status": "yellow"}, timeout=BULK_TIMEOUT
                )

    def rebuild(self, progress: bool = True, stdout=None) -> dict:
        """New versioned index, bulk-loaded, then the alias swapped atomically and old indices dropped."""
        from directory.models import Skill, Structure

        from ..documents import public_structures, structure_source

        started = time.monotonic()
        since = datetime.now(UTC)
        index = f"{self.alias}_{since.strftime('%Y%m%d%H%M%S%f')}"
        self.request("PUT", f"/{index}", body=index_body(synonym_rules(Skill.objects.all())), timeout=BULK_TIMEOUT)
        self.request("PUT", f"/{index}/_settings", body={"index": {"refresh_interval": "-1"}}, timeout=BULK_TIMEOUT)
        total = Structure.objects.public().count()
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="doc", desc=f"Indexation {index}", file=stdout)
        try:
            sources = (structure_source(s) for s in _chunked(public_structures(), 500))
            count = self._bulk(index, self._actions(index, sources), progress=bar)
        except Exception:
            self.request("DELETE", f"/{index}", ignore=(404,), timeout=BULK_TIMEOUT)
            raise
        finally:
            if bar is not None:
                bar.close()
        self.request("PUT", f"/{index}/_settings", body={"index": {"refresh_interval": "1s"}}, timeout=BULK_TIMEOUT)
        self.request("POST", f"/{index}/_refresh", timeout=BULK_TIMEOUT)
        old = self.current_indices()
        # A concrete index squatting the alias's name (auto-created by a stray write) must go.
        squatter = self.request("GET", f"/{self.alias}", ignore=(404,)) or {}
        if self.alias in squatter:
            self.request("DELETE", f"/{self.alias}", ignore=(404,), timeout=BULK_TIMEOUT)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": index, "alias": self.alias}})
        self.request("POST", "/_aliases", body={"actions": actions}, timeout=BULK_TIMEOUT)
        for name in old:
            self.request("DELETE", f"/{name}", ignore=(404,), timeout=BULK_TIMEOUT)
        # Queued changes older than the copy are in the new index; newer ones are replayed below.
        from ..models import IndexOutbox

        IndexOutbox.objects.filter(created_at__lt=since).delete()
        # Changes committed while we were copying went to the old index: replay them.
        changed = list(Structure.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
        if changed:
            from ..documents import refresh_database_documents

            sources = refresh_database_documents(changed)
            published = {s["id"] for s in sources}
            self.apply(sources, [i for i in changed if i not in published])
        seconds = time.monotonic() - started
        return {
            "index": index,
            "documents": count,
            "seconds": seconds,
            "docs_per_second": count / seconds if seconds else math.inf,
        }

    def drop_all(self) -> None:
        """Delete the alias and every versioned index under it (tests, teardown)."""
        self.request("DELETE", f"/{self.alias}_*", ignore=(404,), timeout=BULK_TIMEOUT)

    # ------------------------------------------------------------------ inspecting
    def count(self) -> int:
        return int(self.request("GET", f"/{self.alias}/_count")["count"])

    def indexed_ids(self) -> dict[int, str]:
        """Every document id with its slug (scrolls by id with search_after)."""
        found = {}
        after = None
        while True:
            body = {"size": 5000, "sort": [{"id": "asc"}], "_source": ["id", "slug"], "query": {"match_all": {}}}
            if after is not None:
                body["search_after"] = after
            hits = self.request("POST", f"/{self.alias}/_search", body=body, timeout=BULK_TIMEOUT)["hits"]["hits"]
            if not hits:
                return found
            for hit in hits:
                found[int(hit["_source"]["id"])] = hit["_source"]["slug"]
            after = hits[-1]["sort"]

    def server_version(self) -> str:
        root = self.request("GET", "/")
        version = root.get("version") or {}
        return f"{version.get('distribution', 'elasticsearch')} {version.get('number', '?')}"


def _mark_skills_by_synonym(structure, highlights: list[Highlight], synonym_fragments: list[str]) -> None:
    """Mark, whole, the skills a synonym matched (« responsabilité sociétale » marks « RSE »).

    The engine highlights the synonym text itself, which is not shown to
    visitors; the database marks the skill's name, and so do we.
    """
    if not synonym_fragments:
        return
    import html
    import re

    from django.utils.html import escape

    from ..documents import skill_sources
    from ..text import fold

    def plain(fragment: str) -> str:
        return fold(html.unescape(re.sub(r"</?mark>", "", fragment))).strip()

    matched = {plain(f) for f in synonym_fragments}
    skills = next((h for h in highlights if h.field == "skills"), None)
    already = {plain(f) for f in (skills.fragments if skills else [])}
    added = [
        f"<mark>{escape(skill['name'])}</mark>"
        for skill in skill_sources(structure)
        if fold(skill["name"]).strip() not in already and any(fold(s).strip() in matched for s in skill["synonyms"])
    ]
    if not added:
        return
    if skills is None:
        highlights.append(Highlight(field="skills", fragments=added))
    else:
        skills.fragments.extend(added)


def _engine_source(source: dict) -> dict:
    return {k: v for k, v in source.items() if k != "location" or v is not None}


def _chunked(queryset, size: int):
    """Iterate a prefetching queryset in primary-key chunks (prefetches need a bounded batch)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


_backends: dict[tuple, EngineBackend] = {}


def build_backend() -> EngineBackend | None:
    url = getattr(settings, "ELASTICSEARCH_URL", None)
    if not url:
        return None
    prefix = settings.SEARCH_INDEX_PREFIX
    key = (url, prefix)
    if key not in _backends:
        info = settings.SEARCH_ENGINE_INFO
        if info is None or not info.reachable:
            from lagrappe.engine_probe import probe_engine

            probed = probe_engine(url, timeout=1.0)
            info = probed if probed.reachable or info is None else info
        _backends[key] = EngineBackend(url, info, prefix)
    return _backends[key]
