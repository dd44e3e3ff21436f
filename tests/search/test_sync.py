"""Keeping search in sync: after-commit indexing, the outbox, the engine being down, drift.

Each test undoes its changes through the same signals (so the engine index,
which a database rollback cannot undo, is left as it was found).
"""

import pytest
from django.core.management import call_command

from directory.models import Person, Sector, Skill, SkillDomain, Structure
from search.documents import SourceBuilder
from search.drift import find_drift
from search.engine import EngineUnavailable, get_backend
from search.models import IndexOutbox, StructureSearchDocument
from search.service import search_structures, suggest
from search.sync import drain, enqueue, index_changes
from search.text import document_text
from search.types import SearchQuery
from tests.search.search_dataset import slugs, structure_publish_form

pytestmark = pytest.mark.django_db

DEAD_ENGINE = "http://127.0.0.1:9"  # discard port: nothing listens, connections are refused at once


def refresh_engine():
    backend = get_backend()
    if backend is not None:
        backend.refresh()


def find(text: str, **filters) -> list[str]:
    refresh_engine()
    return sorted(slugs(search_structures(SearchQuery(text=text, **filters))))


def test_publish_edit_unpublish_delete_reach_search(backend, directory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        structure = Structure(slug="velo-atelier", name="Vélo Atelier", category="collectif", city="Lille", live=True)
        structure.skills = [directory["skills"]["rse"]]
        structure.save()
    assert find("velo") == ["velo-atelier"]
    assert find("rse") == ["compta-solidaire", "velo-atelier"]

    with django_capture_on_commit_callbacks(execute=True):
        structure.name = "Cyclo Atelier"
        structure.save()
    assert find("velo") == []
    assert find("cyclo") == ["velo-atelier"]

    with django_capture_on_commit_callbacks(execute=True):
        structure.live = False
        structure.save()
    assert find("cyclo") == []

    with django_capture_on_commit_callbacks(execute=True):
        structure.live = True
        structure.save()
    assert find("cyclo") == ["velo-atelier"]

    with django_capture_on_commit_callbacks(execute=True):
        structure.delete()
    assert find("cyclo") == []
    assert IndexOutbox.objects.count() == 0


def test_person_consent_controls_what_their_skills_find(backend, directory, django_capture_on_commit_callbacks):
    secret = Person.objects.get(first_name="Zébulon")
    with django_capture_on_commit_callbacks(execute=True):
        secret.public = True
        secret.save()
    assert find("cryptozoologie") == ["terres-de-compost"]

    with django_capture_on_commit_callbacks(execute=True):
        secret.public = False
        secret.save()
    assert find("cryptozoologie") == []
    assert find("", skills=["cryptozoologie"]) == []


def test_adding_a_synonym_fixes_a_zero_result_search(backend, directory, django_capture_on_commit_callbacks):
    assert find("ombrières") == []

    skill = Skill.objects.get(slug="photovoltaique")
    original = skill.synonyms
    with django_capture_on_commit_callbacks(execute=True):
        skill.synonyms = original + "\nombrières"
        skill.save()
    try:
        assert find("ombrières") == ["photon-coop", "soleil-du-nord"]
        assert find("ombriere") == ["photon-coop", "soleil-du-nord"]
    finally:
        with django_capture_on_commit_callbacks(execute=True):
            skill.synonyms = original
            skill.save()
    assert find("ombrières") == []


@pytest.mark.parametrize(
    ("model", "slug", "acronym", "expected"),
    [
        pytest.param(Sector, "batiment", "BTP", ["atelier-bois-roubaix", "menuiserie-lilloise"], id="sector"),
        pytest.param(SkillDomain, "gestion", "SCOP", ["compta-solidaire"], id="skill-domain"),
    ],
)
def test_a_sector_or_domain_synonym_finds_its_structures_once_saved(
    backend, directory, django_capture_on_commit_callbacks, model, slug, acronym, expected
):
    assert find(acronym) == []

    row = model.objects.get(slug=slug)
    original = row.synonyms
    with django_capture_on_commit_callbacks(execute=True):
        row.synonyms = f"{original}\n{acronym}"
        row.save()
    try:
        assert find(acronym) == expected
        assert find(acronym.lower()) == expected
        # The engine's rules follow through a new index swapped in (no close/open of the live one):
        # nothing waits in the outbox.
        assert IndexOutbox.objects.count() == 0
    finally:
        with django_capture_on_commit_callbacks(execute=True):
            row.synonyms = original
            row.save()
    assert find(acronym) == []


def test_drift_is_zero_after_a_burst_of_edits(backend, directory, django_capture_on_commit_callbacks):
    skills = directory["skills"]
    created = []
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(12):
            s = Structure(slug=f"rafale-{i}", name=f"Rafale {i}", category="individuel", city="Lille", live=i % 3 != 0)
            s.skills = [skills["menuiserie"]] if i % 2 else []
            s.save()
            created.append(s)
    with django_capture_on_commit_callbacks(execute=True):
        for s in created[:6]:
            s.name = f"{s.name} renommée"
            s.live = not s.live
            s.save()
        created[6].delete()
        created[7].skills = [skills["rse"]]
        created[7].save()
        Person.objects.create(structure=created[8], first_name="Léa", last_name="Rafale", public=True)
    try:
        assert IndexOutbox.objects.count() == 0
        assert find_drift() == []
        published = sorted(s.slug for s in Structure.objects.filter(slug__startswith="rafale-", live=True))
        assert find("rafale") == published
    finally:
        with django_capture_on_commit_callbacks(execute=True):
            Structure.objects.filter(slug__startswith="rafale-").delete()
    assert find("rafale") == []


def test_engine_down_a_save_waits_on_nothing_and_the_database_answers(
    directory, settings, django_capture_on_commit_callbacks
):
    """The first half of the round trip below, which needs no engine: a dead port is enough (runs on SQLite)."""
    structure = Structure.objects.get(slug="photon-coop")
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    with django_capture_on_commit_callbacks(execute=True):
        structure.summary = "Centrales citoyennes et ombrières héliotropes"
        structure.save()

    queued = list(IndexOutbox.objects.all())
    assert [(row.structure_id, row.attempts) for row in queued] == [(structure.pk, 1)]
    assert "ConnectionError" in queued[0].last_error

    # Searches answer from the database meanwhile, which already has the edit.
    result = search_structures(SearchQuery(text="heliotropes"))
    assert (result.engine, result.degraded, slugs(result)) == ("database", True, ["photon-coop"])
    # The test's transaction is rolled back; the engine, when there is one, was never written.


@pytest.mark.engine
def test_engine_down_never_breaks_a_save_and_catches_up_when_back(
    directory, settings, django_capture_on_commit_callbacks
):
    live_url = settings.ELASTICSEARCH_URL
    backend = get_backend()
    backend.refresh()
    structure = Structure.objects.get(slug="photon-coop")
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    try:
        with django_capture_on_commit_callbacks(execute=True):
            structure.summary = "Centrales citoyennes et ombrières héliotropes"
            structure.save()

        queued = list(IndexOutbox.objects.all())
        assert [(row.structure_id, row.attempts) for row in queued] == [(structure.pk, 1)]
        assert "ConnectionError" in queued[0].last_error

        # Searches answer from the database meanwhile, which already has the edit.
        result = search_structures(SearchQuery(text="heliotropes"))
        assert (result.engine, result.degraded, slugs(result)) == ("database", True, ["photon-coop"])
    finally:
        settings.ELASTICSEARCH_URL = live_url

    # The engine is back: it does not know yet; the drain catches up.
    backend.refresh()
    assert slugs(backend.search(SearchQuery(text="heliotropes"))) == []
    call_command("search_index", "drain", "--force", stdout=open("/dev/null", "w"))
    assert IndexOutbox.objects.count() == 0
    backend.refresh()
    assert slugs(search_structures(SearchQuery(text="heliotropes"))) == ["photon-coop"]

    with django_capture_on_commit_callbacks(execute=True):
        structure.summary = "Centrales citoyennes"
        structure.save()
    assert find("heliotropes") == []


@pytest.mark.engine
def test_a_document_the_engine_refuses_fails_the_rebuild_and_the_alias_keeps_its_index(engine_index, monkeypatch):
    before = engine_index.current_indices()
    structure = Structure.objects.public().get(slug="photon-coop")
    # A latitude the engine's geo_point refuses (the database's check constraint never lets one in).
    from_rows = SourceBuilder.from_rows

    def out_of_range(self, rows, id_range=None):
        sources = from_rows(self, rows, id_range)
        for source in sources:
            if source["id"] == structure.pk:
                source["location"] = {"lat": 95.0, "lon": 3.0}
        return sources

    monkeypatch.setattr(SourceBuilder, "from_rows", out_of_range)

    with pytest.raises(EngineUnavailable, match=rf"indexation refusée pour le document {structure.pk} : .*latitude"):
        engine_index.rebuild(progress=False)

    # Searches go on reading the index they had, and the half-built one is gone.
    assert engine_index.current_indices() == before
    found = engine_index.request("GET", f"/{engine_index.alias}_*", params={"filter_path": "*.settings.index.uuid"})
    assert sorted(found) == before
    assert slugs(engine_index.search(SearchQuery(text="photon coop"))) == ["photon-coop"]


@pytest.mark.engine
def test_a_rebuild_reports_where_its_seconds_went(engine_index):
    report = engine_index.rebuild(progress=False)

    phases = report["phases"]
    assert report["documents"] == Structure.objects.public().count()
    # The index is created while the first chunks are read: within the load, not before it.
    assert 0 < phases["create"] <= phases["load"]
    assert sum(phases[p] for p in ("load", "refresh", "swap", "replay", "grace")) == pytest.approx(report["seconds"])
    assert engine_index.current_indices() == [report["index"]]


@pytest.mark.engine
def test_searches_never_process_the_queue_and_hide_what_waits(directory, settings, django_capture_on_commit_callbacks):
    live_url = settings.ELASTICSEARCH_URL
    structure = Structure.objects.get(slug="menuiserie-lilloise")
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    try:
        with django_capture_on_commit_callbacks(execute=True):
            structure.summary = "Agencement et marqueterie"
            structure.save()
    finally:
        settings.ELASTICSEARCH_URL = live_url
    assert IndexOutbox.objects.count() == 1
    IndexOutbox.objects.update(next_attempt_at=IndexOutbox.objects.get().created_at)  # back-off elapsed

    # The engine is back; visitors search: nothing is processed on their behalf, and
    # the structure whose change waits is left out of every answer, which says so.
    for _ in range(3):
        result = search_structures(SearchQuery(text="menuiserie"))
        assert (result.degraded, "menuiserie-lilloise" in slugs(result)) == (True, False)
        assert "menuiserie-lilloise" not in [s.slug for s in suggest("menuiserie")]
    assert IndexOutbox.objects.count() == 1

    # The worker's task catches up.
    report = index_changes.call()
    assert (report["processed"], report["remaining"]) == (1, 0)
    assert find("marqueterie") == ["menuiserie-lilloise"]
    assert search_structures(SearchQuery(text="marqueterie")).degraded is False

    with django_capture_on_commit_callbacks(execute=True):
        structure.summary = "Agencement intérieur"
        structure.save()
    assert find("marqueterie") == []


def test_drain_command_reports_an_empty_outbox(backend, directory, capsys):
    report = drain(force=True)

    assert (report.processed, report.failed, report.remaining) == (0, 0, 0)


@pytest.mark.engine
def test_admin_publish_with_the_engine_down_succeeds(client, directory, settings, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    live_url = settings.ELASTICSEARCH_URL
    structure = Structure.objects.get(slug="compta-solidaire")
    admin = get_user_model().objects.create_superuser("admin-sync", "admin-sync@example.org", "motdepasse-long-42")
    client.force_login(admin)
    data = structure_publish_form(structure, "Comptabilité et audit pour les associations")
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("wagtailsnippets_directory_structure:edit", args=[structure.pk]), data)
    finally:
        settings.ELASTICSEARCH_URL = live_url

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    structure.refresh_from_db()
    assert structure.summary == "Comptabilité et audit pour les associations"
    assert set(IndexOutbox.objects.values_list("structure_id", flat=True)) == {structure.pk}  # kept for later

    drain(force=True)
    assert IndexOutbox.objects.count() == 0
    assert find("audit") == ["compta-solidaire"]
    with django_capture_on_commit_callbacks(execute=True):
        structure.summary = "Comptabilité pour les associations"
        structure.save()
    assert find("audit") == []


def _restore_summaries(originals: dict[int, str], ids: list[int], capture_on_commit) -> None:
    """Undo ``_edit_in_bulk`` through the signals, so the engine index is left as it was found."""
    with capture_on_commit(execute=True):
        for structure in Structure.objects.filter(pk__in=ids):
            structure.summary = originals[structure.pk]
            structure.save()


def _edit_in_bulk(summary: str) -> list[int]:
    """A bulk writer's edit of every published structure, queued in its transaction (no on-commit task here)."""
    ids = sorted(Structure.objects.public().values_list("pk", flat=True))
    Structure.objects.filter(pk__in=ids).update(summary=summary)
    enqueue(ids)
    return ids


def test_engine_down_every_batch_gets_its_database_document_and_is_deferred(directory, settings):
    """Several batches in the pipeline: the first failure stops engine calls, never the database documents."""
    settings.ELASTICSEARCH_URL = DEAD_ENGINE
    ids = _edit_in_bulk("Zorglubisation des ateliers")
    assert len(ids) >= 5

    report = drain(batch_size=2)

    assert (report.processed, report.failed, report.remaining) == (0, len(ids), len(ids))
    assert "ConnectionError" in report.error
    rows = list(IndexOutbox.objects.order_by("structure_id"))
    assert [(r.structure_id, r.attempts, r.database_done) for r in rows] == [(i, 1, True) for i in ids]
    # The first batches asked the engine and keep its error; the later ones were not sent.
    assert "ConnectionError" in rows[0].last_error
    assert rows[-1].last_error == "moteur indisponible (nouvel essai plus tard)"
    written = StructureSearchDocument.objects.filter(summary_text=document_text("Zorglubisation des ateliers"))
    assert sorted(written.values_list("structure_id", flat=True)) == ids
    # Deferred: nothing is due before the back-off.
    assert drain().failed == 0
    result = search_structures(SearchQuery(text="zorglubisation"))
    assert (result.engine, result.degraded, result.total) == ("database", True, len(ids))


@pytest.mark.engine
def test_a_backlog_in_many_batches_leaves_the_engine_level_with_the_database(
    engine_index, directory, django_capture_on_commit_callbacks
):
    originals = dict(Structure.objects.public().values_list("pk", "summary"))
    ids = _edit_in_bulk("Zorglubisation des ateliers")
    try:
        report = drain(batch_size=2)
        assert (report.processed, report.failed, report.remaining) == (len(ids), 0, 0)
        assert find_drift() == []
        # No refresh by the test: each batch was made visible before its rows went.
        result = search_structures(SearchQuery(text="zorglubisation"))
        assert (result.engine, result.degraded, result.total) == (engine_index.name, False, len(ids))
    finally:
        _restore_summaries(originals, ids, django_capture_on_commit_callbacks)
    assert find("zorglubisation") == []


@pytest.mark.engine
def test_a_backlog_is_shown_by_one_refresh_before_any_of_its_rows_goes(
    engine_index, directory, monkeypatch, django_capture_on_commit_callbacks
):
    """The engine's stream never pauses for a refresh per batch; searches hide every queued structure until it."""
    originals = dict(Structure.objects.public().values_list("pk", "summary"))
    ids = _edit_in_bulk("Zorglubisation des ateliers")
    enqueue(ids[:1])  # queued twice: in the first batch and in the last, whose documents must land last
    queued = IndexOutbox.objects.count()
    refreshes = []
    refresh = type(engine_index).refresh

    def counted_refresh(self):
        refreshes.append(IndexOutbox.objects.count())
        refresh(self)

    monkeypatch.setattr(type(engine_index), "refresh", counted_refresh)
    try:
        report = drain(batch_size=2)
        assert (report.processed, report.failed, report.remaining) == (queued, 0, 0)
        # One refresh for every batch, made while all of the rows were still there (searches hid them).
        assert refreshes == [queued]
        assert find_drift() == []
        result = search_structures(SearchQuery(text="zorglubisation"))
        assert (result.engine, result.degraded, result.total) == (engine_index.name, False, len(ids))
    finally:
        monkeypatch.undo()
        _restore_summaries(originals, ids, django_capture_on_commit_callbacks)
    assert find("zorglubisation") == []


@pytest.mark.engine
def test_documents_the_engine_took_but_never_showed_keep_their_rows(
    engine_index, directory, monkeypatch, django_capture_on_commit_callbacks
):
    """A refresh that fails (or a worker killed before it) deletes nothing: the rows are deferred, then retried."""
    originals = dict(Structure.objects.public().values_list("pk", "summary"))
    ids = _edit_in_bulk("Zorglubisation des ateliers")

    def failing_refresh(self):
        raise EngineUnavailable("refresh refusé")

    monkeypatch.setattr(type(engine_index), "refresh", failing_refresh)
    try:
        report = drain(batch_size=2)
        assert (report.processed, report.failed, report.remaining) == (0, len(ids), len(ids))
        rows = list(IndexOutbox.objects.order_by("structure_id"))
        assert [(r.structure_id, r.attempts, r.last_error) for r in rows] == [(i, 1, "refresh refusé") for i in ids]
        # The engine may show them on its own (``refresh_interval``): searches still hide them, and say so.
        engine_index.request("POST", f"/{engine_index.alias}/_refresh")
        result = search_structures(SearchQuery(text="zorglubisation"))
        assert (result.engine, result.degraded, result.total) == (engine_index.name, True, 0)
        monkeypatch.undo()
        report = drain(force=True)
        assert (report.processed, report.failed, report.remaining) == (len(ids), 0, 0)
        assert find_drift() == []
    finally:
        monkeypatch.undo()
        _restore_summaries(originals, ids, django_capture_on_commit_callbacks)
    assert find("zorglubisation") == []
