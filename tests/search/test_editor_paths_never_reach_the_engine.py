"""An editor's save never waits on the engine: under the production task backend it opens no connection to it.

Structural rather than timed: the engine's address is a socket that listens but never
answers. Any call to the engine from the request (a bulk, a refresh, an index-management
call) would connect to it — and hang there until the client's timeout — so « nobody
connected » proves the request waited on nothing, whatever the machine's load. The work is
queued instead, as a task row in the same database, for the worker.
"""

import socket

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from directory.models import Skill, Structure
from search.models import IndexOutbox
from tests.search.search_dataset import structure_publish_form

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def silent_engine(settings):
    """An engine address that accepts connections into its backlog and never answers; tasks go to the database."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.TASKS = DATABASE_BACKEND
    yield listener
    listener.close()


def assert_nobody_connected(listener: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        connection, _ = listener.accept()
        connection.close()


def queued_search_tasks() -> list[str]:
    return sorted(DBTaskResult.objects.filter(task_path__startswith="search.").values_list("task_path", flat=True))


def test_admin_publish_of_a_structure_queues_its_indexing_and_calls_no_engine(
    client, directory, silent_engine, django_capture_on_commit_callbacks
):
    structure = Structure.objects.get(slug="compta-solidaire")
    admin = get_user_model().objects.create_superuser("admin-paths", "admin-paths@example.org", "motdepasse-long-42")
    client.force_login(admin)
    data = structure_publish_form(structure, "Comptabilité et audit pour les associations")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtailsnippets_directory_structure:edit", args=[structure.pk]), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    structure.refresh_from_db()
    assert structure.summary == "Comptabilité et audit pour les associations"
    assert_nobody_connected(silent_engine)
    # The change and the fact that it must be indexed were committed together; the worker takes it from there.
    assert set(IndexOutbox.objects.values_list("structure_id", flat=True)) == {structure.pk}
    assert "search.sync.index_changes" in queued_search_tasks()


def test_unpublish_delete_and_synonym_edit_call_no_engine(directory, silent_engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        structure = Structure.objects.get(slug="photon-coop")
        structure.live = False
        structure.save()
    with django_capture_on_commit_callbacks(execute=True):
        Structure.objects.get(slug="menuiserie-lilloise").delete()
    with django_capture_on_commit_callbacks(execute=True):
        skill = Skill.objects.filter(structures__isnull=False).first()
        skill.synonyms = "panneaux\nombrières"
        skill.save()

    assert_nobody_connected(silent_engine)
    assert queued_search_tasks(), "the changes must be queued for the worker"
