"""Each side of an outbox row: the engine shows a change before its database document is written, or the reverse.

The worker marks a row ``engine_done`` once a refresh shows its document in the
engine, ``database_done`` once its database document is written; the row goes
when both are. Each backend hides the structures still pending on its own side
(``sync.pending``), so the engine is level (and stops hiding) without waiting
for the database documents, and the fallback keeps hiding until they are
written. A withdrawn consent or an unpublication is never visible by any door
meanwhile: the engine, the fallback, the fallback answering for a dead engine,
in results, facets, highlights or suggestions.
"""

import threading
from itertools import groupby

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from directory.models import Person, Skill, SkillDomain, Structure
from directory.seed import seed_directory
from search import sync
from search.engine import get_backend
from search.models import IndexOutbox, StructureSearchDocument
from search.service import search_structures, suggest
from search.text import document_text
from search.types import SearchQuery
from tests.tasks.conftest import wait_for

DEAD_ENGINE = "http://127.0.0.1:9"  # discard port: nothing listens, connections are refused at once
EDITED = "Zorglubisation des ateliers"


# --------------------------------------------------------------------------- any database, no engine needed
@pytest.mark.django_db
def test_pending_lists_each_backend_its_own_side():
    IndexOutbox.objects.bulk_create(
        [
            IndexOutbox(structure_id=1),  # neither side done
            IndexOutbox(structure_id=2, engine_done=True),  # the engine shows it, its database document waits
            IndexOutbox(structure_id=3, database_done=True),  # the reverse (the engine was down)
            IndexOutbox(structure_id=2, database_done=True),  # a second change of 2, not in the engine yet
            IndexOutbox(kind=IndexOutbox.SYNONYMS, database_done=True),  # never a structure
        ]
    )

    queued = sync.pending()

    assert (queued.engine, queued.database, queued.backlog, queued.settled) == ([1, 2, 3], [1, 2], 3, False)
    IndexOutbox.objects.all().delete()
    assert sync.pending().settled is True


@pytest.mark.django_db
def test_a_row_the_engine_already_shows_needs_only_its_database_document(settings):
    """A drain that wrote to the engine, then died before the documents: the next one does not need the engine."""
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    seed_directory(5, progress=False)
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    Structure.objects.filter(pk__in=ids).update(summary=EDITED)
    IndexOutbox.objects.all().delete()
    IndexOutbox.objects.bulk_create([IndexOutbox(structure_id=pk, engine_done=True) for pk in ids])

    report = sync.drain(batch_size=2)

    # The dead engine was never asked: nothing deferred, every row level on both sides and gone.
    assert (report.processed, report.failed, report.remaining, report.error) == (len(ids), 0, 0, "")
    written = StructureSearchDocument.objects.filter(summary_text=document_text(EDITED))
    assert sorted(written.values_list("structure_id", flat=True)) == ids


@pytest.mark.django_db
def test_a_row_the_fallback_already_shows_is_sent_to_the_engine_only(settings, monkeypatch):
    settings.ELASTICSEARCH_URL = None
    seed_directory(5, progress=False)
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    IndexOutbox.objects.all().delete()
    IndexOutbox.objects.bulk_create([IndexOutbox(structure_id=pk, database_done=True) for pk in ids])
    monkeypatch.setattr(sync, "store_database_documents", lambda *args: pytest.fail("database documents written again"))

    report = sync.drain(batch_size=2)

    assert (report.processed, report.failed, report.remaining) == (len(ids), 0, 0)


# --------------------------------------------------------------------------- PostgreSQL and the real engine
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the database documents written beside the engine stream: run with DATABASE_URL=postgres://…",
)


@pytest.fixture
def sides_index(settings):
    """An engine index of its own (committed rows: ``transaction=True`` tests), dropped afterwards."""
    live_url = settings.ELASTICSEARCH_URL
    settings.SEARCH_INDEX_PREFIX = f"{settings.SEARCH_INDEX_PREFIX}_sides"
    yield get_backend()
    settings.ELASTICSEARCH_URL = live_url
    get_backend().drop_all()


class HeldDatabaseWriter:
    """``write_copy_data`` held until released: the drain's database documents wait while its engine part runs."""

    def __init__(self, monkeypatch):
        self.release = threading.Event()
        self.reached = threading.Event()
        write = sync.write_copy_data

        def held(chunks):
            self.reached.set()
            assert self.release.wait(timeout=120), "the test never released the database writer"
            write(chunks)

        monkeypatch.setattr(sync, "write_copy_data", held)


