"""An append-only spool for what visitors' requests want logged, ingested by the worker.

Why a file and not the database or a task: a visitor's search is a GET, and a
GET writes nothing to the database (issue 10). Enqueueing a task with the
database task backend is itself an INSERT, and with the database cache
(production without Redis) so is a cache write. Appending one line to a local
file costs a few microseconds, takes no lock the database knows of, and lets
the worker write the rows in bulk (``search.quality.ingest_search_log``, a
periodic task of ``manage.py db_worker``).

- Each process appends to its own file per time slot
  (``<slot>-<pid>.jsonl``, one ``write()`` per line in append mode).
- The worker claims a file once its slot has closed (renamed to
  ``….claimed``, so two workers never read the same file), writes its rows,
  then deletes it. A file claimed by a worker that died is claimed again after
  STALE_CLAIM_SECONDS; searches are de-duplicated by their token on the way in.
- Like ``MEDIA_ROOT``, SEARCH_LOG_SPOOL_DIR must be shared by the web processes
  and the worker (one machine, or a shared volume).
"""

import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

SLOT_SECONDS = 10  # a file per process and per 10 s: the worker reads closed files only
GRACE_SECONDS = 2  # a write that began just before its slot closed has landed by then
STALE_CLAIM_SECONDS = 600
CLAIMED = ".claimed"


def spool_dir() -> Path:
    return Path(settings.SEARCH_LOG_SPOOL_DIR)


def append(entry: dict) -> None:
    """Append one entry (JSON-serialisable) for the worker."""
    directory = spool_dir()
    directory.mkdir(parents=True, exist_ok=True)
    slot = int(time.time() // SLOT_SECONDS)
    path = directory / f"{slot:012d}-{os.getpid()}.jsonl"
    line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write in append mode: lines of concurrent threads never interleave
    finally:
        os.close(fd)


def claim(*, everything: bool = False) -> list[Path]:
    """Files whose slot has closed (all of them with ``everything``, for tests), renamed for this reader."""
    directory = spool_dir()
    if not directory.is_dir():
        return []
    now = time.time()
    open_slot = int((now - GRACE_SECONDS) // SLOT_SECONDS)
    claimed = []
    for path in sorted(directory.iterdir()):
        if path.name.endswith(CLAIMED):
            if now - path.stat().st_mtime < STALE_CLAIM_SECONDS:
                continue  # another worker is on it
            target = path
        elif path.suffix == ".jsonl":
            slot = int(path.name.split("-", 1)[0])
            if slot >= open_slot and not everything:
                continue
            target = path.with_name(path.name + CLAIMED)
        else:
            continue
        try:
            os.replace(path, target) if target != path else os.utime(path)
        except FileNotFoundError:
            continue  # claimed by another worker in between
        claimed.append(target)
    return claimed


def read(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                yield json.loads(line)
            except ValueError:
                # A line cut short by a full disk: the others still count.
                logger.warning("Skipping unreadable line %d of %s", number, path.name)
