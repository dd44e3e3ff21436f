"""PostgreSQL only: an update of documents changes the vocabulary and the facet counts by their net difference.

Migration 0008 counted an ``UPDATE`` (the worker's upsert: ``INSERT … ON CONFLICT
DO UPDATE``) as a delete of the old rows then an insert of the new ones: two
statement triggers, each touching every word and facet key of the batch, the
first also deleting the words left at zero by a lookup of every old word. On the
catch-up benchmark (2,000 documents whose summary changed) those two triggers took
2 to 4 s of the batch's 3 to 7 s, although a few words' counts changed.

One trigger now sees both transition tables and writes only what changed: the
words (and facet keys) whose number of documents went up or down, in word order
(two writers lock them in the same order), then deletes those of them left at
zero. ``lagrappe.search_bulk`` still makes it skip (a full rebuild counts once).

A no-op on any other database.
"""

from django.db import migrations

TABLE = "search_structuresearchdocument"
BULK = "IF current_setting('lagrappe.search_bulk', true) = 'on' THEN RETURN NULL; END IF;"


def _net(table: str, key: str, values: str) -> str:
    """Add the difference new − old of each ``key`` to ``table``, then drop the keys left at zero."""
    return f"""WITH difference AS (
            SELECT {key}, sum(delta)::integer AS documents FROM (
                SELECT {key}, 1 AS delta FROM new_documents, unnest({values}) AS {key}
                UNION ALL
                SELECT {key}, -1 FROM old_documents, unnest({values}) AS {key}
            ) AS changes
            GROUP BY {key} HAVING sum(delta) <> 0 ORDER BY {key}
        ), applied AS (
            INSERT INTO {table} AS counted ({key}, documents) SELECT {key}, documents FROM difference
            ON CONFLICT ({key}) DO UPDATE SET documents = counted.documents + excluded.documents
            RETURNING counted.{key}, counted.documents
        )
        SELECT array_agg({key}) INTO emptied FROM applied WHERE documents <= 0;
        -- A second statement: a row changed by one part of a statement cannot be deleted by another.
        IF emptied IS NOT NULL THEN
            DELETE FROM {table} WHERE {key} = ANY (emptied) AND documents <= 0;
        END IF;"""


CHANGED = f"""CREATE FUNCTION search_documents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        emptied text[];
    BEGIN
        {BULK}
        {_net("search_vocabulary", "word", "tsvector_to_array(search_vector)")}
        {_net("search_facet_counts", "key", "facet_keys")}
        RETURN NULL;
    END $$"""

FORWARD = [
    CHANGED,
    f"DROP TRIGGER search_vocabulary_update_1_old ON {TABLE}",
    f"DROP TRIGGER search_vocabulary_update_2_new ON {TABLE}",
    f"""CREATE TRIGGER search_vocabulary_update AFTER UPDATE ON {TABLE}
        REFERENCING OLD TABLE AS old_documents NEW TABLE AS new_documents
        FOR EACH STATEMENT EXECUTE FUNCTION search_documents_changed()""",
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS search_vocabulary_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS search_documents_changed()",
    f"""CREATE TRIGGER search_vocabulary_update_1_old AFTER UPDATE ON {TABLE}
        REFERENCING OLD TABLE AS old_documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_removed()""",
    f"""CREATE TRIGGER search_vocabulary_update_2_new AFTER UPDATE ON {TABLE}
        REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_added()""",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0011_postgres_narrow_rows")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
