"""SQLite only: the documents' positions in a narrow index, for a search around a point (``search.database.sqlite``).

A search by distance reads the documents of the point's bounding box. They were
read from ``search_document_listing``, whose entries hold the name and every facet
value: at 200k, a box around Lille holds 116,000 documents and the scan read the
whole index. ``search_document_geo`` holds (latitude, longitude, document): the box
is a range of it, read from entries a fifth as wide. Kept by SQLite with the table,
so no trigger changes. A no-op where 0006 created nothing (another database, an
SQLite without FTS5).
"""

from django.db import migrations

DOCUMENTS = "search_structuresearchdocument"
FTS = "search_document_fts"
INDEX = "search_document_geo"


def _has_fts(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS])
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and _has_fts(connection):
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {DOCUMENTS} (latitude, longitude, structure_id)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("search", "0015_postgres_facet_set_lookup_by_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
