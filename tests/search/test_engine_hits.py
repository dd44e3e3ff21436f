"""Hits come from what the engine returns, checked against the database in one query.

The engine's copy of a structure (``_source``) holds what a hit shows; one SQL
query per search checks that each hit's structure is still published,
unchanged since it was indexed and has the same public people. A stale entry
the outbox does not know of (a writer that bypassed it) is left out.
Its own module: tests change the module's dataset behind the outbox's back.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Person, Structure
from search.service import search_structures
from search.types import GeoPoint, SearchQuery, StructureCard
from tests.search.search_dataset import LILLE, PUBLISHED, slugs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_waiting(db):
    """Start from an empty outbox: what it held when the index was built is in the index."""
    from search.models import IndexOutbox

    IndexOutbox.objects.all().delete()


# A search with everything the engine answers: text (highlights, suggestion), filters, facets, distance.
SHAPES = {
    "text": dict(text="solaire"),
    # Several words: the town and the named skills are read off the text (cached under the generation).
    "words-and-town": dict(text="solaire lille"),
    "text-near-distance": dict(text="photovoltaïque", near=GeoPoint(*LILLE, 80), sort="distance"),
    "filters": dict(categories=["collectif", "territoire"], memberships=["cluster", "reseau"]),
    "blank": dict(),
}


def count_queries(**kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = search_structures(SearchQuery(**kwargs))
    return len(captured), result


@pytest.fixture
def cache_reads(monkeypatch):
    """Counts the cache's reads: without Redis, the cache is the database, and each read is an SQL query."""
    from django.core.cache import caches

    cache, reads = caches["default"], []
    for name in ("get", "get_many"):
        original = getattr(cache, name)
        monkeypatch.setattr(cache, name, lambda *a, _original=original, **k: reads.append(a) or _original(*a, **k))
    return reads


@pytest.mark.engine
@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_an_engine_search_costs_at_most_three_queries_whatever_the_page_size(
    engine_index, settings, shape, cache_reads
):
    # Computed every time (the listing cache is tested in test_listing_cache.py); the first search fills the labels.
    settings.SEARCH_LISTING_CACHE_SECONDS = 0
    search_structures(SearchQuery(**SHAPES[shape]))
    cache_reads.clear()
    one, first = count_queries(**SHAPES[shape], per_page=1)
    reads_for_one = len(cache_reads)
    cache_reads.clear()
    every, result = count_queries(**SHAPES[shape], per_page=100)
    # Cache reads (SQL with the database cache) do not grow with the hits either.
    assert len(cache_reads) == reads_for_one
    assert result.engine in ("opensearch", "elasticsearch") and not result.degraded
    assert (len(first.hits), len(result.hits)) == (min(1, result.total), result.total)
    assert result.total >= 2, "the shape must find several structures for the count to mean something"
    # The outbox, the page's check against the database; a third only for a query's first read of a cache.
    assert one == every <= 3


@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_a_database_search_costs_the_same_whatever_the_page_size(directory, settings, shape, cache_reads):
    settings.ELASTICSEARCH_URL = None
    settings.SEARCH_LISTING_CACHE_SECONDS = 0
    search_structures(SearchQuery(**SHAPES[shape]))  # fills the cached labels
    cache_reads.clear()
    every, result = count_queries(**SHAPES[shape], per_page=100)
    reads_for_every = len(cache_reads)
    assert result.engine == "database" and result.total >= 2
    # The page of one hit, with skills when a hit has some (naming them could cost a query).
    page = 1 + next((i for i, hit in enumerate(result.hits) if hit.structure.document_skills), 0)
    cache_reads.clear()
    one, first = count_queries(**SHAPES[shape], per_page=1, page=page)
    assert len(first.hits) == 1
    # Cache reads (SQL with the database cache) do not grow with the hits either: no query per hit or relation.
    assert (one, len(cache_reads)) == (every, reads_for_every)


