"""PostgreSQL: the documents' positions in a covering index, for a search by position to read no row.

A search around a point with neither words nor filters (« near Lille, by distance ») keeps the
documents within the bounding box, their distance, and groups them by their two facet sets
(migration 0014): at 200,000 documents around Lille, 124,000 documents in the box, nearly
every page of the table (12,576 of 12,234 + its TOAST-free row width: 96 MB read). The
index on ``latitude`` alone gave the rows to read; ``(latitude, longitude) INCLUDE
(structure_id, attribute_set, skill_set)`` holds all the statement reads of them
(``postgres.search_sql`` sorts by distance without the name, read for the page's rows only):
an index-only scan, 753 pages (measured on a 200,000-structure copy: the statement in
~230 ms instead of ~430 under load). Index-only scans need the visibility map set, as
``COPY … FREEZE`` (``search.database_rebuild``) and VACUUM leave it.
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS search_document_position ON search_structuresearchdocument"
    " (latitude, longitude) INCLUDE (structure_id, attribute_set, skill_set)"
)
BACKWARD = "DROP INDEX IF EXISTS search_document_position"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0020_sqlite_document_places"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
