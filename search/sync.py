"""Keeping search in step with the directory: a durable outbox, worked through by the worker.

1. A change to a structure, a person, a skill, a domain or a sector writes the
   ids of the structures it affects into ``IndexOutbox`` *inside* the
   transaction that makes the change (``enqueue``, called by ``search.signals``
   and by bulk writers such as the import). The change and the fact that it
   must be indexed commit together, or not at all.
2. After the commit, the ``index_changes`` task is enqueued (``enqueue_once``:
   one per burst). The worker (``manage.py db_worker``) drains the due rows in
   one task, ``BATCH_SIZE`` at a time, as a pipeline (``drain``): the engine
   takes one batch in a bulk stream while the next batch's sources are built;
   once the engine is done with a batch, a backlog's database documents are
   analysed by forked processes and written by a thread of their own
   (``_DatabaseWriter``). Each side marks the rows it
   made level: ``engine_done`` once a refresh shows their documents in the engine
   (one per ``REFRESH_DOCUMENTS``), ``database_done`` once their database
   documents are written; a row goes when both are. The engine never waits on
   the database documents. A request never does this work: saves, imports and
   searches only write or read rows.
3. When the engine fails, the rows stay with an attempt count and an
   exponential back-off (``background.retry``, capped at a minute so the index
   catches up soon after the engine returns), and the task is enqueued again for
   that time. The ``sweep`` task, run by the worker every minute
   (``BACKGROUND_PERIODIC_TASKS``), processes whatever is due (a task lost when a
   process died between commit and enqueue) and re-queues structures whose
   database document disagrees with the structure (a writer that bypassed the
   outbox).
4. Until a row is processed, searches hide its structure (``pending``), each
   backend until its own side of the row is done: an unpublication, a deletion
   or a withdrawn consent is honoured in every result, facet, highlight and
   suggestion from the next request on, whichever backend answers and however
   far behind the engine or the database documents are.
5. Synonym changes never touch the live index: the structures holding the skill
   are reindexed at once (their documents carry the synonyms as text), and the
   ``rebuild_index`` task builds a new versioned index with the new synonym
   rules and swaps the alias — searches never see a closed index.
"""

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, connections, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django_tasks import task

from background.retry import backoff as retry_backoff
from background.scheduling import enqueue_once
from directory.models import Structure

from .documents import SourceBuilder, copy_text, store_database_documents, write_copy_data
from .engine import EngineUnavailable, get_backend
from .generation import bump_generation
from .models import IndexOutbox, StructureSearchDocument

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 5
# Capped low: once the engine is back, the backlog must not wait out a long back-off.
RETRY_MAX_SECONDS = 60
BATCH_SIZE = 2000
# Documents per bulk request of the worker, and requests in flight: the engine indexes one while
# the next is on its way (the engine's own bulk stream, ``EngineIndexer.bulk_chunks``, does the same).
ENGINE_CHUNK_SIZE = 1000
ENGINE_THREADS = 2
# Acknowledged documents made visible by one refresh (and their rows deleted): a refresh per batch
# paused the engine's stream each time; searches hide the structures meanwhile (``pending``).
REFRESH_DOCUMENTS = 10_000
# The first batch is small: the engine starts on it while the rest are read and built.
FIRST_BATCH_SIZE = 250
# A backlog (a first batch full of rows whose database documents are due) on PostgreSQL, outside any
# transaction: the database documents are analysed by forked processes (``ANALYSIS_PROCESSES``, default
# one per core) and written by a thread on its own connection, once the engine is done with their batch.
PARALLEL_FROM = FIRST_BATCH_SIZE
ANALYSIS_PROCESSES = None
# The forked analysis gives way to the engine's stream and to the web processes (the fallback's documents
# are only needed while the engine is down, and the fallback hides their structures until they are written).
ANALYSIS_NICENESS = 10
INDEX_TASK_KEY = "search:index-changes"
REBUILD_TASK_KEY = "search:rebuild-index"


