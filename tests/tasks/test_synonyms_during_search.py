"""A synonym edit while visitors search: no search fails, the new synonym works within seconds.

The live index is never closed: the worker builds a new versioned index with the
new rules and swaps the alias (``search.sync.rebuild_index``).
"""

import threading
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from directory.models import Skill, SkillDomain, Structure
from search.engine import EngineUnavailable, get_backend
from search.service import search_structures
from search.types import SearchQuery
from tests.tasks.conftest import wait_for

pytestmark = pytest.mark.engine


@pytest.fixture
def engine_index(settings):
    settings.SEARCH_INDEX_PREFIX = f"{settings.SEARCH_INDEX_PREFIX}_synonyms"
    backend = get_backend()
    yield backend
    backend.drop_all()


class SearchLoop(threading.Thread):
    """Searches the engine directly (no database fallback to hide a failure) and through the service."""

    def __init__(self, backend):
        super().__init__(daemon=True)
        self.backend = backend
        self.stopped = threading.Event()
        self.searches = 0
        self.failures: list[str] = []

    def run(self):
        try:
            while not self.stopped.is_set():
                try:
                    self.backend.search(SearchQuery(text="photovoltaique"))
                    result = search_structures(SearchQuery(text="panneaux"))
                    if result.engine == "database":
                        self.failures.append("the service fell back to the database")
                except EngineUnavailable as exc:
                    self.failures.append(str(exc))
                self.searches += 1
        finally:
            connection.close()


def test_synonym_edit_during_a_search_loop(worker, engine_index, settings):
    worker.env["SEARCH_INDEX_PREFIX"] = settings.SEARCH_INDEX_PREFIX
    domain = SkillDomain.objects.create(name="Énergie", slug="energie", sort_order=1)
    skill = Skill.objects.create(name="Photovoltaïque", slug="photovoltaique", domain=domain, synonyms="panneaux")
    for i in range(30):
        structure = Structure.objects.create(
            slug=f"solaire-{i}", name=f"Solaire {i}", category="collectif", city="Lille", live=True
        )
        structure.skills.add(skill)
        structure.save()
    worker.run_batch()
    engine_index.rebuild(progress=False)
    before = engine_index.current_indices()
    assert search_structures(SearchQuery(text="ombrieres")).total == 0

    worker.start()
    loop = SearchLoop(engine_index)
    loop.start()
    try:
        time.sleep(1)
        edited = time.monotonic()
        skill.synonyms = "panneaux\nombrières"
        skill.save()
        wait_for(
            lambda: search_structures(SearchQuery(text="ombrieres")).total == 30, timeout=60, message="the synonym"
        )
        works_after = time.monotonic() - edited
        wait_for(
            lambda: DBTaskResult.objects.filter(task_path="search.sync.rebuild_index", status="SUCCESSFUL").exists(),
            timeout=120,
            message=f"the new index (worker log: {worker.output_text()[-2000:]})",
        )
        time.sleep(1)
    finally:
        loop.stopped.set()
        loop.join(timeout=30)
        worker.stop()

    assert loop.failures == []
    assert loop.searches >= 20
    print(f"the new synonym answered {works_after:.1f} s after the edit (bounded by the wait above, not timed)")
    after = engine_index.current_indices()
    assert len(after) == 1 and after != before  # a new versioned index behind the alias
    assert DBTaskResult.objects.filter(status="FAILED").count() == 0
    # The rule itself is in the new index: the engine expands « ombrières » at query time.
    body = {"analyzer": "french_search", "text": "ombrières"}
    tokens = engine_index.request("POST", f"/{after[0]}/_analyze", body=body)["tokens"]
    assert any(t["token"].startswith("photovolta") for t in tokens), tokens
