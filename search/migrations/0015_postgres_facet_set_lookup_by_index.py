"""PostgreSQL: the facet-set lookup of migration 0014 always goes by its unique index.

``search_facet_set`` finds a set by its digest. PL/pgSQL keeps one plan for that
lookup per connection, made from the table's statistics when it is first run: on a
new database, or after the sets were emptied, those say « no rows », and the plan kept
is a sequential scan of a table that then grows to thousands of sets inside the same
rebuild or import — every row's lookup reading every set written before it. The first
rebuild after seeding 200,000 structures ran at 586 documents/s instead of about
2,000. Measured in one transaction from an empty, analysed table: 3,000 new sets took
1.26 s, the next 3,000 3.06 s; with this setting 0.31 s and 0.50 s, and a lookup of
an existing set 20 µs.

The function therefore runs with sequential scans off (a setting of the function,
restored when it returns): the unique index on ``digest`` is its only sensible path.
"""

from django.db import migrations

FORWARD = "ALTER FUNCTION search_facet_set(text[], text) SET enable_seqscan = off"
BACKWARD = "ALTER FUNCTION search_facet_set(text[], text) RESET enable_seqscan"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0014_postgres_facet_sets"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