class BackgroundDrain(threading.Thread):
    def __init__(self, **kwargs):
        super().__init__(daemon=True)
        self.kwargs = kwargs
        self.report = self.error = None

    def run(self):
        try:
            self.report = sync.drain(**self.kwargs)
        except Exception as exc:  # noqa: BLE001 — reported by the test
            self.error = exc
        finally:
            connections.close_all()


def _private_skill_directory() -> tuple[Structure, Person]:
    """A seeded directory and a structure found by its public person's skill « Radiesthésie »."""
    seed_directory(7, progress=False)
    domain = SkillDomain.objects.create(name="Savoirs anciens", slug="savoirs-anciens", sort_order=99)
    skill = Skill.objects.create(name="Radiesthésie", slug="radiesthesie", domain=domain)
    sourcier = Structure.objects.create(
        slug="atelier-sourcier", name="Atelier Sourcier", category="collectif", city="Lille", live=True
    )
    zebulon = Person.objects.create(structure=sourcier, first_name="Zébulon", last_name="Puits", public=True)
    zebulon.skills.add(skill)
    zebulon.save()  # a ParentalManyToManyField is written on save
    call_command("search_index", "rebuild", "--no-progress", stdout=open("/dev/null", "w"))
    sync.drain(force=True)
    get_backend().refresh()
    assert IndexOutbox.objects.count() == 0
    return sourcier, zebulon


def _doors(settings, live_url: str) -> dict[str, dict]:
    """What each door answers: the engine, the fallback (no engine configured), the fallback for a dead engine."""
    answers = {}
    for door, url in (("engine", live_url), ("fallback", None), ("dead engine", DEAD_ENGINE)):
        settings.ELASTICSEARCH_URL = url
        by_skill = search_structures(SearchQuery(text="radiesthesie"))
        faceted = search_structures(SearchQuery(skills=["radiesthesie"]))
        around = search_structures(SearchQuery(text="sourcier"))
        edited = search_structures(SearchQuery(text="zorglubisation"))
        answers[door] = {
            "answered by": by_skill.engine,
            "skill": sorted(h.structure.slug for h in by_skill.hits),
            "facet": {v.value: v.count for v in faceted.facets["skills"]}.get("radiesthesie", 0) + faceted.total,
            "highlighted": [
                fragment
                for hit in around.hits
                for highlight in hit.highlights
                for fragment in highlight.fragments
                if "adiesth" in fragment
            ],
            "suggested": [s.slug for s in suggest("radiesth") if s.kind == "skill"],
            "edited": edited.total,
            "degraded": edited.degraded,
        }
    settings.ELASTICSEARCH_URL = live_url
    return answers


