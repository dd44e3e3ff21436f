"""The database cache that holds rate-limit counters when there is no Redis."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagrappe.ratelimit import Throttle


@pytest.fixture
def database_cache(db, settings):
    settings.CACHES = {"default": {"BACKEND": "lagrappe.cache.DatabaseCache", "LOCATION": "lagrappe_cache_test"}}
    call_command("createcachetable", verbosity=0)
    return caches["default"]


def test_incr_counts_and_keeps_what_the_cache_holds(database_cache):
    database_cache.set("hits", 3, 60)

    assert [database_cache.incr("hits"), database_cache.incr("hits", 5)] == [4, 9]
    assert database_cache.get("hits") == 9


def test_incr_of_a_missing_or_expired_key_raises_like_django(database_cache):
    database_cache.set("old", 1, -1)  # already expired

    with pytest.raises(ValueError):
        database_cache.incr("missing")
    with pytest.raises(ValueError):
        database_cache.incr("old")


def test_a_throttle_counts_in_the_database_cache(database_cache):
    throttle = Throttle("test", limit=2, window=60)

    verdicts = [throttle.hit("203.0.113.1").allowed for _ in range(3)]

    assert verdicts == [True, True, False]
    assert throttle.hit("203.0.113.2").allowed is True


def test_a_hit_in_an_open_window_is_one_read_and_one_update(database_cache):
    throttle = Throttle("test", limit=5, window=60)
    throttle.hit("203.0.113.1")  # opens the window

    with CaptureQueriesContext(connection) as captured:
        verdict = throttle.hit("203.0.113.1")

    assert verdict.count == 2
    assert [q["sql"].split()[0] for q in captured] == ["SELECT", "UPDATE"]
