"""Keeping search in step with the directory: a durable outbox, processed after commit.

A change to a structure, a person, a skill, a domain or a sector writes the ids
of the structures it affects into ``IndexOutbox`` *inside* the transaction
that makes the change; ``transaction.on_commit`` then refreshes the database
documents and pushes them to the engine with a short timeout. When the engine
is down the rows stay, with a retry count and an exponential back-off
(``next_attempt_at``); ``manage.py search_index drain`` or the automatic path
(``maybe_drain``, called on later saves and searches, throttled) catches up.
An admin save therefore never fails nor waits on the engine.

Bulk writers that bypass signals (``bulk_create`` in imports or seeds) call
``enqueue(ids)`` themselves, or ``manage.py search_index rebuild`` afterwards.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .base import SKILLS_CACHE_KEY
from .documents import refresh_database_documents
from .engine import EngineUnavailable, get_backend
from .models import IndexOutbox

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 3600
DRAIN_CHECK_SECONDS = 15  # how often the automatic path looks at the outbox, per process
ENGINE_DOWN_SECONDS = 10  # after a failure, saves skip the engine this long (no repeated timeouts)
ENGINE_DOWN_KEY = "search:engine-down"
DRAIN_CHECKED_KEY = "search:outbox-checked"
BATCH_SIZE = 500


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def enqueue(structure_ids, synonyms: bool = False) -> None:
    """Queue structures (and optionally the engine's synonym list) for reindexing after commit."""
    ids = sorted({int(i) for i in structure_ids if i})
    rows = [IndexOutbox(kind=IndexOutbox.STRUCTURE, structure_id=i) for i in ids]
    if synonyms:
        rows.append(IndexOutbox(kind=IndexOutbox.SYNONYMS))
    if not rows:
        return
    IndexOutbox.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    # Which skills may be suggested can change with any edit (a person's consent, a publication).
    cache.delete(SKILLS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SKILLS_CACHE_KEY))
    transaction.on_commit(lambda: _process_after_commit(ids, synonyms))


def _process_after_commit(ids: list[int], synonyms: bool) -> None:
    # Runs after the admin's transaction committed: whatever happens here must not
    # surface as an error page, the rows are safe in the outbox anyway.
    try:
        process(structure_ids=ids, synonyms=synonyms)
        maybe_drain()
    except Exception:  # noqa: BLE001
        logger.exception("Search indexing after commit failed; the outbox keeps the changes")


@dataclass
class DrainReport:
    processed: int = 0
    failed: int = 0
    remaining: int = 0
    error: str = ""


def process(structure_ids=None, synonyms: bool = False, due_only: bool = False, limit: int | None = None,
            respect_engine_down: bool = True) -> DrainReport:  # fmt: skip
    """Process outbox rows: the given structures' rows, or every due row (``due_only``)."""
    rows = IndexOutbox.objects.all()
    if due_only:
        rows = rows.filter(next_attempt_at__lte=timezone.now())
    else:
        condition = Q(kind=IndexOutbox.STRUCTURE, structure_id__in=list(structure_ids or []))
        if synonyms:
            condition |= Q(kind=IndexOutbox.SYNONYMS)
        rows = rows.filter(condition)
    rows = list(rows.order_by("id")[:limit] if limit else rows.order_by("id"))
    report = DrainReport()
    if not rows:
        return report
    ids = sorted({r.structure_id for r in rows if r.kind == IndexOutbox.STRUCTURE})
    wants_synonyms = any(r.kind == IndexOutbox.SYNONYMS for r in rows)
    # The database documents never depend on the engine: refresh them first.
    sources = refresh_database_documents(ids)
    backend = get_backend()
    if backend is not None:
        if respect_engine_down and cache.get(ENGINE_DOWN_KEY):
            return _defer(rows, "moteur indisponible (nouvel essai plus tard)", report)
        try:
            if wants_synonyms:
                backend.update_synonyms()
            published = {s["id"] for s in sources}
            backend.apply(sources, deleted_ids=[i for i in ids if i not in published])
        except EngineUnavailable as exc:
            cache.set(ENGINE_DOWN_KEY, True, ENGINE_DOWN_SECONDS)
            return _defer(rows, str(exc), report)
        cache.delete(ENGINE_DOWN_KEY)
    IndexOutbox.objects.filter(pk__in=[r.pk for r in rows]).delete()
    report.processed = len(rows)
    return report


def _defer(rows: list[IndexOutbox], error: str, report: DrainReport) -> DrainReport:
    now = timezone.now()
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = error[:2000]
    IndexOutbox.objects.bulk_update(rows, ["attempts", "next_attempt_at", "last_error"], batch_size=BATCH_SIZE)
    report.failed = len(rows)
    report.error = error
    logger.warning("Search engine unavailable, %d change(s) kept in the outbox: %s", len(rows), error)
    return report


def drain(force: bool = False, batch_size: int = BATCH_SIZE) -> DrainReport:
    """Process the outbox in batches until it is empty or the engine fails (``force``: ignore back-off)."""
    total = DrainReport()
    while True:
        if force:
            batch = list(IndexOutbox.objects.order_by("id").values_list("structure_id", "kind")[:batch_size])
            ids = [i for i, kind in batch if kind == IndexOutbox.STRUCTURE]
            syn = any(kind == IndexOutbox.SYNONYMS for _, kind in batch)
            report = process(structure_ids=ids, synonyms=syn, respect_engine_down=False) if batch else DrainReport()
        else:
            report = process(due_only=True, limit=batch_size, respect_engine_down=False)
        total.processed += report.processed
        total.failed += report.failed
        total.error = report.error or total.error
        if report.failed or not report.processed:
            break
    total.remaining = IndexOutbox.objects.count()
    return total


def maybe_drain() -> None:
    """The automatic path: at most every DRAIN_CHECK_SECONDS per process, drain due rows (one cheap EXISTS otherwise)."""
    if cache.get(DRAIN_CHECKED_KEY) or cache.get(ENGINE_DOWN_KEY):
        return
    cache.set(DRAIN_CHECKED_KEY, True, DRAIN_CHECK_SECONDS)
    if IndexOutbox.objects.filter(next_attempt_at__lte=timezone.now()).exists():
        try:
            process(due_only=True, limit=BATCH_SIZE)
        except Exception:  # noqa: BLE001
            logger.exception("Automatic outbox drain failed; rows stay queued")
