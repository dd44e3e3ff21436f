"""Writing to the engine: the worker's bulk updates and the zero-downtime rebuild (new synonym rules too).

The worker's bulk writes go through each client library's own ``helpers.streaming_bulk``.
A rebuild streams the directory in chunks (``SourceBuilder.chunks``: flat
queries, memory flat in the number of structures) into a new versioned index,
each chunk serialised at once into one bulk body (``bulk_body``), with
``BULK_THREADS`` bulk requests in flight so the engine indexes one chunk while
the next is built; the index is created without replicas, refresh or durable
translog for the copy, and given them back before the alias swaps atomically
and the old indices are dropped. Changes committed meanwhile are replayed.
"""

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from functools import partial

import orjson
from django.core.cache import cache
from tqdm import tqdm

from directory.models import Sector, Skill, SkillDomain, Structure

from ..documents import SourceBuilder, refresh_database_documents, without_cycle_collection
from ..models import IndexOutbox
from .client import BULK_THREADS, BULK_TIMEOUT, EngineClient, EngineUnavailable, OpenSearchOrjsonSerializer
from .definition import synonym_groups, synonym_rules

# The portable profile's analysed synonym groups (query-time expansion); dropped by each rebuild,
# which is how new synonym rules arrive (search.sync.rebuild_index).
SYNONYMS_CACHE_KEY = "search:synonym-groups"
SYNONYMS_CACHE_SECONDS = 300


def taxonomy_with_synonyms() -> list:
    """Skills, skill domains and sectors: each one's name and synonyms make one equivalence rule."""
    return [*Skill.objects.all(), *SkillDomain.objects.all(), *Sector.objects.all()]


# Seconds the replaced index stays after the alias swap, for searches already under way.
OLD_INDEX_GRACE_SECONDS = 1.0
# Documents per bulk request.
BULK_CHUNK_SIZE = 1000
# While a new index is loaded nobody searches it: no refresh, no replica, translog fsynced
# in the background (a crash during the copy only loses the copy). Restored before the swap.
LOADING_SETTINGS = {"refresh_interval": "-1", "number_of_replicas": 0, "translog.durability": "async"}
SERVING_SETTINGS = {"refresh_interval": "1s", "translog.durability": "request"}
# A rebuild's bulk responses: only what tells a refused document (the engine writes, and LaGrappe
# reads, a few bytes per document instead of each one's index, version, shards and sequence number).
REBUILD_BULK_RESPONSE = "errors,items.*._id,items.*.error"
# Values orjson does not know (dates, decimals) as both clients' serializers write them.
JSON_DEFAULT = OpenSearchOrjsonSerializer().default


def bulk_body(documents: Iterable[tuple[int, dict]]) -> bytes:
    """One bulk request's body (NDJSON) indexing these ``(id, document)`` into the request's index."""
    lines = []
    for pk, document in documents:
        lines.append(b'{"index":{"_id":"%d"}}' % pk)
        lines.append(orjson.dumps(document, default=JSON_DEFAULT))
    lines.append(b"")
    return b"\n".join(lines)


