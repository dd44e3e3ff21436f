"""The admin import through the real worker: the web request only stores files and enqueues; ``db_worker`` does the rest.

PostgreSQL only (see conftest): the worker runs in its own process, on the test
database and on the same MEDIA_ROOT as the web side, where the files wait.
"""

import csv
import io

from django.contrib.auth.models import User
from django.core.files.storage import default_storage

from directory.columns import STRUCTURE_COLUMNS
from directory.models import ImportJob, Structure

IMPORT = "/admin/annuaire/transfert/"
ROWS = 1200


def structures_csv(count: int) -> io.BytesIO:
    # With their points: no geocoding task afterwards, whose per-structure saves would
    # queue two Wagtail tasks per structure and slow the batch down (not what this test is about).
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STRUCTURE_COLUMNS, restval="")
    writer.writeheader()
    for i in range(count):
        writer.writerow(
            {"slug": f"atelier-{i}", "name": f"Atelier {i}", "category": "collectif", "membership": "cluster",
             "city": "Lille", "latitude": "50.63", "longitude": "3.06"}
        )  # fmt: skip
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "structures.csv"
    return upload


def test_upload_validation_and_apply_run_in_the_worker(worker, client, settings):
    client.force_login(User.objects.create_superuser("coordinatrice", "coord@example.org", "x"))
    media = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}

    client.post(IMPORT, {"structures": structures_csv(ROWS)})

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.VALIDATING  # queued: the request did not validate
    page = client.get(f"{IMPORT}{job.pk}/").content.decode()
    assert "Vérification des fichiers" in page and '<progress max="100" value="0"' in page
    assert client.get(f"{IMPORT}{job.pk}/etat/").json()["running"] is True
    assert default_storage.exists(job.files["structures"]["path"])

    worker.run_batch(timeout=400, **media)

    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total) == (ImportJob.State.READY, ROWS, ROWS)
    assert job.report["counts"]["structures"] == {"created": ROWS}
    assert Structure.objects.count() == 0  # the preview was rolled back
    assert "Confirmer l’import" in client.get(f"{IMPORT}{job.pk}/").content.decode()

    client.post(f"{IMPORT}{job.pk}/confirmer/")
    job.refresh_from_db()
    assert job.state == ImportJob.State.APPLYING and Structure.objects.count() == 0
    assert client.get(f"{IMPORT}{job.pk}/etat/").json()["running"] is True

    worker.run_batch(timeout=400, **media)

    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total) == (ImportJob.State.DONE, ROWS, ROWS)
    assert Structure.objects.filter(slug__startswith="atelier-").count() == ROWS
    assert not default_storage.exists(job.files["structures"]["path"])
    assert "Import terminé." in client.get(f"{IMPORT}{job.pk}/").content.decode()
