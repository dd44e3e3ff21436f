"""Background geocoding (django-tasks): the request that saves a structure never waits for the service."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django_tasks import task

from .structures import geocode_structures


@task()
def geocode_structures_task(structure_ids: list[int]) -> list[dict]:
    """Geocode these structures; the result (JSON) says what was found for each."""
    return [report.as_dict() for report in geocode_structures(structure_ids)]


def enqueue_geocoding(structure_ids) -> None:
    """Queue geocoding once the current transaction commits (the worker must see the rows)."""
    ids = sorted({int(pk) for pk in structure_ids if pk})
    if ids:
        transaction.on_commit(partial(geocode_structures_task.enqueue, ids))
