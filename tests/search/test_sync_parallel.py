"""The worker's catch-up writes a backlog's database documents beside its own thread (PostgreSQL).

Committed rows (``transactional_db``): the writer thread reads and writes through a
connection of its own, which sees nothing of an open test transaction. On SQLite the
same drain writes them in its own thread (one writer at a time there), and the same
documents must come out.
"""

import os
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from directory.models import Structure
from directory.seed import seed_directory
from search import sync
from search.database_rebuild import copy_data
from search.documents import DOCUMENT_COLUMNS, database_row, structure_sources
from search.models import IndexOutbox, StructureSearchDocument

PID_FILE_ENV = "LAGRAPPE_TEST_ANALYSIS_PIDS"


def copy_data_noting_process(sources, indexed_at, encoding):
    """``copy_data``, noting which process ran it (a module function: the pool pickles it by name)."""
    with open(os.environ[PID_FILE_ENV], "a") as pids:
        pids.write(f"{os.getpid()}\n")
    return copy_data(sources, indexed_at, encoding)


@pytest.mark.django_db(transaction=True)
def test_a_backlog_has_its_documents_analysed_and_written_beside_the_engine_stream(settings, monkeypatch, tmp_path):
    settings.ELASTICSEARCH_URL = None
    seed_directory(7, progress=False)
    IndexOutbox.objects.all().delete()
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    assert len(ids) >= 5
    unpublished = ids[2]
    monkeypatch.setattr(sync, "schedule", lambda run_after=None: None)  # the worker is away: rows wait
    with transaction.atomic():  # a bulk writer: the edits and their rows commit together
        Structure.objects.filter(pk__in=ids).update(summary="Zorglubisation des ateliers", updated_at=timezone.now())
        Structure.objects.filter(pk=unpublished).update(live=False)
        sync.enqueue(ids)

    pid_file = tmp_path / "pids"
    pid_file.touch()
    monkeypatch.setenv(PID_FILE_ENV, str(pid_file))
    monkeypatch.setattr(sync, "copy_data", copy_data_noting_process)
    monkeypatch.setattr(sync, "PARALLEL_FROM", 2)
    writers = []
    write_copy_data = sync.write_copy_data

    def noted_write(chunks):
        writers.append(threading.current_thread().name)
        write_copy_data(chunks)

    monkeypatch.setattr(sync, "write_copy_data", noted_write)

    report = sync.drain(batch_size=2)

    assert (report.processed, report.failed, report.remaining) == (len(ids), 0, 0)
    published = [pk for pk in ids if pk != unpublished]
    written = StructureSearchDocument.objects.order_by("structure_id")
    assert list(written.values_list("structure_id", flat=True)) == published
    # The texts and facets the one-thread writer makes of the same sources.
    texts = DOCUMENT_COLUMNS[: DOCUMENT_COLUMNS.index("sector_slugs") + 1]
    expected = [database_row(source, None)[: len(texts)] for source in structure_sources(published)]
    assert list(written.values_list(*texts)) == expected
    analysed_by = {int(pid) for pid in pid_file.read_text().split()}
    if connection.vendor == "postgresql":
        assert analysed_by and os.getpid() not in analysed_by
        assert writers and all(name.startswith("database") for name in writers)
        assert not [t for t in threading.enumerate() if t.name.startswith("database")]  # the thread is gone
    else:
        assert (analysed_by, writers) == (set(), [])
