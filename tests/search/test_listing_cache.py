"""The blank and filter-only listings come from a cache that any index change invalidates.

Its own module: the test unpublishes a structure of the module's dataset.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Sector, Structure
from search import generation, sync
from search.service import listing_cache_key, search_structures
from search.types import GeoPoint, SearchQuery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_waiting(db):
    """Start from an empty outbox: the fixture's rows (kept while the engine had no index yet) are indexed.

    With the engine configured, the module's dataset is written before the engine
    fixture builds the index, so its changes wait in the outbox; the index holds them.
    """
    from search.models import IndexOutbox

    IndexOutbox.objects.all().delete()


def ids(result):
    return [hit.structure.pk for hit in result.hits]


def test_only_listings_without_text_or_position_are_cached():
    assert listing_cache_key(SearchQuery(), "database")
    assert listing_cache_key(SearchQuery(categories=["collectif"], page=2), "database")
    assert listing_cache_key(SearchQuery(text="menuisier"), "database") is None
    assert listing_cache_key(SearchQuery(near=GeoPoint(50.6, 3.0, 10)), "database") is None
    # Each filter and page has its own entry, and so does each backend.
    assert listing_cache_key(SearchQuery(page=2), "database") != listing_cache_key(SearchQuery(), "database")
    assert listing_cache_key(SearchQuery(), "x_directory") != listing_cache_key(SearchQuery(), "database")


def test_listing_served_from_cache_until_a_change_is_indexed(search, backend):
    first = search()
    with CaptureQueriesContext(connection) as queries:
        again = search()
    # The pending changes (one query) and nothing else: no hit loading, no facet labels.
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert ids(again) == ids(first) and again.total == first.total and again.facets == first.facets

    shown = first.hits[0].structure.pk
    Structure.objects.filter(pk=shown).update(live=False)
    sync.enqueue([shown])
    # Waiting to be indexed: hidden at once, the cache neither read nor written.
    waiting = search_structures(SearchQuery())
    assert shown not in ids(waiting) and waiting.degraded
    assert sync.drain().processed == 1
    after = search()
    assert shown not in ids(after) and after.total == first.total - 1
    with CaptureQueriesContext(connection) as queries:
        assert ids(search()) == ids(after)
    assert len(queries) == 1


def test_filter_only_listing_follows_the_generation(search, backend):
    filtered = search(categories=["collectif"])
    assert filtered.total and all(hit.structure.category == "collectif" for hit in filtered.hits)
    generation.bump_generation()
    with CaptureQueriesContext(connection) as queries:
        fresh = search(categories=["collectif"])
    assert len(queries) > 1  # a new generation: computed again
    assert ids(fresh) == ids(filtered)


def test_facet_labels_cost_no_query_once_cached_and_follow_a_rename(search, backend):
    from search.base import FACET_LABELS_CACHE_KEY

    search(text="menuiserie")
    assert cache.get(FACET_LABELS_CACHE_KEY), "the first search fills the labels"
    with CaptureQueriesContext(connection) as warm:
        search(text="menuiserie")
    cache.delete(FACET_LABELS_CACHE_KEY)
    with CaptureQueriesContext(connection) as cold:
        result = search(text="menuiserie")
    # Skills and sectors: one query each when the labels are not cached.
    assert len(cold) == len(warm) + 2

    counted = next(value for value in result.facets["sectors"] if value.count)
    sector = Sector.objects.get(slug=counted.value)
    sector.name = "Secteur renommé"
    sector.save()  # forgets the labels; its structures wait for the worker
    sync.drain()
    renamed = search(text="menuiserie")
    labels = {value.value: value.label for value in renamed.facets["sectors"]}
    assert labels[counted.value] == "Secteur renommé"
