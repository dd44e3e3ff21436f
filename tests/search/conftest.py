"""Fixtures of the search tests: the dataset (``search_dataset.py``) and the backend switch."""

import pytest
from django.db import transaction

from directory.models import Person, Sector, Skill, SkillDomain, Structure
from tests.search.search_dataset import build_directory


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """The dataset, committed for the whole module (and indexed by the engine fixture)."""
    from search.models import IndexOutbox, StructureSearchDocument

    with django_db_blocker.unblock():
        with transaction.atomic():
            data = build_directory()
        # on_commit ran: the database documents are up to date. Rows the engine could not take
        # (no index before ``engine_index`` builds one) go now, committed: deleted later inside a
        # test's transaction (by the rebuild), they would come back when it rolls back.
        IndexOutbox.objects.filter(database_done=True).delete()
        yield data
        Person.objects.all().delete()
        Structure.objects.all().delete()
        Skill.objects.all().delete()
        SkillDomain.objects.all().delete()
        Sector.objects.all().delete()
        StructureSearchDocument.objects.all().delete()
        IndexOutbox.objects.all().delete()


@pytest.fixture(scope="module")
def engine_index(directory):
    """A fresh index under an isolated prefix, built from the module's dataset."""

    from search.engine import get_backend

    backend = get_backend()
    assert backend is not None, "ELASTICSEARCH_URL is set but no engine backend was built"
    backend.rebuild(progress=False)
    backend.refresh()
    yield backend
    backend.drop_all()


@pytest.fixture(params=["database", pytest.param("engine", marks=pytest.mark.engine)])
def backend(request, directory, settings):
    """Run a contract test on the database fallback, then on the real engine."""
    if request.param == "database":
        settings.ELASTICSEARCH_URL = None
    else:
        request.getfixturevalue("engine_index")
    return request.param


@pytest.fixture
def search(backend):
    """search(text=..., **filters) -> SearchResult, asserting which backend answered."""
    from search.service import search_structures
    from search.types import SearchQuery

    def run(**kwargs):
        result = search_structures(SearchQuery(**kwargs))
        expected = "database" if backend == "database" else ("opensearch", "elasticsearch")
        assert (result.engine == expected) if backend == "database" else (result.engine in expected)
        assert result.degraded is False
        return result

    return run


@pytest.fixture
def typo_tolerant(backend):
    """True where typos are corrected: the engine, and the database backend on PostgreSQL (pg_trgm)."""
    from django.db import connection

    return backend == "engine" or connection.vendor == "postgresql"