def backoff(attempts: int) -> timedelta:
    return retry_backoff(attempts, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS)


# ---------------------------------------------------------------------- writing side (requests)
def enqueue(structure_ids, synonyms: bool = False) -> None:
    """Record, in the current transaction, that these structures (and the synonym rules) need indexing."""
    ids = sorted({int(i) for i in structure_ids if i})
    rows = [IndexOutbox(kind=IndexOutbox.STRUCTURE, structure_id=i) for i in ids]
    if synonyms:
        rows.append(IndexOutbox(kind=IndexOutbox.SYNONYMS, database_done=True))
    if not rows:
        return
    IndexOutbox.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    transaction.on_commit(schedule)


def schedule(run_after=None) -> None:
    """Have the worker process the outbox (now, or not before ``run_after``)."""
    enqueue_once(index_changes, INDEX_TASK_KEY, run_after=run_after)


# ---------------------------------------------------------------------- reading side (searches)
# The index generation (``search.generation``) is bumped by every processed batch and rebuild.


@dataclass
class Pending:
    """Structures whose last change is not indexed yet, as each backend sees them.

    Each backend hides its own list: the engine stops hiding a structure once it
    shows every queued change of it (``engine_done``), while its database
    document may still be on its way, and the fallback once that document is
    written (``database_done``), while the engine may still be down.
    """

    engine: list[int] = field(default_factory=list)  # a queued change the engine does not show yet
    database: list[int] = field(default_factory=list)  # a queued change its database document does not hold yet

    @property
    def backlog(self) -> int:
        return len(self.engine)

    @property
    def settled(self) -> bool:
        """No change waits on either side (``SearchQuery.settled``: the generation-stamped caches hold)."""
        return not self.engine and not self.database


def pending() -> Pending:
    """One small query per search (the outbox is empty most of the time)."""
    rows = IndexOutbox.objects.filter(kind=IndexOutbox.STRUCTURE).values_list(
        "structure_id", "engine_done", "database_done"
    )
    engine, database = set(), set()
    for structure_id, engine_done, database_done in rows:
        if not engine_done:
            engine.add(structure_id)
        if not database_done:
            database.add(structure_id)
    return Pending(engine=sorted(engine), database=sorted(database))


# ---------------------------------------------------------------------- the worker's side
@dataclass
class DrainReport:
    processed: int = 0  # rows level on both sides (gone)
    failed: int = 0
    remaining: int = 0
    error: str = ""
    # When the engine showed every row this drain sent it (None: no engine, or it failed). The
    # database documents may still be written after it: the task ends when both are level.
    engine_level_at: str | None = None

    def as_dict(self) -> dict:
        return {
            "processed": self.processed, "failed": self.failed, "remaining": self.remaining, "error": self.error,
            "engine_level_at": self.engine_level_at,
        }  # fmt: skip


@dataclass
class _Batch:
    """One batch of outbox rows on its way through the pipeline."""

    rows: list[IndexOutbox]
    ids: list[int]  # structures of the batch (deduplicated)
    wants_synonyms: bool
    sources: list[dict] = field(default_factory=list)
    engine: list[Future] | None = None  # the engine's bulk requests, one per chunk, in flight
    # Once the engine is done with the batch (shown, or deferred): its database documents may be written.
    engine_settled: bool = False
    # Beside the task's thread (``_DatabaseWriter``): the documents to write once the engine is done with the batch.
    database_sources: list[dict] = field(default_factory=list)
    unpublished: list[int] = field(default_factory=list)


