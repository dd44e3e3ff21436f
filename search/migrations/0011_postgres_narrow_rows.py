"""PostgreSQL: the documents' rows made narrow, and a full-text index of the skills alone.

PostgreSQL only (``search.database.postgres``); on any other database this migration
does nothing.

A query matching most of the directory (« projet »: 160,000 documents of 200,000) reads
every matched row for its facets, its order and its score. Those rows held their wide
columns (the text of every field, ``search_vector``, ``facet_keys``: 2 to 3 kB) in the
row itself, so reading the matched rows meant reading the whole table. Now:

- ``toast_tuple_target = 128``: a row longer than PostgreSQL's TOAST threshold (2 kB,
  nearly every document) has its wide columns moved out of it, to TOAST, whence only
  the few rows that need them read them (``postgres.search_sql``'s candidates and page);
- the columns read for every matched row stay in it, uncompressed (``STORAGE PLAIN``,
  or ``MAIN`` for the slugs): the sort keys, the facet values (``category``, ``city``,
  the ``|a|b|`` slugs), the filters' ``city_key``, and the short texts the score
  reads (name, summary, city);
- ``skills_vector``, the skills' words alone (generated, GIN-indexed): which documents
  have a skill starting with a word, or equal to it, is a set of ids the index answers,
  instead of reading the skills' text of every matched row;
- ``search_unpublished_structures``, the ids of the unpublished structures (a partial
  index of ``directory_structure``, read by an index-only scan): every search leaves
  their documents out, and reading those rows of the structures' table (one page each,
  scattered) cost more than the rest of a narrow query.

The documents already written are rewritten once, so that they take the new layout: a
row is moved to TOAST only when written longer than 2 kB, and a rewrite that keeps the
compressed values as they are (``ADD COLUMN``, ``VACUUM FULL``) leaves it as it was; an
``UPDATE`` computing the values anew writes them whole. Its triggers are off meanwhile:
the words and counts they keep do not change. A few minutes per 100,000 documents.
"""

from django.db import migrations

TABLE = "search_structuresearchdocument"
STRUCTURES = "directory_structure"
# Read for every matched document (``postgres.search_sql``), so kept in the row, and never compressed
# (``PLAIN``): each read of a compressed value decompresses it. Their lengths are bounded by the
# structure's fields (a name of 200 characters, a one-sentence summary, a city of 120).
PLAIN_COLUMNS = ("name_sort", "category", "city", "city_key", "city_text", "name_text", "summary_text")
# Read for every matched document too, but as long as a structure has skills: in the row, compressed
# if need be (``MAIN``).
MAIN_COLUMNS = ("membership_slugs", "skill_slugs", "sector_slugs")

FORWARD = [
    f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)",
    f"ALTER TABLE {TABLE} "
    + ", ".join(
        [f"ALTER COLUMN {column} SET STORAGE PLAIN" for column in PLAIN_COLUMNS]
        + [f"ALTER COLUMN {column} SET STORAGE MAIN" for column in MAIN_COLUMNS]
    ),
    f"""ALTER TABLE {TABLE} ADD COLUMN skills_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('lagrappe_fr'::regconfig, skills_text)
    ) STORED""",
    f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
    # Every value written anew (``|| ''``), uncompressed, and the generated columns computed again.
    f"UPDATE {TABLE} SET "
    + ", ".join(f"{column} = {column} || ''" for column in (*PLAIN_COLUMNS, *MAIN_COLUMNS, "search_text")),
    # The structure's foreign key checks, deferred, must run before the triggers are switched back.
    "SET CONSTRAINTS ALL IMMEDIATE",
    f"ALTER TABLE {TABLE} ENABLE TRIGGER USER",
    f"CREATE INDEX search_document_skills_vector ON {TABLE} USING gin (skills_vector)",
    f"ANALYZE {TABLE}",
    # The search's own index on the directory's table: the directory never reads it.
    f"CREATE INDEX search_unpublished_structures ON {STRUCTURES} (id) WHERE NOT live",
]

BACKWARD = [
    "DROP INDEX IF EXISTS search_unpublished_structures",
    "DROP INDEX IF EXISTS search_document_skills_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS skills_vector",
    f"ALTER TABLE {TABLE} "
    + ", ".join(f"ALTER COLUMN {column} SET STORAGE EXTENDED" for column in (*PLAIN_COLUMNS, *MAIN_COLUMNS)),
    f"ALTER TABLE {TABLE} RESET (toast_tuple_target)",
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
        ("search", "0010_postgres_vector_written"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