class EngineIndexer(EngineClient):
    """The writing half of the engine backend."""

    def _actions(self, index: str, sources: Iterable[dict], deleted_ids: Iterable[int] = ()) -> Iterator[dict]:
        profile = self.profile
        for source in sources:
            yield {"_op_type": "index", "_index": index, "_id": str(source["id"]), "_source": profile.document(source)}
        for pk in deleted_ids:
            yield {"_op_type": "delete", "_index": index, "_id": str(pk)}

    def _bulk(self, index: str, actions: Iterable[dict], progress=None, require_alias: bool = False) -> int:
        done = 0
        errors = self.errors  # the first call asks the engine what it is
        # Only the worker and maintenance commands write (no request waits on them): the long timeout.
        extra_timeout = {"request_timeout": BULK_TIMEOUT} if self.info.product == "opensearch" else {}
        # Writing to the alias before any rebuild would auto-create a concrete index
        # with guessed mappings under the alias's name: require the alias instead.
        extra = {"require_alias": "true"} if require_alias else {}
        try:
            for ok, item in self.helpers.streaming_bulk(
                self._bulk_client(), actions, chunk_size=BULK_CHUNK_SIZE, max_chunk_bytes=50 * 1024 * 1024,
                raise_on_error=False, raise_on_exception=True, ignore_status=(404,), **extra, **extra_timeout,
            ):  # fmt: skip
                op, result = next(iter(item.items()))
                if not ok and result.get("status") != 404:
                    raise EngineUnavailable(
                        f"indexation refusée pour le document {result.get('_id')} : {result.get('error')}"
                    )
                done += 1
                if progress is not None:
                    progress.update(1)
        except errors as exc:
            raise EngineUnavailable(f"{self.name} à {self.url} : {exc.__class__.__name__} {str(exc)[:300]}") from exc
        return done

    def bulk_chunks(self, index: str, chunks: Iterable[list[dict]], progress=None, require_alias=False) -> int:
        """Send each chunk of actions as bulk requests, ``BULK_THREADS`` chunks in flight."""
        return self._pipelined(
            (partial(self._bulk, index, actions, None, require_alias) for actions in chunks), progress
        )

    def _pipelined(self, calls: Iterable[Callable[[], int]], progress=None) -> int:
        """Run each call (a bulk request returning its document count), ``BULK_THREADS`` at once.

        The calls are produced in the calling thread (they read the database through
        its connection and transaction); the threads only talk to the engine. At most
        ``BULK_THREADS + 1`` chunks are held at once: memory stays flat.
        """
        self.errors  # noqa: B018 — asks the engine what it is once, before the threads start
        done = 0
        with ThreadPoolExecutor(max_workers=BULK_THREADS, thread_name_prefix="bulk") as pool:
            in_flight = deque()

            def collect():
                nonlocal done
                count = in_flight.popleft().result()
                done += count
                if progress is not None:
                    progress.update(count)

            try:
                for call in calls:
                    in_flight.append(pool.submit(call))
                    while len(in_flight) > BULK_THREADS:
                        collect()
                while in_flight:
                    collect()
            finally:
                for future in in_flight:
                    future.cancel()
        return done

    def _send_body(self, index: str, body: bytes, count: int) -> int:
        """One rebuild bulk request (``bulk_body``); EngineUnavailable names the first refused document."""
        response = self.request(
            "POST", f"/{index}/_bulk", body=body, params={"filter_path": REBUILD_BULK_RESPONSE}, timeout=BULK_TIMEOUT
        )
        if response.get("errors"):
            for item in response.get("items", ()):
                result = next(iter(item.values()))
                if "error" in result:
                    raise EngineUnavailable(
                        f"indexation refusée pour le document {result.get('_id')} : {result['error']}"
                    )
        return count

    def _bulk_client(self):
        if self.info.product == "opensearch":
            return self.client
        return self.client.options(request_timeout=BULK_TIMEOUT)

    def apply(self, sources: list[dict], deleted_ids: list[int]) -> None:
        """Index the published structures' documents, delete the others (after a commit)."""
        if not (sources or deleted_ids):
            return
        actions = list(self._actions(self.alias, sources, deleted_ids))
        chunks = (actions[i : i + BULK_CHUNK_SIZE] for i in range(0, len(actions), BULK_CHUNK_SIZE))
        self.bulk_chunks(self.alias, chunks, require_alias=True)

    def send(self, sources: list[dict], deleted_ids: list[int]) -> int:
        """Index and delete these documents in the calling thread, one bulk request per ``BULK_CHUNK_SIZE``.

        The worker's catch-up (``search.sync.drain``) calls it from its own threads,
        one chunk each, so that its stream never pauses between batches; no refresh.
        """
        if not (sources or deleted_ids):
            return 0
        return self._bulk(self.alias, self._actions(self.alias, sources, deleted_ids), require_alias=True)

    def refresh(self) -> None:
        # No index behind the alias yet (before the first rebuild): nothing to make visible.
        self.request("POST", f"/{self.alias}/_refresh", ignore=(404,), timeout=BULK_TIMEOUT)

    def current_indices(self) -> list[str]:
        response = self.request("GET", f"/_alias/{self.alias}", ignore=(404,))
        return sorted(name for name in (response or {}) if name != "error" and name != "status")

    def synonym_groups(self) -> list:
        """The taxonomy's synonym rules, analysed for query-time expansion (portable profile), cached.

        Other processes' local-memory caches keep the old rules up to
        ``SYNONYMS_CACHE_SECONDS``; a shared cache (Redis, database) drops them at once.
        """
        groups = cache.get(SYNONYMS_CACHE_KEY)
        if groups is None:
            groups = synonym_groups(synonym_rules(taxonomy_with_synonyms()))
            cache.set(SYNONYMS_CACHE_KEY, groups, SYNONYMS_CACHE_SECONDS)
        return groups

    def rebuild(self, progress: bool = True, stdout=None) -> dict:
        """New versioned index, bulk-loaded, then the alias swapped atomically and old indices dropped."""
        started = time.monotonic()
        since = datetime.now(UTC)
        index = f"{self.alias}_{since.strftime('%Y%m%d%H%M%S%f')}"
        body = self.profile.index_body(synonym_rules(taxonomy_with_synonyms()))
        serving = {**SERVING_SETTINGS, "number_of_replicas": body["settings"]["index"]["number_of_replicas"]}
        body["settings"]["index"].update(LOADING_SETTINGS)
        self.errors  # noqa: B018 — asks the engine what it is once, before another thread talks to it
        bar = None
        if progress:
            total = Structure.objects.public().count()
            bar = tqdm(total=total, unit="doc", desc=f"Indexation {index}", file=stdout)
        # The engine creates the index (its analysis, the synonym rules) while the taxonomy and the
        # first chunk are read: a fixed cost that a rebuild of 20,000 documents felt.
        creating = ThreadPoolExecutor(max_workers=1, thread_name_prefix="create")
        marks = {}

        def create():
            self.request("PUT", f"/{index}", body=body, timeout=BULK_TIMEOUT)
            marks["created"] = time.monotonic()

        created = creating.submit(create)

        document = self.profile.document

        def send(body: bytes, count: int) -> int:
            created.result()  # the index exists before its first bulk request
            return self._send_body(index, body, count)

        def requests():
            # Built here, in the connection's thread; sent by the pool's threads, each waiting for the
            # index to exist, so that the next chunks are read while the engine creates it.
            for sources in SourceBuilder().chunks(BULK_CHUNK_SIZE):
                yield partial(send, bulk_body((source["id"], document(source)) for source in sources), len(sources))

        try:
            with without_cycle_collection():
                count = self._pipelined(requests(), progress=bar)
            created.result()  # an empty directory still gets its (empty) index
        except Exception:
            wait([created])  # a creation still under way would come after the delete
            self.request("DELETE", f"/{index}", ignore=(404,), timeout=BULK_TIMEOUT)
            creating.shutdown(wait=False)
            raise
        finally:
            if bar is not None:
                bar.close()
        marks["loaded"] = time.monotonic()
        # The serving settings (a cluster state update) are applied while the closing refresh writes
        # the segment: neither waits for the other.
        serve = creating.submit(
            self.request, "PUT", f"/{index}/_settings", body={"index": serving}, timeout=BULK_TIMEOUT
        )
        try:
            self.request("POST", f"/{index}/_refresh", timeout=BULK_TIMEOUT)
            serve.result()
        finally:
            creating.shutdown(wait=False)
        marks["refreshed"] = time.monotonic()
        # Searches must find the new index's shards started the moment the alias points at it.
        self.request(
            "GET",
            f"/_cluster/health/{index}",
            params={"wait_for_status": "yellow", "timeout": "30s"},
            timeout=BULK_TIMEOUT,
        )
        old = self.current_indices()
        # A concrete index squatting the alias's name (auto-created by a stray write) must go.
        squatter = self.request("GET", f"/{self.alias}", ignore=(404,)) or {}
        if self.alias in squatter:
            self.request("DELETE", f"/{self.alias}", ignore=(404,), timeout=BULK_TIMEOUT)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": index, "alias": self.alias}})
        self.request("POST", "/_aliases", body={"actions": actions}, timeout=BULK_TIMEOUT)
        swapped = time.monotonic()
        cache.delete(SYNONYMS_CACHE_KEY)  # the portable profile's expansion follows the new rules
        try:
            # Queued changes older than the copy are in the new index (and the synonym rules with
            # it); those whose database document is not refreshed yet stay for the worker.
            IndexOutbox.objects.filter(created_at__lt=since, database_done=True).delete()
            # Changes committed while we were copying went to the old index: replay them.
            changed = list(Structure.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
            if changed:
                sources = refresh_database_documents(changed)
                published = {s["id"] for s in sources}
                self.apply(sources, [i for i in changed if i not in published])
            replayed = time.monotonic()
        finally:
            if old:
                # A search that resolved the alias just before the swap still reads the old index:
                # deleting it at once fails that search (search_phase_execution_exception). The
                # replay above took part of the grace.
                time.sleep(max(0.0, OLD_INDEX_GRACE_SECONDS - (time.monotonic() - swapped)))
            for name in old:
                self.request("DELETE", f"/{name}", ignore=(404,), timeout=BULK_TIMEOUT)
        ended = time.monotonic()
        seconds = ended - started
        return {
            "index": index,
            "profile": self.profile.name,
            "documents": count,
            "seconds": seconds,
            "docs_per_second": count / seconds if seconds else math.inf,
            # Where the seconds went (benchmarks print them): the index created while the first chunks
            # were read (not on top of the load), the load, the closing refresh, the swap, the replay,
            # then the grace of the replaced index (the new one already serves every document).
            "phases": {
                "create": marks["created"] - started,
                "load": marks["loaded"] - started,
                "refresh": marks["refreshed"] - marks["loaded"],
                "swap": swapped - marks["refreshed"],
                "replay": replayed - swapped,
                "grace": ended - replayed,
            },
        }

    def drop_all(self) -> None:
        """Delete the alias and every versioned index under it (tests, teardown).

        By name: Elasticsearch 8+ refuses wildcard deletes (``action.destructive_requires_name``).
        """
        found = self.request("GET", f"/{self.alias}_*", params={"filter_path": "*.settings.index.uuid"}, ignore=(404,))
        names = sorted(name for name in (found or {}) if name.startswith(f"{self.alias}_"))
        if names:
            self.request("DELETE", "/" + ",".join(names), ignore=(404,), timeout=BULK_TIMEOUT)
