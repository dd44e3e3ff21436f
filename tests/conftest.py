"""Shared fixtures. Area fixtures live next to their tests (tests/<area>/conftest.py)."""

import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from search.engine import EngineUnavailable, get_backend

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM
# calls from such a thread unless told it is fine (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def media_in_tmp_dir(settings, tmp_path):
    """Uploaded files and renditions go to a throwaway directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def search_log_spool_in_tmp_dir(settings, tmp_path):
    """Spooled searches and clicks (search.log_spool) go to a throwaway directory."""
    settings.SEARCH_LOG_SPOOL_DIR = tmp_path / "search-log"


@pytest.fixture
def ingest_search_log():
    """Run the worker's side of the search log now: write what visitors' requests spooled."""
    from search.quality import ingest_spool

    return lambda: ingest_spool(everything=True)


@pytest.fixture(autouse=True)
def content_types_read_again(request):
    """A transactional test reads content types from its database, not from the ids cached before.

    A test that restores the migrations' rows (``serialized_rollback``) ends with a flush
    that holds post_migrate back: the next transactional test starts with no content type
    rows while ``ContentType.objects`` still caches the restored ids, and Wagtail's search
    index entries written with them failed the foreign key at commit on SQLite (in
    ``tests/search tests/api`` run together). Emptied, the cache creates what is missing.
    """
    if _is_transactional(request.node):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a test's rows roll back, the layout it cached
    (home.chrome), the counters it raised (throttles, de-duplication), the engine-down flag or
    the skills it cached would not. Emptied after it too, for the module-scoped fixtures that follow."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With an engine, create Wagtail's page-search indexes with their mappings up front.

    Otherwise the first page saved creates its index with dynamic mappings, on which
    Wagtail's queries find nothing. They are deleted when the session ends, with the
    directory's: each run would otherwise leave indexes (random suffixes) on a shared node.
    """
    if not settings.ELASTICSEARCH_URL:
        yield
        return
    with django_db_blocker.unblock():
        call_command("update_index", stdout=StringIO(), stderr=StringIO())
    yield
    delete_page_search_indexes(settings.WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"])
    # A module's last teardown can queue a synonym rebuild (its skills deleted) after the module dropped its
    # index: the directory's versioned indexes of this prefix go too, by name.
    try:
        get_backend().drop_all()
    except EngineUnavailable as exc:
        print(f"\nIndex de l’annuaire non supprimés ({settings.SEARCH_INDEX_PREFIX}) : {exc}")


def delete_page_search_indexes(prefix: str) -> None:
    """Delete this session's Wagtail indexes by name (nodes refuse wildcard deletes)."""
    engine = get_backend()
    try:
        names = engine.request("GET", f"/{prefix}*", params={"expand_wildcards": "open,closed"})
        for name in names:
            engine.request("DELETE", f"/{name}", ignore=(404,))
    except EngineUnavailable as exc:
        print(f"\nIndex de recherche des pages non supprimés ({prefix}*) : {exc}")


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    by_mark = marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    return bool(by_mark) or bool({"transactional_db", "live_server"} & set(item.fixturenames))


def _restores_migration_data(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("serialized_rollback"))


def _serialized_rollback_tests_first(items) -> None:
    """Among the transactional tests, those that restore the migrations' rows run first.

    Such a test restores the rows serialized when the test database was created
    into whatever its predecessor left. A transactional test without it ends by
    flushing the tables and letting post_migrate create the content types again,
    with new ids: the restore then met them (a duplicate content type, depending
    on the order of the test files). Flushed after a restoring test, the tables
    are left empty (post_migrate is held back), which the next one fills.
    """
    transactional = [item for item in items if _is_transactional(item)]
    if not transactional:
        return
    start = items.index(transactional[0])
    if items[start : start + len(transactional)] != transactional:
        return  # not the contiguous block pytest-django sorts them into: leave the order alone
    items[start : start + len(transactional)] = sorted(
        transactional, key=lambda item: not _restores_migration_data(item)
    )


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests together
def pytest_collection_modifyitems(config, items):
    """Tests on a module's committed dataset get the test database; engine tests need ELASTICSEARCH_URL.

    pytest-django creates the test database only for the aliases that the
    collected tests ask for (a ``django_db`` mark, ``db``, ``live_server``). A
    test that reaches the database only through a module-scoped fixture
    (``django_db_blocker.unblock()``, e.g. ``engine_index`` in tests/search)
    asks for none: run alone, it wrote its dataset to the configured database
    itself (« database … does not exist » on PostgreSQL, the developer's SQLite
    file otherwise) and the fixture's teardown deleted every structure there.
    """
    for item in items:
        asks = item.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
            item.fixturenames
        )
        if "django_db_setup" in item.fixturenames and not asks:
            item.add_marker(pytest.mark.django_db)
    _serialized_rollback_tests_first(items)
    if settings.ELASTICSEARCH_URL:
        return
    # Engine tests without an engine: skipped with a printed reason.
    reason = "needs a real search engine: set ELASTICSEARCH_URL (CI starts OpenSearch with scripts/search-engine)"
    skip_engine = pytest.mark.skip(reason=reason)
    for item in items:
        if "engine" in item.keywords:
            item.add_marker(skip_engine)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI (``.ci/run`` exports CI), a test skipped for want of a service fails instead.

    CI starts PostgreSQL, the engine and Chromium: a skip that says « needs … » there means
    a service did not come up, and a green run would hide that those tests never ran.
    """
    outcome = yield
    report = outcome.get_result()
    if not (os.environ.get("CI") and report.skipped and isinstance(report.longrepr, tuple)) or hasattr(
        report, "wasxfail"
    ):
        return
    reason = report.longrepr[2].removeprefix("Skipped: ")
    if reason.startswith("needs "):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every service is started: {reason}"


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if not settings.ELASTICSEARCH_URL:
        return [f"lagrappe: database={db}, search engine=database (ELASTICSEARCH_URL unset)"]
    from lagrappe.engine_probe import EngineProbeError, engine_info
    from search.engine.definition import choose_profile

    try:
        info = engine_info()
    except EngineProbeError as exc:
        return [f"lagrappe: database={db}, search engine unreachable ({exc})"]
    profile, reason = choose_profile(info.analysis_common, settings.SEARCH_ANALYSIS_PROFILE)
    return [
        f"lagrappe: database={db}, search engine={info.describe()}",
        f"lagrappe: directory analysis profile={profile.name} ({reason})",
    ]