class _DatabaseWriter:
    """Writes each batch's database documents: here, or (a backlog) beside this thread.

    Beside it (``start``): each chunk's documents are analysed into COPY data by
    forked processes (``search.documents.copy_text``; the full rebuild forks its
    analysis too: the French analysis is most of LaGrappe's cost and holds the GIL;
    niced, ``ANALYSIS_NICENESS``), and one thread with its own connection writes
    each batch's documents in one transaction, in order, so a structure queued
    twice ends in its latest state. The engine goes first: a batch's documents are
    neither analysed nor written before the engine is done with it
    (``_Batch.engine_settled``: shown by a refresh, or deferred when the engine
    fails; ``release``), so neither the analysis nor PostgreSQL's upsert (its GIN
    indexes and triggers) takes CPU from the engine's stream before that refresh:
    a backlog of up to ``REFRESH_DOCUMENTS`` rows reaches the engine, and is shown,
    before any of its database documents is analysed. The rows are marked
    ``database_done`` by this thread (``collect``) once their batch is written:
    only this thread's connection ever writes outbox rows (two connections
    updating the same rows in bulk could deadlock).

    Here (few rows, SQLite, or inside a transaction, whose rows another connection
    would not see): the batch is written, and its rows marked, when it is handed over.
    """

    def __init__(self):
        self.processes: ProcessPoolExecutor | None = None
        self.thread: ThreadPoolExecutor | None = None
        self.indexed_at = self.encoding = None
        # Batches handed over, waiting for the engine to be done with them (in batch order), with their rows.
        self.queued: deque[tuple[_Batch, list[IndexOutbox]]] = deque()
        self.writing: deque[tuple[list[IndexOutbox], Future]] = deque()

    def start(self, rows: list[IndexOutbox]) -> None:
        """Before the first batch: fork the analysis for a backlog whose database documents are due."""
        due = sum(1 for r in rows if not r.database_done)
        if due < PARALLEL_FROM or connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        connection.ensure_connection()
        self.encoding = connection.connection.info.encoding
        self.indexed_at = timezone.now().isoformat()
        self.processes = ProcessPoolExecutor(
            ANALYSIS_PROCESSES or os.cpu_count(),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_analysis_process,
        )
        # Forked now, before this drain starts any thread (a fork copies no other thread, but it
        # copies the locks they hold). The children never touch the database: the connection they
        # inherit is this process's.
        self.processes.submit(int).result()
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database")

    def write(self, batch: _Batch) -> int:
        """Write (or hand over) the batch's documents; the rows made level here, if any, are returned."""
        waiting = [r for r in batch.rows if not r.database_done]
        if not waiting:
            return 0
        ids = {r.structure_id for r in waiting if r.kind == IndexOutbox.STRUCTURE}
        if self.thread is None:
            with transaction.atomic():
                if ids:
                    store_database_documents(ids, batch.sources)
                return _level(waiting, "database_done")
        # Kept apart: the batch's sources are dropped once the engine has them.
        batch.database_sources = [s for s in batch.sources if s["id"] in ids]
        batch.unpublished = sorted(ids - {s["id"] for s in batch.database_sources})
        self.queued.append((batch, waiting))
        self.release()
        return 0

    def settled(self, batches: list[_Batch]) -> None:
        """The engine is done with these batches (shown, or deferred): their documents may be written."""
        for batch in batches:
            batch.engine_settled = True
        self.release()

    def release(self) -> None:
        """Start analysing and writing the documents of the batches the engine is done with, in batch order."""
        while self.queued and self.queued[0][0].engine_settled:
            batch, waiting = self.queued.popleft()
            sources, batch.database_sources = batch.database_sources, []
            analysed = [
                self.processes.submit(copy_text, sources[i : i + ENGINE_CHUNK_SIZE], self.indexed_at, self.encoding)
                for i in range(0, len(sources), ENGINE_CHUNK_SIZE)
            ]
            self.writing.append((waiting, self.thread.submit(self._write, batch.unpublished, analysed)))

    @staticmethod
    def _write(unpublished: list[int], analysed: list[Future]) -> None:
        with transaction.atomic():
            StructureSearchDocument.objects.filter(structure_id__in=unpublished).delete()
            if analysed:
                write_copy_data(future.result() for future in analysed)

    def collect(self, wait: bool = False) -> int:
        """Mark the rows of the batches written so far (``wait``: of every batch); the rows made level."""
        self.release()
        level = 0
        while self.writing and (wait or self.writing[0][1].done()):
            waiting, written = self.writing.popleft()
            written.result()  # its error, if any, ends the drain: the rows stay for the next one
            level += _level(waiting, "database_done")
        return level

    def close(self, failed: bool) -> None:
        self.queued.clear()  # a drain ended by an error: their rows stay for the next one
        if self.thread is not None:
            self.thread.submit(connections.close_all)  # the thread's own connection
            self.thread.shutdown(wait=True, cancel_futures=failed)
        if self.processes is not None:
            self.processes.shutdown(wait=True, cancel_futures=True)


