"""PostgreSQL full-text search for the database fallback (``search.database.postgres``).

PostgreSQL only: on any other database this migration does nothing (SQLite keeps
its own search, ``search.database``), so the project still migrates on SQLite.

- ``unaccent`` and ``pg_trgm`` (trusted extensions: the database owner may create them);
- the text search configuration ``lagrappe_fr``: the ``simple`` dictionary behind
  ``unaccent``. The French analysis (elisions, stop words, folding, Savoy's light
  stemmer) is done once, in Python, by ``search.text`` — the same analysis the
  engine runs — and the document columns hold its words. PostgreSQL's own
  ``french`` configuration (Snowball) would stem those words a second time and
  differently from the engine (« menuiserie » and « menuisier » would both become
  « menuis »): ``lagrappe_fr`` only splits them, and ``unaccent`` keeps the index
  right if a writer ever stores a word with an accent;
- ``search_vector``, a generated column (so every writer — the ORM, ``bulk_create``,
  ``COPY``, raw SQL — keeps it right): skills A, name B, summary C, every word D;
  GIN-indexed;
- ``facet_keys``, a generated array of the document's facet values (« s:<skill> »…),
  GIN-indexed, so one unnest counts every facet; indexes for the name and newest orders;
- statement triggers on the documents (any writer again) keep two tables:
  ``search_vocabulary``, every indexed word with the number of documents holding
  it, trigram (GiST) indexed — the words a typo is corrected to, and « vouliez-vous
  dire »; and ``search_facet_counts``, documents per facet key — the blank
  listing's facets, read instead of counted.
"""

from django.db import migrations

TABLE = "search_structuresearchdocument"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION lagrappe_fr (COPY = pg_catalog.simple)",
    """ALTER TEXT SEARCH CONFIGURATION lagrappe_fr
        ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part,
            hword_numpart
        WITH unaccent, simple""",
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('lagrappe_fr'::regconfig, skills_text), 'A')
        || setweight(to_tsvector('lagrappe_fr'::regconfig, name_text), 'B')
        || setweight(to_tsvector('lagrappe_fr'::regconfig, summary_text), 'C')
        || setweight(to_tsvector('lagrappe_fr'::regconfig, search_text), 'D')
    ) STORED""",
    f"CREATE INDEX search_document_vector ON {TABLE} USING gin (search_vector)",
    # Every facet value of the document as one array of « facet key » strings (``postgres.FACET_KEYS``):
    # « t: » (every document: the total), « c:<category> », « m:<membership> », « s:<skill> »,
    # « e:<sector> », « y:<city> ». One unnest counts every facet in one pass.
    f"""ALTER TABLE {TABLE} ADD COLUMN facet_keys text[] GENERATED ALWAYS AS (
        ARRAY['t:', 'c:' || category]
        || array_remove(string_to_array('m:' || replace(btrim(membership_slugs, '|'), '|', '|m:'), '|'), 'm:')
        || array_remove(string_to_array('s:' || replace(btrim(skill_slugs, '|'), '|', '|s:'), '|'), 's:')
        || array_remove(string_to_array('e:' || replace(btrim(sector_slugs, '|'), '|', '|e:'), '|'), 'e:')
        || array_remove(ARRAY['y:' || city], 'y:')
    ) STORED""",
    f"CREATE INDEX search_document_facet_keys ON {TABLE} USING gin (facet_keys)",
    # The listing's orders, in code point order as the engine's keyword sort (``postgres.ORDER_BY``).
    f'CREATE INDEX search_document_name_order ON {TABLE} (name_sort COLLATE "C", structure_id)',
    f'CREATE INDEX search_document_newest_order ON {TABLE} (joined DESC NULLS LAST, name_sort COLLATE "C", structure_id)',
    # How many documents hold each facet key: the blank listing's counts, read rather than counted.
    'CREATE TABLE search_facet_counts (key text COLLATE "C" PRIMARY KEY, documents integer NOT NULL)',
    'CREATE TABLE search_vocabulary (word text COLLATE "C" PRIMARY KEY, documents integer NOT NULL)',
    # GiST rather than GIN: it answers « the nearest words » (ORDER BY word <-> typed LIMIT n).
    "CREATE INDEX search_vocabulary_trigram ON search_vocabulary USING gist (word gist_trgm_ops)",
    # Words and keys are added and removed in order, so two writers lock them in the same order.
    """CREATE FUNCTION search_documents_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_vocabulary AS vocabulary (word, documents)
        SELECT word, count(*) FROM new_documents, unnest(tsvector_to_array(search_vector)) AS word
        GROUP BY word ORDER BY word
        ON CONFLICT (word) DO UPDATE SET documents = vocabulary.documents + excluded.documents;
        INSERT INTO search_facet_counts AS counts (key, documents)
        SELECT key, count(*) FROM new_documents, unnest(facet_keys) AS key GROUP BY key ORDER BY key
        ON CONFLICT (key) DO UPDATE SET documents = counts.documents + excluded.documents;
        RETURN NULL;
    END $$""",
    # Update, then delete: a row updated by one part of a statement cannot be deleted by another part.
    """CREATE FUNCTION search_documents_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
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
    END $$""",
    """CREATE FUNCTION search_documents_cleared() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM search_vocabulary;
        DELETE FROM search_facet_counts;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER search_vocabulary_insert AFTER INSERT ON {TABLE}
        REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_added()""",
    f"""CREATE TRIGGER search_vocabulary_delete AFTER DELETE ON {TABLE}
        REFERENCING OLD TABLE AS old_documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_removed()""",
    # Triggers of one event fire in name order: the old words leave, then the new ones come.
    f"""CREATE TRIGGER search_vocabulary_update_1_old AFTER UPDATE ON {TABLE}
        REFERENCING OLD TABLE AS old_documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_removed()""",
    f"""CREATE TRIGGER search_vocabulary_update_2_new AFTER UPDATE ON {TABLE}
        REFERENCING NEW TABLE AS new_documents FOR EACH STATEMENT EXECUTE FUNCTION search_documents_added()""",
    f"""CREATE TRIGGER search_vocabulary_truncate AFTER TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION search_documents_cleared()""",
    # Documents written before this migration.
    f"""INSERT INTO search_vocabulary (word, documents)
        SELECT word, count(*) FROM {TABLE}, unnest(tsvector_to_array(search_vector)) AS word GROUP BY word""",
    f"""INSERT INTO search_facet_counts (key, documents)
        SELECT key, count(*) FROM {TABLE}, unnest(facet_keys) AS key GROUP BY key""",
]

BACKWARD = [
    # CASCADE: the functions take their triggers with them.
    "DROP FUNCTION IF EXISTS search_documents_cleared(), search_documents_removed(), search_documents_added() CASCADE",
    "DROP TABLE IF EXISTS search_vocabulary, search_facet_counts",
    f"DROP INDEX IF EXISTS search_document_name_order, search_document_newest_order",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS facet_keys, DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS lagrappe_fr",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_sqlite_facet_value_ids"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
