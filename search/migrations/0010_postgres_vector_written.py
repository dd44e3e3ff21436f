"""PostgreSQL only: the rebuilds write ``search_vector`` themselves, and may skip the per-statement counts.

Measured on the 20k benchmark, ``to_tsvector`` (PostgreSQL's text parser, four
times per row) was more than half of the cost of writing the search documents.
The words are already analysed in Python (``search.text``): ``search.documents``
now also writes the vector they make (``pg_vector``, checked equal to
``to_tsvector`` by the tests), and the column stops being generated.

- ``search_vector`` becomes a plain column, its values kept;
- any other writer (the ORM, raw SQL) keeps it right through row triggers that
  compute it as before, only when the writer left it out: an insert without a
  vector, an update of the text columns that did not change it;
- the statement triggers of 0008 skip their work when the transaction has set
  ``lagrappe.search_bulk`` to ``on``: a full rebuild (``rebuild_database_documents``)
  locks the documents against other writers, rewrites them all, then counts the
  vocabulary and the facets once, in one statement each, instead of subtracting
  and adding them chunk by chunk.

A no-op on any other database.
"""

from django.db import migrations

TABLE = "search_structuresearchdocument"
VECTOR = """setweight(to_tsvector('lagrappe_fr'::regconfig, {row}skills_text), 'A')
        || setweight(to_tsvector('lagrappe_fr'::regconfig, {row}name_text), 'B')
        || setweight(to_tsvector('lagrappe_fr'::regconfig, {row}summary_text), 'C')
        || setweight(to_tsvector('lagrappe_fr'::regconfig, {row}search_text), 'D')"""
BULK = "IF current_setting('lagrappe.search_bulk', true) = 'on' THEN RETURN NULL; END IF;"

ADDED = """CREATE OR REPLACE FUNCTION search_documents_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {bulk}
        INSERT INTO search_vocabulary AS vocabulary (word, documents)
        SELECT word, count(*) FROM new_documents, unnest(tsvector_to_array(search_vector)) AS word
        GROUP BY word ORDER BY word
        ON CONFLICT (word) DO UPDATE SET documents = vocabulary.documents + excluded.documents;
        INSERT INTO search_facet_counts AS counts (key, documents)
        SELECT key, count(*) FROM new_documents, unnest(facet_keys) AS key GROUP BY key ORDER BY key
        ON CONFLICT (key) DO UPDATE SET documents = counts.documents + excluded.documents;
        RETURN NULL;
    END $$"""
REMOVED = """CREATE OR REPLACE FUNCTION search_documents_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {bulk}
        UPDATE search_vocabulary AS vocabulary SET documents = vocabulary.documents - gone.documents
        FROM (
            SELECT word, count(*) AS documents FROM old_documents, unnest(tsvector_to_array(search_vector)) AS word
            GROUP BY word ORDER BY word
        ) AS gone
        WHERE vocabulary.word = gone.word;
        DELETE FROM search_vocabulary WHERE documents <= 0 AND word = ANY (
            ARRAY(SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM old_documents)
        );
        UPDATE search_facet_counts AS counts SET documents = counts.documents - gone.documents
        FROM (
            SELECT key, count(*) AS documents FROM old_documents, unnest(facet_keys) AS key GROUP BY key ORDER BY key
        ) AS gone
        WHERE counts.key = gone.key;
        DELETE FROM search_facet_counts WHERE documents <= 0;
        RETURN NULL;
    END $$"""

FORWARD = [
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector DROP EXPRESSION",
    f"""CREATE FUNCTION search_document_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END $$""",
    # WHEN conditions are evaluated without calling the function: a writer that gives the vector pays nothing.
    f"""CREATE TRIGGER search_vector_insert BEFORE INSERT ON {TABLE}
        FOR EACH ROW WHEN (NEW.search_vector IS NULL) EXECUTE FUNCTION search_document_vector()""",
    f"""CREATE TRIGGER search_vector_update BEFORE UPDATE OF skills_text, name_text, summary_text, search_text
        ON {TABLE} FOR EACH ROW
        WHEN (NEW.search_vector IS NULL OR NEW.search_vector IS NOT DISTINCT FROM OLD.search_vector)
        EXECUTE FUNCTION search_document_vector()""",
    ADDED.format(bulk=BULK),
    REMOVED.format(bulk=BULK),
]

BACKWARD = [
    ADDED.format(bulk=""),
    REMOVED.format(bulk=""),
    f"DROP TRIGGER IF EXISTS search_vector_insert ON {TABLE}",
    f"DROP TRIGGER IF EXISTS search_vector_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS search_document_vector()",
    # A column cannot become generated again: it is made anew, with its index.
    f"ALTER TABLE {TABLE} DROP COLUMN search_vector",
    f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR.format(row='')}) STORED",
    f"CREATE INDEX search_document_vector ON {TABLE} USING gin (search_vector)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0009_sqlite_facet_value_holders")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
