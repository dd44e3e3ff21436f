"""PostgreSQL: the documents' compressed columns compressed with LZ4 rather than pglz.

PostgreSQL only, and only where the server was built with LZ4 (``default_toast_compression``
offers it); otherwise this migration does nothing.

The wide columns of a document (``search_text``, ``skills_text``, ``search_vector``,
``facet_keys``, kept out of line since migration 0011; the slug lists, compressed in the
row) are compressed by every write and read back by every search that ranks or
highlights a matched row. LZ4 compresses and decompresses several times faster than
pglz for about the same size here: a rebuild's ``COPY`` of the 20k bench's 19,176
documents took 1.7-1.8 s of PostgreSQL's CPU with pglz, 0.9-1.2 s with LZ4. Rows
written before keep their pglz values (both are read) until they are written again.
"""

from django.db import migrations

TABLE = "search_structuresearchdocument"
COMPRESSED_COLUMNS = (
    "skills_text",
    "search_text",
    "search_vector",
    "facet_keys",
    "membership_slugs",
    "skill_slugs",
    "sector_slugs",
)


def _compression(method: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
            if not cursor.fetchone()[0]:
                return
        columns = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COMPRESSED_COLUMNS)
        schema_editor.execute(f"ALTER TABLE {TABLE} {columns}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0016_sqlite_document_geo"),
    ]

    operations = [
        migrations.RunPython(_compression("lz4"), _compression("default")),
    ]
