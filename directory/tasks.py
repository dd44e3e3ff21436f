"""The directory's background tasks (django-tasks): the admin import's two steps and the cleanup of its files.

Arguments are JSON (a job id as text); the work is in ``directory.importing.jobs``.
"""

from django_tasks import task

from .importing import jobs


@task()
def validate_import(job_id: str) -> str | None:
    """Read, check and preview an uploaded import (writes nothing but the job's progress and report)."""
    return jobs.validate(job_id)


@task()
def apply_import(job_id: str) -> str | None:
    """Write a confirmed import, all or nothing."""
    return jobs.apply(job_id)


@task()
def purge_expired_imports() -> int:
    """Periodic: delete expired import jobs and the files they left in the storage."""
    return jobs.purge_expired()