def test_a_corrected_word_counts_no_document_when_nothing_waits(directory, settings):
    """The words a typo is corrected from are cached under the index generation when no change waits: checking
    them is not a count of every document (a read of the whole documents table at 200,000 structures)."""
    settings.ELASTICSEARCH_URL = None
    settings.SEARCH_LISTING_CACHE_SECONDS = 0
    search_structures(SearchQuery(text="photovoltaque"))  # fills the caches
    with CaptureQueriesContext(connection) as captured:
        result = search_structures(SearchQuery(text="photovoltaque"))
    assert sorted(slugs(result)) == ["photon-coop", "soleil-du-nord"]
    assert result.engine == "database" and result.searched_text
    assert [q["sql"] for q in captured if "indexed_at" in q["sql"]] == []


def shown(structure) -> tuple:
    """What a hit shows of a structure, a card or a model instance alike."""
    s = structure
    return (
        s.pk, s.slug, s.name, s.summary, s.description, s.city, s.category, s.category_label,
        s.latitude, s.longitude, s.has_location, s.joined, s.get_absolute_url(),
        [(m.slug, m.name) for m in s.memberships.all()], [(x.slug, x.name) for x in s.sectors.all()],
    )  # fmt: skip


def test_database_hits_are_cards_showing_what_the_database_holds(directory, settings):
    settings.ELASTICSEARCH_URL = None
    result = search_structures(SearchQuery(per_page=100))
    assert result.engine == "database"
    assert sorted(slugs(result)) == PUBLISHED
    structures = Structure.objects.with_related().in_bulk([hit.structure.pk for hit in result.hits])
    for hit in result.hits:
        card, structure = hit.structure, structures[hit.structure.pk]
        assert isinstance(card, StructureCard)
        assert shown(card) == shown(structure)
        # Its own skills, then those only its consenting people hold: never a non-public person's.
        own = [skill.slug for skill in structure.skills.all()]
        of_people = [skill.slug for person in structure.get_public_people() for skill in person.skills.all()]
        assert [skill.slug for skill in card.document_skills] == list(dict.fromkeys(own + of_people))


def test_database_hits_highlight_what_their_cards_show(directory, settings):
    settings.ELASTICSEARCH_URL = None
    # « Compostage » is held only by Camille, a public person of « Terres de Compost »: marked as its skill.
    result = search_structures(SearchQuery(text="compostage"))
    assert slugs(result) == ["terres-de-compost"]
    highlights = {h.field: h.fragments for h in result.hits[0].highlights}
    assert highlights["skills"] == ["<mark>Compostage</mark>"]


@pytest.mark.engine
def test_engine_hits_are_cards_showing_what_the_database_holds(engine_index):
    result = search_structures(SearchQuery(per_page=100))
    assert sorted(slugs(result)) == PUBLISHED
    structures = Structure.objects.with_related().in_bulk([hit.structure.pk for hit in result.hits])
    for hit in result.hits:
        card, structure = hit.structure, structures[hit.structure.pk]
        assert isinstance(card, StructureCard)
        assert shown(card) == shown(structure)


@pytest.mark.engine
def test_a_stale_entry_never_shows_an_unpublished_structure(engine_index):
    assert "soleil-du-nord" in slugs(search_structures(SearchQuery(text="solaire")))
    # Behind the outbox's back: no row says the index must change, the engine still holds it.
    Structure.objects.filter(slug="soleil-du-nord").update(live=False)
    result = search_structures(SearchQuery(text="solaire"))
    assert "soleil-du-nord" not in slugs(result)
    assert "photon-coop" in slugs(result)


@pytest.mark.engine
def test_a_stale_entry_never_shows_through_a_withdrawn_consent(engine_index):
    # « Compostage » is held only by Camille, a public person of « Terres de Compost ».
    assert slugs(search_structures(SearchQuery(text="compostage"))) == ["terres-de-compost"]
    Person.objects.filter(first_name="Camille").update(public=False)
    assert slugs(search_structures(SearchQuery(text="compostage"))) == []
    assert slugs(search_structures(SearchQuery(skills=["compostage"]))) == []


@pytest.mark.engine
def test_a_structure_changed_since_it_was_indexed_is_left_out(engine_index):
    Structure.objects.filter(slug="photon-coop").update(name="Photon Renommé", updated_at=timezone.now())
    result = search_structures(SearchQuery(text="photon"))
    assert slugs(result) == []
