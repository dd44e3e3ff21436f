"""Drift: differences between what should be searchable and what the engine and the fallback hold.

``search_index check`` and the catch-up tests ask « is the index level with the
database? ». Ids and slugs alone cannot tell a document written before the last
edit, a person's withdrawn consent or a renamed skill: the content comparison
builds every published structure's source again (``SourceBuilder``, in keyset
chunks, memory flat in the count) and compares it with what each side holds —
the engine's stored ``_source`` (the profile's ``document`` of the source, as
sent) and the database document's columns (``database_row`` of the source).
A pending outbox row is drift until the worker has drained it.
"""

import orjson
from tqdm import tqdm

from directory.models import public_structures

from .documents import DOCUMENT_COLUMNS, SourceBuilder, database_row
from .engine import get_backend
from .engine.indexer import JSON_DEFAULT
from .models import StructureSearchDocument

# ``indexed_at`` is when the row was written, not what it says.
_COMPARED_COLUMNS = DOCUMENT_COLUMNS[:-1]


def find_drift(content: bool = True, progress: bool = False) -> list[str]:
    """Each difference as one French line naming the structure (and, for content, the fields) at fault.

    ``content=False`` compares only which structures each side holds and under which slug (21 s at 200,000
    structures on a loaded machine, where the content comparison, analysing every document again, took 2 min 25).
    """
    expected = dict(public_structures().values_list("pk", "slug"))
    lines = []
    documents = set(StructureSearchDocument.objects.values_list("structure_id", flat=True))
    for pk in sorted(set(expected) - documents):
        lines.append(f"base : structure publiée #{pk} ({expected[pk]}) sans document")
    for pk in sorted(documents - set(expected)):
        lines.append(f"base : document #{pk} d’une structure non publiée ou supprimée")
    backend = get_backend()
    if backend is not None and not backend.current_indices():
        lines.append(f"moteur : aucun index derrière l’alias {backend.alias} (lancez search_index rebuild)")
        backend = None
    elif backend is not None:
        built_with = backend.index_profile()
        if built_with != backend.profile.name:
            lines.append(
                f"moteur : index construit avec le profil {built_with}, le profil {backend.profile.name} "
                "est attendu (lancez search_index rebuild)"
            )
            backend = None  # every document differs: the profile line says it all
        else:
            backend.refresh()  # compare with what searches see, including the last second of writes
            indexed = backend.indexed_ids()
            for pk in sorted(set(expected) - set(indexed)):
                lines.append(f"moteur : structure publiée #{pk} ({expected[pk]}) absente de l’index")
            for pk in sorted(set(indexed) - set(expected)):
                lines.append(f"moteur : document #{pk} ({indexed[pk]}) d’une structure non publiée ou supprimée")
            for pk in sorted(set(indexed) & set(expected)):
                if indexed[pk] != expected[pk]:
                    lines.append(f"moteur : #{pk} indexé sous « {indexed[pk]} », « {expected[pk]} » en base")
    if content:
        lines.extend(_content_drift(backend, total=len(expected), progress=progress))
    return lines


def _content_drift(backend, total: int, progress: bool) -> list[str]:
    """Documents both sides hold whose content is not their structure's source of now (missing ones are
    reported by the id comparison)."""
    lines = []
    bar = tqdm(total=total, unit="doc", desc="Comparaison des contenus", disable=not progress)
    for sources in SourceBuilder().chunks():
        ids = [source["id"] for source in sources]
        rows = {
            row[0]: row
            for row in StructureSearchDocument.objects.filter(structure_id__in=ids).values_list(*_COMPARED_COLUMNS)
        }
        stored = backend.stored_documents(ids) if backend is not None else {}
        for source in sources:
            pk, slug = source["id"], source["slug"]
            row = rows.get(pk)
            if row is not None:
                wanted = database_row(source, None)
                fields = [
                    name
                    for name, want, have in zip(_COMPARED_COLUMNS, wanted, row, strict=False)
                    if _plain(want) != _plain(have)
                ]
                if fields:
                    lines.append(f"base : document #{pk} ({slug}) périmé : {', '.join(fields)}")
            have = stored.get(pk)
            if have is not None:
                # As sent: JSON, so that tuples, dates and floats compare as the engine gives them back.
                want = orjson.loads(orjson.dumps(backend.profile.document(source), default=JSON_DEFAULT))
                if want != have:
                    fields = sorted(key for key in want.keys() | have.keys() if want.get(key) != have.get(key))
                    lines.append(f"moteur : document #{pk} ({slug}) périmé : {', '.join(fields)}")
        bar.update(len(sources))
    bar.close()
    return lines


def _plain(value):
    """A column's value as ``database_row`` gives it (dates as ISO text, the database may give a ``date``)."""
    return value.isoformat() if hasattr(value, "isoformat") else value
