"""SQLite only: a token that changes whenever a combination of facet values (migration 0013) is written.

A search counting its matches' facets by combination (``search.database.sqlite``) lists
the combinations' ids met (``group_concat``, no sort) and counts them in Python, which
names them from a copy of ``search_document_signature`` kept per process: sorting the
ids in SQL to group them cost more than the rest of « 10 km around Lille » at 200k.
That copy is right while this token is unchanged: triggers give it a new random value
on every insert, update or delete of a combination (a rolled back write restores the
token with the rows), and the search reads it in the same statement as the ids. A no-op
where 0013 created nothing (another database, an SQLite without FTS5).
"""

from django.db import migrations

SIGNATURE = "search_document_signature"
VERSION = "search_document_signature_version"
TRIGGERS = tuple(f"{VERSION}_{event}" for event in ("insert", "update", "delete"))

CREATE = [
    f"CREATE TABLE {VERSION} (token blob NOT NULL)",
    f"INSERT INTO {VERSION} (token) VALUES (randomblob(16))",
    *(
        f"""CREATE TRIGGER {trigger} AFTER {event} ON {SIGNATURE} BEGIN
            UPDATE {VERSION} SET token = randomblob(16);
        END"""
        for trigger, event in zip(TRIGGERS, ("INSERT", "UPDATE", "DELETE"), strict=True)
    ),
]


def _has_signatures(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [SIGNATURE])
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and _has_signatures(connection):
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for trigger in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {VERSION}")


class Migration(migrations.Migration):
    dependencies = [("search", "0022_outbox_engine_done")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
