"""The admin import as background work: files in the project's storage, validation and apply tasks, progress, expiry.

Tasks run inline here (the immediate backend of the test settings), through the
same ``enqueue`` calls the database backend's worker serves; tests/tasks/test_import_worker.py
runs them in a real ``manage.py db_worker`` on PostgreSQL.
"""

import csv
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from directory.columns import STRUCTURE_COLUMNS
from directory.importing import jobs
from directory.models import ImportJob, Membership, Person, Structure
from directory.models.structures import MEMBERSHIP_LABELS
from directory.tasks import purge_expired_imports
from lagrappe.typography import french_html as typeset

FIXTURES = Path(__file__).parent / "fixtures"
IMPORT = "/admin/annuaire/transfert/"


@pytest.fixture
def coordinator(db):
    return User.objects.create_superuser("coordinatrice", "coord@example.org", "x")


@pytest.fixture
def admin_client(client, coordinator):
    client.force_login(coordinator)
    return client


def structures_csv(count: int, prefix: str = "coop") -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STRUCTURE_COLUMNS, restval="")
    writer.writeheader()
    for i in range(count):
        writer.writerow(
            {"slug": f"{prefix}-{i}", "name": f"Coopérative {i}", "category": "collectif", "membership": "cluster",
             "city": "Lille"}
        )  # fmt: skip
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "structures.csv"
    return upload


def stored_paths(job: ImportJob) -> list[str]:
    return [stored["path"] for stored in job.files.values()]


@pytest.mark.django_db
def test_upload_validates_previews_then_the_confirmed_job_applies(admin_client):
    files = {kind: (FIXTURES / f"{kind}.csv").open("rb") for kind in ("structures", "people", "skills", "sectors")}

    upload = admin_client.post(IMPORT, files)

    job = ImportJob.objects.get()
    assert upload.status_code == 302 and upload["Location"] == f"{IMPORT}{job.pk}/"
    # Validated (inline), waiting for confirmation, its files in the project's storage.
    assert job.state == ImportJob.State.READY
    assert (job.rows_done, job.rows_total) == (21, 21)  # every row of the four files
    assert sorted(job.files) == ["people", "sectors", "skills", "structures"]
    assert job.files["people"]["name"] == "people.csv"
    for path in stored_paths(job):
        assert path.startswith(f"imports/pending/{job.pk}/") and default_storage.exists(path)
    assert timedelta(hours=23) < job.expires_at - timezone.now() <= timedelta(hours=24)
    preview = admin_client.get(f"{IMPORT}{job.pk}/").content.decode()
    assert "Aperçu de l’import" in preview
    assert typeset("Structures : 4 créées") in preview
    assert "Confirmer l’import" in preview
    assert Structure.objects.count() == 0 and Person.objects.count() == 0  # nothing written before confirmation

    done = admin_client.post(f"{IMPORT}{job.pk}/confirmer/", follow=True).content.decode()

    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert "Import terminé." in done
    assert typeset("Structures : 4 créées") in done  # the same report as the command
    assert job.report["counts"]["structures"] == {"created": 4}
    assert Structure.objects.count() == 4 and Person.objects.count() == 6
    assert [default_storage.exists(path) for path in stored_paths(job)] == [False] * 4  # files gone once applied


@pytest.mark.django_db
def test_a_second_confirmation_does_not_apply_twice(admin_client):
    admin_client.post(IMPORT, {"structures": structures_csv(2)})
    job = ImportJob.objects.get()
    admin_client.post(f"{IMPORT}{job.pk}/confirmer/")
    Structure.objects.filter(slug="coop-0").update(name="Renommée après l’import")

    again = admin_client.post(f"{IMPORT}{job.pk}/confirmer/", follow=True).content.decode()

    assert typeset("Cet import n’attend pas de confirmation") in again
    assert Structure.objects.get(slug="coop-0").name == "Renommée après l’import"


@pytest.mark.django_db
def test_an_invalid_file_reports_line_and_column_writes_nothing_and_leaves_no_file(admin_client, taxonomy):
    with (FIXTURES / "structures_invalid.csv").open("rb") as structures:
        html = admin_client.post(IMPORT, {"structures": structures}, follow=True).content.decode()

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    assert typeset("Import refusé : 17 erreurs. Rien n’a été enregistré.") in html
    assert "<td>structures_invalid.csv</td><td>2</td><td>slug</td>" in html
    assert ["structures_invalid.csv", 2, "slug"] in [issue[:3] for issue in job.report["issues"]]
    assert "Confirmer l’import" not in html
    assert Structure.objects.count() == 0
    assert default_storage.exists(stored_paths(job)[0]) is False
    refused = admin_client.post(f"{IMPORT}{job.pk}/confirmer/", follow=True).content.decode()
    assert Structure.objects.count() == 0 and "Cet import n’attend pas de confirmation" in refused.replace("\u202f", "")


@pytest.mark.django_db
def test_cancel_deletes_the_pending_files(admin_client):
    admin_client.post(IMPORT, {"structures": structures_csv(1)})
    job = ImportJob.objects.get()
    path = stored_paths(job)[0]
    assert default_storage.exists(path)

    admin_client.post(f"{IMPORT}{job.pk}/annuler/")

    assert ImportJob.objects.count() == 0
    assert not default_storage.exists(path)
    assert Structure.objects.count() == 0