def _analysis_process() -> None:
    """In a forked child: the worker's shutdown handlers (``db_worker``) are the parent's business, and the
    analysis runs below the engine's stream (``ANALYSIS_NICENESS``)."""
    for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    os.nice(ANALYSIS_NICENESS)


def _level(rows: list[IndexOutbox], side: str) -> int:
    """Mark one side (``engine_done`` or ``database_done``) of these rows; those level on both go.

    The generation is bumped first: once a search sees a structure no longer
    pending on that side, it already sees the new generation. A row whose other
    side is done (as read by this drain: a side is only ever set, by the drain
    holding the row) is deleted, the others are marked: one statement per row
    and ``BATCH_SIZE`` (a row another drain made level on its side meanwhile
    stays, level on both sides and hidden nowhere, until the next drain).
    """
    bump_generation()
    other = "database_done" if side == "engine_done" else "engine_done"
    gone = 0
    level = [r.pk for r in rows if getattr(r, other)]
    for i in range(0, len(level), BATCH_SIZE):
        gone += IndexOutbox.objects.filter(pk__in=level[i : i + BATCH_SIZE]).delete()[0]
    marked = [r.pk for r in rows if not getattr(r, other)]
    for i in range(0, len(marked), BATCH_SIZE):
        IndexOutbox.objects.filter(pk__in=marked[i : i + BATCH_SIZE]).update(**{side: True})
    for row in rows:
        setattr(row, side, True)
    return gone


def _batches(force: bool, started, batch_size: int) -> Iterator[list[IndexOutbox]]:
    """Due rows (``force``: every row), ``batch_size`` at a time, in id order (keyset: each row once).

    The first batch is small (``FIRST_BATCH_SIZE``): the engine starts on it while the rest are read and built.
    """
    last_id, size = 0, min(batch_size, FIRST_BATCH_SIZE)
    while True:
        rows = IndexOutbox.objects.filter(pk__gt=last_id)
        if not force:
            rows = rows.filter(next_attempt_at__lte=started)
        batch = list(rows.order_by("pk")[:size])
        if not batch:
            return
        last_id, size = batch[-1].pk, batch_size
        yield batch