@pytest.mark.engine
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_engine_is_level_before_the_database_documents_and_a_withdrawn_consent_shows_nowhere(
    settings, sides_index, monkeypatch
):
    live_url = settings.ELASTICSEARCH_URL
    monkeypatch.setattr(sync, "schedule", lambda run_after=None: None)  # the worker is this test's drain
    sourcier, zebulon = _private_skill_directory()
    # Given a backlog: every published structure edited, and the person withdrawing consent.
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    with transaction.atomic():
        Structure.objects.filter(pk__in=ids).update(summary=EDITED)
        sync.enqueue(ids)
        zebulon.public = False
        zebulon.save()
    monkeypatch.setattr(sync, "PARALLEL_FROM", 2)  # a backlog: the documents are written beside the engine stream
    writer = HeldDatabaseWriter(monkeypatch)
    drain = BackgroundDrain(batch_size=3)

    # When the engine's part is done while the database documents are still held back.
    drain.start()
    try:
        queued = wait_for(
            lambda: (q := sync.pending()) and not q.engine and q,
            timeout=60,
            message="the engine level while the documents wait",
        )
        assert queued.database == ids
        assert writer.reached.wait(timeout=60), "the database documents' writer never started"
        during = _doors(settings, live_url)
        # A consent withdrawn again (after being given back) while the documents are still held: a new row,
        # pending on both sides, hides the structure from every door at once.
        with transaction.atomic():
            zebulon.public = True
            zebulon.save()
        assert sourcier.pk in sync.pending().engine
        with transaction.atomic():
            zebulon.public = False
            zebulon.save()
        again = _doors(settings, live_url)
    finally:
        writer.release.set()
        drain.join(timeout=120)
    assert drain.error is None and drain.report is not None
    assert drain.report.engine_level_at is not None

    # Then the engine shows the edits (not degraded: it is level), the fallbacks still hide every edited structure.
    published = len(ids)
    assert during["engine"]["answered by"] not in ("database", "") and during["engine"]["edited"] == published
    assert during["engine"]["degraded"] is False
    for door in ("fallback", "dead engine"):
        assert (during[door]["answered by"], during[door]["edited"], during[door]["degraded"]) == (
            "database",
            0,
            True,
        )
    # And the withdrawn skill shows through no door, in no result, facet, highlight or suggestion.
    for answers in (during, again):
        for door, seen in answers.items():
            assert (door, seen["skill"], seen["facet"], seen["highlighted"], seen["suggested"]) == (
                door,
                [],
                0,
                [],
                [],
            )
    # Once the documents are written (and what came in meanwhile drained), every door agrees.
    sync.drain()
    get_backend().refresh()
    assert IndexOutbox.objects.count() == 0
    after = _doors(settings, live_url)
    for door, seen in after.items():
        assert (door, seen["skill"], seen["facet"], seen["suggested"], seen["edited"], seen["degraded"]) == (
            door,
            [],
            0,
            [],
            published,
            False if door != "dead engine" else True,
        )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_dead_engine_lets_the_backlogs_database_documents_be_written_beside_it(settings, monkeypatch):
    """The documents wait for the engine to be done with their batch: a deferred batch is done with, not waited on."""
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    monkeypatch.setattr(sync, "schedule", lambda run_after=None: None)
    seed_directory(7, progress=False)
    IndexOutbox.objects.all().delete()
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    with transaction.atomic():
        Structure.objects.filter(pk__in=ids).update(summary=EDITED)
        sync.enqueue(ids)
    monkeypatch.setattr(sync, "PARALLEL_FROM", 2)
    writers = []
    write = sync.write_copy_data

    def noted(chunks):
        writers.append(threading.current_thread().name)
        write(chunks)

    monkeypatch.setattr(sync, "write_copy_data", noted)

    report = sync.drain(batch_size=3)

    assert (report.processed, report.failed, report.remaining, report.engine_level_at) == (0, len(ids), len(ids), None)
    assert writers and all(name.startswith("database") for name in writers)
    rows = IndexOutbox.objects.order_by("structure_id").values_list("structure_id", "engine_done", "database_done")
    assert list(rows) == [(pk, False, True) for pk in ids]
    written = StructureSearchDocument.objects.filter(summary_text=document_text(EDITED))
    assert sorted(written.values_list("structure_id", flat=True)) == ids
    assert (sync.pending().engine, sync.pending().database) == (ids, [])


@pytest.mark.engine
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backlogs_database_documents_are_analysed_once_the_engine_shows_the_backlog(sides_index, monkeypatch):
    """The engine has the machine to itself until it is level: nothing is analysed beside its stream."""
    monkeypatch.setattr(sync, "schedule", lambda run_after=None: None)
    seed_directory(7, progress=False)
    call_command("search_index", "rebuild", "--no-progress", stdout=open("/dev/null", "w"))
    IndexOutbox.objects.all().delete()
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    with transaction.atomic():
        Structure.objects.filter(pk__in=ids).update(summary=EDITED)
        sync.enqueue(ids)
    monkeypatch.setattr(sync, "PARALLEL_FROM", 2)
    events = []
    backend_class = type(sides_index)
    send, refresh = backend_class.send, backend_class.refresh

    def noted_send(self, sources, deleted_ids):
        events.append("send")
        return send(self, sources, deleted_ids)

    def noted_refresh(self):
        refresh(self)
        events.append("refresh")

    class NotedPool(sync.ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            if fn is sync.copy_text:
                events.append("analysis")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(backend_class, "send", noted_send)
    monkeypatch.setattr(backend_class, "refresh", noted_refresh)
    monkeypatch.setattr(sync, "ProcessPoolExecutor", NotedPool)

    report = sync.drain(batch_size=3)

    # Every batch sent, one refresh shows them all, and only then are their documents analysed.
    assert (report.processed, report.failed, report.remaining) == (len(ids), 0, 0)
    assert [event for event, _ in groupby(events)] == ["send", "refresh", "analysis"]
    assert events.count("send") == -(-len(ids) // 3)
    written = StructureSearchDocument.objects.filter(summary_text=document_text(EDITED))
    assert sorted(written.values_list("structure_id", flat=True)) == ids