@pytest.mark.django_db
def test_status_endpoint_reports_progress_in_french(admin_client, coordinator):
    job = ImportJob.objects.create(
        user=coordinator, state=ImportJob.State.VALIDATING, phase=ImportJob.Phase.VALIDATING,
        rows_done=12000, rows_total=20000, expires_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip

    status = admin_client.get(f"{IMPORT}{job.pk}/etat/").json()
    page = admin_client.get(f"{IMPORT}{job.pk}/").content.decode()

    assert status == {
        "state": "validating", "running": True, "phase": "validating", "rows_done": 12000, "rows_total": 20000,
        "percent": 60, "text": "Vérification des lignes : 12\u202f000 / 20\u202f000 lignes",
    }  # fmt: skip
    assert '<progress max="100" value="60"' in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page  # works without JavaScript
    assert f'data-status-url="{IMPORT}{job.pk}/etat/"' in page


@pytest.mark.django_db
def test_a_job_is_its_uploaders_only_and_needs_the_permission(client, coordinator):
    job = ImportJob.objects.create(
        user=coordinator, state=ImportJob.State.READY, expires_at=timezone.now() + timedelta(hours=1),
        report={"issues": [], "counts": {"people": {"deleted": 1}}, "dry_run": True,
                "changes": [["people", "deleted", "Bruno Secret"]], "locations": []},
    )  # fmt: skip
    other = User.objects.create_superuser("autre", "autre@example.org", "x")
    editor = User.objects.create_user("editeur", "ed@example.org", "x")
    group = Group.objects.create(name="Éditeurs")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)

    client.force_login(editor)  # Wagtail answers a refused GET with a redirect to the dashboard
    for response in (
        client.get(f"{IMPORT}{job.pk}/"),
        client.get(f"{IMPORT}{job.pk}/etat/"),
        client.post(f"{IMPORT}{job.pk}/confirmer/"),
    ):
        assert response.status_code in (302, 403) and b"Bruno" not in response.content
    assert ImportJob.objects.get().state == ImportJob.State.READY
    client.force_login(other)
    assert client.get(f"{IMPORT}{job.pk}/etat/").status_code == 404
    page = client.get(f"{IMPORT}{job.pk}/", follow=True).content.decode()
    assert "Bruno Secret" not in page and typeset("Cet import n’existe pas ou a expiré") in page
    client.post(f"{IMPORT}{job.pk}/confirmer/")
    assert ImportJob.objects.get().state == ImportJob.State.READY
    client.force_login(coordinator)
    assert "Bruno Secret" in client.get(f"{IMPORT}{job.pk}/").content.decode()


@pytest.mark.django_db
def test_the_cleanup_task_deletes_expired_jobs_and_their_files(coordinator):
    def pending(expires_in: timedelta) -> ImportJob:
        job = ImportJob(user=coordinator, state=ImportJob.State.READY, expires_at=timezone.now() + expires_in)
        path = default_storage.save(f"imports/pending/{job.id}/structures--s.csv", ContentFile(b"slug,name\n"))
        job.files = {"structures": {"name": "s.csv", "path": path}}
        job.save()
        return job

    expired, current = pending(-timedelta(minutes=1)), pending(timedelta(hours=3))
    # A folder whose job never got saved (a crash mid-upload), old enough to be expired, and a fresh one.
    orphan = default_storage.save("imports/pending/orphelin/structures--x.csv", ContentFile(b"x"))
    old = time.time() - 25 * 3600
    os.utime(default_storage.path(orphan), (old, old))
    fresh = default_storage.save("imports/pending/en-cours/structures--y.csv", ContentFile(b"y"))

    result = purge_expired_imports.enqueue()

    assert result.return_value == 1
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [current.pk]
    assert not default_storage.exists(stored_paths(expired)[0])
    assert not os.path.exists(default_storage.path(f"imports/pending/{expired.pk}"))
    assert default_storage.exists(stored_paths(current)[0])
    assert not default_storage.exists(orphan) and default_storage.exists(fresh)


def test_the_cleanup_task_runs_periodically(settings):
    assert settings.BACKGROUND_PERIODIC_TASKS["directory.tasks.purge_expired_imports"] == 3600


@pytest.mark.django_db(transaction=True)
def test_progress_counters_move_as_rows_are_checked_and_written(client, monkeypatch):
    # Committed rows (transaction=True): on PostgreSQL the counters written inside the import's
    # transaction go through a second connection, which sees only committed jobs.
    for slug, name in MEMBERSHIP_LABELS.items():  # the flush of a transactional test empties them
        Membership.objects.update_or_create(slug=slug, defaults={"name": name})
    client.force_login(User.objects.create_superuser("coordinatrice", "coord@example.org", "x"))
    seen = []
    record = jobs.ProgressRecorder.__call__

    def spy(self, phase, done, total):
        record(self, phase, done, total)
        # What another reader of the job row sees at that moment.
        seen.append(ImportJob.objects.values_list("state", "phase", "rows_done", "rows_total").get(pk=self.job.pk))

    monkeypatch.setattr(jobs.ProgressRecorder, "__call__", spy)

    client.post(IMPORT, {"structures": structures_csv(1100)})
    job = ImportJob.objects.get()
    client.post(f"{IMPORT}{job.pk}/confirmer/")

    checking = [row for row in seen if row[:2] == ("validating", "validating")]
    assert checking == [("validating", "validating", n, 1100) for n in (500, 1000, 1100)]
    assert ("validating", "previewing", 1100, 1100) in seen  # the rolled-back write that computes the preview
    # Confirmed: the rows are checked again (the directory may have changed), then written.
    applying = [row[1:3] for row in seen if row[0] == "applying"]
    assert applying[:3] == [("validating", 500), ("validating", 1000), ("validating", 1100)]
    written = [done for phase, done in applying[3:] if phase == "writing"]
    assert len(written) == len(applying) - 3  # then only writing, never backwards, from nothing to every row
    assert written == sorted(written) and (written[0], written[-1]) == (0, 1100)
    assert ImportJob.objects.values_list("state", "rows_done", "rows_total").get() == ("done", 1100, 1100)
    assert Structure.objects.count() == 1100
