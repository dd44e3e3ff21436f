"""SQLite only: ``search_document_geo`` (migration 0016) dropped: it made a search around a point slower.

The box around the point was read from it in latitude order, so each matching
document's combinations of facet values (``search_document_signatures``, stored
by document id) were then read in no useful order: at 200k, around Lille
(100,178 matches), the box cost 18 ms less and the facets 50 ms more than from
``search_document_listing``, which gives the documents in id order
(``search.database.sqlite``). A no-op where the index is absent.
"""

from django.db import migrations

DOCUMENTS = "search_structuresearchdocument"
FTS = "search_document_fts"
INDEX = "search_document_geo"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS])
        if cursor.fetchone() is not None:
            schema_editor.execute(f"CREATE INDEX {INDEX} ON {DOCUMENTS} (latitude, longitude, structure_id)")


class Migration(migrations.Migration):
    dependencies = [("search", "0018_postgres_facet_set_keys_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
