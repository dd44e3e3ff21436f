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
from search.documents import (
    DOCUMENT_COLUMNS,
    FACET_SET_COLUMNS,
    TABLE,
    copy_text,
    database_row,
    pg_vector,
    store_database_documents,
    structure_sources,
)
from search.models import IndexOutbox, StructureSearchDocument
from tests.search.test_postgres_search import _kept_and_recounted, _sets_unlike_keys, vocabulary

PID_FILE_ENV = "LAGRAPPE_TEST_ANALYSIS_PIDS"


def copy_data_noting_process(sources, indexed_at, encoding):
    """``copy_text``, noting which process ran it (a module function: the pool pickles it by name)."""
    with open(os.environ[PID_FILE_ENV], "a") as pids:
        pids.write(f"{os.getpid()}\n")
    return copy_text(sources, indexed_at, encoding)


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
    monkeypatch.setattr(sync, "copy_text", copy_data_noting_process)
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


# --------------------------------------------------------------------------- PostgreSQL's set-wise writes
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's document writes: run with DATABASE_URL=postgres://…"
)


@postgres_only
@pytest.mark.django_db
def test_the_facet_set_columns_are_those_the_facet_set_trigger_watches():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.attname FROM pg_trigger t JOIN pg_attribute a
               ON a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr::int2[])
               WHERE t.tgrelid = %s::regclass AND t.tgname = 'search_facet_sets_update'""",
            [TABLE],
        )
        watched = {name for (name,) in cursor.fetchall()}
    assert watched == set(FACET_SET_COLUMNS)


@postgres_only
def test_each_document_is_written_as_far_as_it_changed(directory):
    """Facets changed, text changed, nothing changed, new: sets, vectors and counts right, every ``indexed_at`` moved."""
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    sources = structure_sources(ids)
    first, second, third, *others = sources
    with transaction.atomic(), connection.cursor() as cursor:
        store_database_documents(ids, sources)
        StructureSearchDocument.objects.filter(pk=third["id"]).delete()
        before = dict(StructureSearchDocument.objects.values_list("pk", "indexed_at"))
        edited = [
            {**first, "summary": "zorglub", "skills": [], "skill_names": [], "skill_synonyms": []},
            {**second, "summary": "zorglub bidulon"},
            third,
            *others,
        ]
        store_database_documents(ids, edited)
        after = dict(StructureSearchDocument.objects.values_list("pk", "indexed_at"))
        assert sorted(after) == ids
        assert all(after[pk] > moment for pk, moment in before.items())
        assert vocabulary("zorglub", "bidulon") == {"zorglub": 2, "bidulon": 1}
        kept, recounted = _kept_and_recounted(cursor)
        assert kept == recounted
        assert _sets_unlike_keys(cursor) == []
        written = StructureSearchDocument.objects.order_by("structure_id")
        texts = DOCUMENT_COLUMNS[: DOCUMENT_COLUMNS.index("sector_slugs") + 1]
        assert list(written.values_list(*texts)) == [database_row(s, None)[: len(texts)] for s in edited]
        for source in edited:
            row = database_row(source, None)
            vector = pg_vector(row[3], row[2], row[4], row[5])
            cursor.execute(
                f"SELECT search_vector = coalesce(%s::tsvector, search_vector) FROM {TABLE} WHERE structure_id = %s",
                [vector, source["id"]],
            )
            assert cursor.fetchone() == (True,)
        transaction.set_rollback(True)
