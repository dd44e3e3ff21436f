"""The admin import as background work: files kept in the project's storage, two tasks, progress on the job row.

``create_job`` stores the uploaded files under ``imports/pending/<job id>/`` in
the default storage (the web processes and the worker share it; the server's
temporary directory is not shared between machines) and records an
``ImportJob``. ``validate`` (the ``validate_import`` task) reads and checks every
row and computes the preview in a rolled-back transaction; ``apply`` (the
``apply_import`` task, after « Confirmer l’import ») runs ``import_directory``
for real: the same all-or-nothing guarantee and the same report as the command,
re-validated against the directory as it is when the coordinator confirms.

Progress goes on the job row as rows are checked and written. The writing
happens inside the import's transaction; on PostgreSQL the counters are written
through a second connection so that the admin page (another process) sees them
move; SQLite has a single writer, so there they are written in the transaction
and show at its end.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from ..models import ImportJob
from . import ImportFailed, import_directory

logger = logging.getLogger(__name__)

PENDING_FOLDER = "imports/pending"
KINDS = ("structures", "people", "skills", "sectors")


def expiry_delay() -> timedelta:
    return timedelta(hours=getattr(settings, "DIRECTORY_IMPORT_EXPIRY_HOURS", 24))


def create_job(user, uploads: dict) -> ImportJob:
    """Store the uploaded files (kind -> UploadedFile) and record the job; the caller enqueues its validation."""
    job = ImportJob(user=user, expires_at=timezone.now() + expiry_delay())
    files = {}
    for kind in KINDS:
        upload = uploads.get(kind)
        if upload:
            original = PurePosixPath(upload.name.replace("\\", "/")).name
            stored = default_storage.save(f"{PENDING_FOLDER}/{job.id}/{kind}--{original}", upload)
            files[kind] = {"name": original, "path": stored}
    job.files = files
    job.save()
    return job


def delete_files(job: ImportJob) -> None:
    for stored in job.files.values():
        default_storage.delete(stored["path"])
    _remove_folder(f"{PENDING_FOLDER}/{job.id}")


def _remove_folder(folder: str) -> None:
    # File storages leave empty folders behind; object stores have none to remove.
    try:
        os.rmdir(default_storage.path(folder))
    except (NotImplementedError, OSError):
        pass


def _sources(job: ImportJob) -> dict:
    # Reports name the file the coordinator uploaded, not the storage's name.
    sources = {}
    for kind, stored in job.files.items():
        with default_storage.open(stored["path"], "rb") as handle:
            sources[kind] = (stored["name"], handle.read())
    return sources


class ProgressRecorder:
    """``progress(phase, done, total)`` for ``import_directory``: writes the counters on the job row."""

    def __init__(self, job: ImportJob, dry_run: bool = False):
        self.job = job
        self.dry_run = dry_run
        self.side = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "writing" and self.dry_run:  # written then rolled back: the preview being computed
            phase = ImportJob.Phase.PREVIEWING
        values = {"phase": phase, "rows_done": done, "rows_total": total}
        # Rows are written inside the import's own transaction (rows are checked before it opens).
        if phase != "validating" and connection.vendor != "sqlite":
            self._write_aside(values)
        else:
            ImportJob.objects.filter(pk=self.job.pk).update(**values, updated_at=timezone.now())

    def _write_aside(self, values: dict) -> None:
        # Inside the import's transaction: an autocommit connection of its own, so the
        # page polling from another process sees the counters before the commit.
        if self.side is None:
            self.side = connections.create_connection("default")
        table = ImportJob._meta.db_table
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET phase = %s, rows_done = %s, rows_total = %s, updated_at = %s WHERE id = %s",
                [values["phase"], values["rows_done"], values["rows_total"], timezone.now(), self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _finish(job: ImportJob, state: str, report=None, error: str = "") -> None:
    updates = {"state": state, "error": error, "updated_at": timezone.now()}
    if report is not None:
        updates["report"] = report.as_json()
    if state in (ImportJob.State.READY, ImportJob.State.DONE):
        updates["rows_done"] = job.rows_total = ImportJob.objects.get(pk=job.pk).rows_total
    ImportJob.objects.filter(pk=job.pk).update(**updates)


def _run(job_id, state: str, dry_run: bool) -> str | None:
    job = ImportJob.objects.filter(pk=job_id, state=state).select_related("user").first()
    if job is None:  # expired and purged, cancelled, or already run by another worker
        logger.info("Import job %s is not %s any more: nothing to do", job_id, state)
        return None
    recorder = ProgressRecorder(job, dry_run=dry_run)
    try:
        report = import_directory(**_sources(job), dry_run=dry_run, user=job.user, progress=recorder)
    except ImportFailed as failure:
        _finish(job, ImportJob.State.INVALID, failure.report)
        delete_files(job)
        return ImportJob.State.INVALID
    except Exception as error:
        _finish(job, ImportJob.State.FAILED, error=f"{type(error).__name__}: {error}")
        delete_files(job)
        raise  # the task fails too: the operator sees it, with its traceback, among the background work
    finally:
        recorder.close()
    if dry_run:
        _finish(job, ImportJob.State.READY, report)
        return ImportJob.State.READY
    _finish(job, ImportJob.State.DONE, report)
    delete_files(job)
    return ImportJob.State.DONE


def validate(job_id) -> str | None:
    """Check every row and compute the preview (nothing is written); the job becomes INVALID or READY."""
    return _run(job_id, ImportJob.State.VALIDATING, dry_run=True)


def claim_for_apply(job: ImportJob) -> bool:
    """READY -> APPLYING, once: a second « Confirmer » (another tab, a double click) gets False."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.READY).update(
            state=ImportJob.State.APPLYING, phase=ImportJob.Phase.WRITING, rows_done=0, updated_at=timezone.now()
        )
    )


def apply(job_id) -> str | None:
    """Write the confirmed import, all or nothing; the job becomes DONE (or INVALID if the directory changed)."""
    return _run(job_id, ImportJob.State.APPLYING, dry_run=False)


def purge_expired(now=None) -> int:
    """Delete expired jobs with their files, and files under ``imports/pending/`` that no job owns any more."""
    now = now or timezone.now()
    expired = list(ImportJob.objects.filter(expires_at__lt=now))
    for job in expired:
        delete_files(job)
    ImportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    # Files of a job that never got its row (a crash between the upload and the save).
    try:
        folders, _ = default_storage.listdir(PENDING_FOLDER)
    except FileNotFoundError:
        folders = []
    known = {str(pk) for pk in ImportJob.objects.values_list("pk", flat=True)}
    for folder in set(folders) - known:
        path = f"{PENDING_FOLDER}/{folder}"
        _, names = default_storage.listdir(path)
        if all(default_storage.get_modified_time(f"{path}/{n}") < now - expiry_delay() for n in names):
            for name in names:
                default_storage.delete(f"{path}/{name}")
            _remove_folder(path)
    return len(expired)
