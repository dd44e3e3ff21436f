"""PostgreSQL: the keys of the facet sets read from a covering index, not from the sets' rows.

A broad search groups its matched documents by their two facet sets (migration 0014),
then reads the keys of every set met: at 200,000 documents, « projet » meets about
20,000 sets, nearly all of them. Their rows are wide (the skills' text and its
``tsvector``: 18 MB of heap for 20,000 sets), and the statement runs with sequential
scans off, so these keys came from an index scan of the primary key, one heap row after
another (3,459 pages read). ``(id) INCLUDE (keys)`` holds only what the statement reads
(3 MB): an index-only scan, 377 pages (measured on a 200,000-structure copy: the hash of
the sets built in 15 ms instead of 61, under load).
"""

from django.db import migrations

FORWARD = "CREATE INDEX IF NOT EXISTS search_facet_sets_keys ON search_facet_sets (id) INCLUDE (keys)"
BACKWARD = "DROP INDEX IF EXISTS search_facet_sets_keys"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0017_postgres_lz4_documents"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
