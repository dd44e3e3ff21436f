"""``search_index check``: drift in which documents each side holds, and in what they say.

A document written before the last edit (a lost outbox row, a write that bypassed the
signals, a stale bulk) has the right id and slug: only its content tells. Each test
undoes what it wrote to the engine; the database changes roll back.
"""

import pytest
from django.core.management import CommandError, call_command

from directory.models import Structure
from search.documents import structure_sources
from search.drift import find_drift
from search.engine import get_backend
from search.models import StructureSearchDocument

pytestmark = pytest.mark.django_db


def test_a_level_index_shows_no_drift(backend, directory):
    assert find_drift() == []
    call_command("search_index", "check", "--no-progress", stdout=open("/dev/null", "w"))


def test_an_edit_that_never_reached_search_is_drift_on_both_sides(backend, directory):
    structure = Structure.objects.public().order_by("pk").first()
    # A queryset update sends no signal: nothing is queued, ids and slugs still match.
    Structure.objects.filter(pk=structure.pk).update(summary="Résumé réécrit sans passer par la file")
    assert find_drift(content=False) == []

    drift = find_drift()
    assert any(
        line.startswith(f"base : document #{structure.pk} ({structure.slug}) périmé :") and "summary_text" in line
        for line in drift
    ), drift
    if backend == "engine":
        engine_line = f"moteur : document #{structure.pk} ({structure.slug}) périmé : "
        assert any(line.startswith(engine_line) and "summary" in line.split(" : ")[-1].split(", ") for line in drift)
    else:
        assert not any(line.startswith("moteur") for line in drift), drift
    assert all(f"#{structure.pk} " in line for line in drift), drift
    with pytest.raises(CommandError, match=r"écart\(s\)"):
        call_command("search_index", "check", "--no-progress", stdout=open("/dev/null", "w"))
    call_command("search_index", "check", "--ids-only", stdout=open("/dev/null", "w"))


def test_a_stale_database_document_names_its_columns(backend, directory):
    structure = Structure.objects.public().order_by("-pk").first()
    StructureSearchDocument.objects.filter(structure=structure).update(skills_text=" ", city="Ailleurs")
    assert find_drift() == [f"base : document #{structure.pk} ({structure.slug}) périmé : skills_text, city"]


@pytest.mark.engine
def test_a_stale_engine_document_names_its_fields(backend, directory):
    if backend != "engine":
        pytest.skip("the engine's documents: the database variant is test_a_stale_database_document_names_its_columns")
    engine = get_backend()
    structure = Structure.objects.public().order_by("pk")[1]
    [source] = structure_sources([structure.pk])
    # A person who withdrew consent still listed: not a searched field, only the content comparison sees it.
    engine.apply([{**source, "people": [*source["people"], 999999]}], [])
    try:
        assert find_drift() == [f"moteur : document #{structure.pk} ({structure.slug}) périmé : people"]
    finally:
        engine.apply([source], [])
    assert find_drift() == []
