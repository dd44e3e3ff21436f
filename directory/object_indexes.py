"""Wagtail's own per-object indexes (references, admin search) for structures written in bulk: one task per batch.

A model save enqueues two of Wagtail's tasks per object (``update_reference_index_task``
and modelsearch's ``insert_or_update_object_task``); ``bulk_create``/``update()``
enqueue none, which leaves those indexes behind. Bulk writers (the import) call
``refresh_object_indexes_on_commit`` once with every structure they wrote: one
task for the whole batch, instead of two per row (40,000 queued tasks ahead of
the search indexing after an import of 20,000 structures).
"""

from functools import partial

from django.db import transaction
from django_tasks import task
from wagtail.models import ReferenceIndex
from wagtail.search import index

from .models import Structure

CHUNK_SIZE = 500


@task()
def refresh_structure_object_indexes(structure_ids: list[int]) -> int:
    """Mettre à jour les index de Wagtail (références, recherche de l’administration) de structures écrites en masse."""
    done = 0
    for start in range(0, len(structure_ids), CHUNK_SIZE):
        for structure in Structure.objects.filter(pk__in=structure_ids[start : start + CHUNK_SIZE]):
            if ReferenceIndex.is_indexed(Structure):
                with transaction.atomic():
                    ReferenceIndex.create_or_update_for_object(structure)
            index.insert_or_update_object(structure)
            done += 1
    return done


def refresh_object_indexes_on_commit(structure_ids) -> None:
    ids = sorted({int(pk) for pk in structure_ids if pk})
    if ids:
        transaction.on_commit(partial(refresh_structure_object_indexes.enqueue, ids))
