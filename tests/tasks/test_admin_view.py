"""« Travaux en arrière-plan »: queued, running and failed tasks with their error, a retry button, for allowed users only."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_tasks import task
from django_tasks_db.models import DBTaskResult
from wagtail.models import GroupCollectionPermission  # noqa: F401  (Wagtail's auth models are loaded)

from tests.tasks.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db


@task()
def refuse_politely(city: str) -> None:
    """Géocoder une ville de test."""
    raise ValueError(f"Ville inconnue : {city}")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND


def failed_task(city="Atlantide") -> DBTaskResult:
    """A task that really ran and failed (the worker's own code path, in this process)."""
    from django_tasks_db.management.commands.db_worker import Worker

    result = refuse_politely.enqueue(city)
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])  # fmt: skip
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker.worker_id)
    # The worker's own run_task (its loop would close this test's database connection).
    worker.run_task(row)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    return row


def staff_user(django_user_model, *codenames):
    user = django_user_model.objects.create_user("operatrice", "op@example.org", "pw")
    group = Group.objects.create(name="Exploitation")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(
            Permission.objects.get(codename=codename, content_type__app_label="django_tasks_database")
        )
    user.groups.add(group)
    return user


def test_failed_task_is_listed_with_its_error_and_can_be_retried(admin_client, database_tasks):
    failed = failed_task()
    DBTaskResult.objects.create(task_path=failed.task_path, args_kwargs={"args": ["Lille"], "kwargs": {}},
                                run_after=failed.run_after, backend_name="default")  # fmt: skip

    page = admin_client.get(reverse("background_tasks")).content.decode()
    assert "Échouées (1)" in page and "En attente (1)" in page
    assert "Géocoder une ville de test" in page  # the task's own French description
    assert "ValueError: Ville inconnue : Atlantide" in page
    assert "Relancer" in page

    response = admin_client.post(reverse("background_task_retry", args=[failed.pk]))
    assert response.status_code == 302
    retried = DBTaskResult.objects.filter(status="READY", args_kwargs__args=["Atlantide"])
    assert retried.count() == 1
    assert DBTaskResult.objects.get(pk=failed.pk).status == "FAILED"  # history is kept
    queued = admin_client.get(reverse("background_tasks") + "?etat=READY").content.decode()
    assert "En attente (2)" in queued and "Atlantide" in queued


def refused(response) -> bool:
    """Wagtail turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def test_only_allowed_users_see_tasks_and_only_some_may_retry(client, django_user_model, database_tasks):
    failed = failed_task()
    nobody = django_user_model.objects.create_user("redactrice", "r@example.org", "pw")
    nobody.groups.add(Group.objects.get_or_create(name="Rédaction")[0])
    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(nobody)
    assert refused(client.get(reverse("background_tasks")))
    assert refused(client.post(reverse("background_task_retry", args=[failed.pk])))
    assert "Travaux en arrière-plan" not in client.get(reverse("wagtailadmin_home")).content.decode()

    viewer = staff_user(django_user_model, "view_dbtaskresult")
    client.force_login(viewer)
    page = client.get(reverse("background_tasks")).content.decode()
    assert "Ville inconnue : Atlantide" in page
    assert "Relancer" not in page
    assert refused(client.post(reverse("background_task_retry", args=[failed.pk])))
    assert DBTaskResult.objects.filter(status="READY").count() == 0


def test_screen_explains_when_tasks_are_not_stored(admin_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page = admin_client.get(reverse("background_tasks")).content.decode()
    assert "ne sont pas enregistrées en base" in page
    assert "manage.py db_worker" in page