def drain(force: bool = False, batch_size: int = BATCH_SIZE) -> DrainReport:
    """Process due rows in batches until none is due (``force``: every row, ignoring the back-off).

    A pipeline, so that the engine never waits on LaGrappe: ``ENGINE_THREADS``
    threads send bulk requests of ``ENGINE_CHUNK_SIZE`` documents, one after the
    other across batches (no pause between two), while this thread reads the next
    batch, builds its sources once for both backends (``SourceBuilder``: flat
    queries), chunk by chunk so the engine starts on the first one at once, and
    hands its database documents to ``_DatabaseWriter`` (beside this thread for a
    backlog), which analyses and writes them once the engine is done with the
    batch (shown, or deferred: they are written whatever it answers), so that the
    engine has the machine to itself until it is level. A structure queued twice
    ends in its latest state: a batch holding a structure of a batch still in
    flight waits for that one first, and the database documents are written in
    batch order.

    A batch the engine acknowledged keeps its rows pending for the engine
    (engine searches keep hiding its structures) until a refresh shows its
    documents: one refresh per ``REFRESH_DOCUMENTS`` acknowledged documents and
    one at the end, rather than one per batch; then the generation is bumped and
    the rows marked ``engine_done``. The engine is then level
    (``DrainReport.engine_level_at``) while the last database documents may still
    be written: the fallback hides their structures until they are. A worker
    killed at any point leaves each row pending on whichever side did not show
    it yet; the next drain does only what is left (rows already ``engine_done``
    are not sent again, rows ``database_done`` not written again).

    After a first engine failure the remaining batches only get their database
    documents refreshed (the fallback answers completely) and are deferred
    without another attempt.
    """
    total = DrainReport()
    started = timezone.now()
    backend = get_backend()
    engine_ok = True
    in_flight: deque[_Batch] = deque()
    acknowledged: list[_Batch] = []
    database = _DatabaseWriter()

    def settle() -> None:
        """Show the acknowledged batches' documents, then let engine searches stop hiding their structures."""
        nonlocal engine_ok
        if not acknowledged:
            return
        settled = list(acknowledged)
        acknowledged.clear()
        if backend is not None:
            try:
                if any(b.engine for b in settled):  # rows the engine already showed need no refresh
                    backend.refresh()
            except EngineUnavailable as exc:
                engine_ok = False
                total.failed += _defer([r for b in settled for r in b.rows], str(exc))
                total.error = total.error or str(exc)
                database.settled(settled)
                return
            if any(b.wants_synonyms for b in settled):
                # New rules need a new index (analysis settings of a live index never change).
                enqueue_once(rebuild_index, REBUILD_TASK_KEY)
        total.processed += _level([r for b in settled for r in b.rows], "engine_done")
        database.settled(settled)

    def finish(batch: _Batch) -> None:
        nonlocal engine_ok
        batch.sources = []  # the engine threads hold their own references until sent
        if backend is not None:
            if batch.engine is None:  # the engine already failed in this run: not asked again
                total.failed += _defer(batch.rows, "moteur indisponible (nouvel essai plus tard)")
                database.settled([batch])
                return
            try:
                for request in batch.engine:
                    request.result()
            except EngineUnavailable as exc:
                engine_ok = False
                total.failed += _defer(batch.rows, str(exc))
                total.error = total.error or str(exc)
                database.settled([batch])
                return
        acknowledged.append(batch)
        if backend is None or sum(len(b.rows) for b in acknowledged) >= REFRESH_DOCUMENTS:
            settle()
        total.processed += database.collect()

    failed = True
    with ThreadPoolExecutor(max_workers=ENGINE_THREADS, thread_name_prefix="engine") as engine:
        try:
            for number, rows in enumerate(_batches(force, started, batch_size)):
                if number == 0:
                    database.start(rows)
                structures = [r for r in rows if r.kind == IndexOutbox.STRUCTURE]
                batch = _Batch(
                    rows=rows,
                    ids=sorted({r.structure_id for r in structures}),
                    wants_synonyms=len(structures) < len(rows),
                )
                send = backend is not None and engine_ok
                if send:
                    # The same structure in a batch still in flight: that one's documents go first.
                    ids = set(batch.ids)
                    while any(not ids.isdisjoint(b.ids) for b in in_flight):
                        finish(in_flight.popleft())
                    send = engine_ok
                    batch.engine = [] if send else None
                builder = SourceBuilder() if batch.ids else None
                # Each side does what it has not done yet (a row may be level on one side from a former drain).
                needs_engine = {r.structure_id for r in structures if not r.engine_done}
                for i in range(0, len(batch.ids), ENGINE_CHUNK_SIZE):
                    chunk_ids = batch.ids[i : i + ENGINE_CHUNK_SIZE]
                    sources = builder.build(chunk_ids)
                    batch.sources.extend(sources)
                    to_engine = [pk for pk in chunk_ids if pk in needs_engine]
                    if send and to_engine:
                        published = {s["id"] for s in sources}
                        deleted = [pk for pk in to_engine if pk not in published]
                        sent = [s for s in sources if s["id"] in needs_engine]
                        batch.engine.append(engine.submit(backend.send, sent, deleted))
                total.processed += database.write(batch)
                in_flight.append(batch)
                # One batch sent while the next is prepared: wait for the older one only.
                while len(in_flight) > 1:
                    finish(in_flight.popleft())
            while in_flight:
                finish(in_flight.popleft())
            settle()
            if backend is not None and engine_ok:
                total.engine_level_at = timezone.now().isoformat()
            total.processed += database.collect(wait=True)
            failed = False
        finally:
            for batch in in_flight:  # an error in this thread: the engine's queue is dropped
                for request in batch.engine or ():
                    request.cancel()
            database.close(failed)
    total.remaining = IndexOutbox.objects.count()
    return total


