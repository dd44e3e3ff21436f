"""SQLite only: the documents holding a facet value, by value (``search.database.sqlite``).

``search_document_value`` is keyed by document; a search naming a skill
(``SearchQuery.boost_skills``) ranks that skill's holders first, and finds them
among the matches through this index instead of reading every match's slugs.
Kept by SQLite with the table, so the triggers of 0007 need no change. A no-op
where 0006 created nothing (another database, an SQLite without FTS5).
"""

from django.db import migrations

VALUES = "search_document_value"
INDEX = "search_document_value_holders"


def _has_values(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [VALUES])
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and _has_values(connection):
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {VALUES} (value_id, structure_id)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("search", "0008_postgres_fulltext")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