def _defer(rows: list[IndexOutbox], error: str) -> int:
    now = timezone.now()
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = error[:2000]
    IndexOutbox.objects.bulk_update(rows, ["attempts", "next_attempt_at", "last_error"], batch_size=BATCH_SIZE)
    logger.warning("Search engine unavailable, %d change(s) kept in the outbox: %s", len(rows), error)
    return len(rows)


def next_attempt():
    return IndexOutbox.objects.aggregate(first=Min("next_attempt_at"))["first"]


@task()
def index_changes() -> dict:
    """Indexer les modifications de l’annuaire pour la recherche."""
    report = drain()
    following = next_attempt()
    if following is not None:
        schedule(run_after=max(following, timezone.now()))
    return report.as_dict()


@task()
def rebuild_index() -> dict:
    """Reconstruire l’index de recherche (nouvelles règles de synonymes), sans interruption."""
    backend = get_backend()
    if backend is None:
        return {"documents": 0}
    try:
        report = backend.rebuild(progress=False)
    except EngineUnavailable as exc:
        # Keep the need for new rules in the outbox: the worker tries again after a back-off.
        IndexOutbox.objects.create(
            kind=IndexOutbox.SYNONYMS, database_done=True, attempts=1, next_attempt_at=timezone.now() + backoff(1),
            last_error=str(exc)[:2000],
        )  # fmt: skip
        schedule(run_after=timezone.now() + backoff(1))
        return {"documents": 0, "error": str(exc)}
    bump_generation()
    return {"index": report["index"], "documents": report["documents"], "seconds": round(report["seconds"], 2)}


def stale_structure_ids() -> list[int]:
    """Structures whose database document disagrees with them (missing, left over, or older than the structure)."""
    public = Structure.objects.public()
    # One join, unordered (the sweep's time counts in the worker's catch-up: a correlated
    # subquery per structure took a second at 20,000 structures, the join a tenth of it).
    missing_or_old = (
        public.filter(Q(search_document__isnull=True) | Q(updated_at__gt=F("search_document__indexed_at")))
        .order_by()
        .values_list("pk", flat=True)
    )
    left_over = StructureSearchDocument.objects.exclude(structure_id__in=public.values("pk")).values_list(
        "structure_id", flat=True
    )
    queued = set(IndexOutbox.objects.filter(kind=IndexOutbox.STRUCTURE).values_list("structure_id", flat=True))
    return sorted((set(missing_or_old) | set(left_over)) - queued)


@task()
def sweep() -> dict:
    """Balayer la recherche : rattraper les modifications oubliées et la file d’attente due."""
    stale = stale_structure_ids()
    if stale:
        logger.warning("Search sweep found %d structure(s) not queued for indexing; queueing them", len(stale))
        with transaction.atomic():
            enqueue(stale)
    report = drain()
    following = next_attempt()
    if following is not None:
        schedule(run_after=max(following, timezone.now()))
    return {"requeued": len(stale), **report.as_dict()}
