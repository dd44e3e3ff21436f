"""SQLite only: full text and facets of the search documents in SQL (``search.database.sqlite``).

- ``search_document_fts``: an external-content FTS5 table (it stores the index,
  not a second copy of the text) over the analysed columns. The words are
  already analysed by ``search.text`` (folded, stemmed, stop words out, one
  space between them), so the tokenizer only has to split on spaces.
- ``search_document_value``: one row per facet value of a document (category,
  city, each membership, skill and sector slug), so facets are counted by a
  join and a GROUP BY rather than by splitting ``|a|b|`` strings per row.
- ``search_document_count``: how many documents hold each facet value, so the
  blank listing counts its facets without reading 20,000 documents.
- ``search_document_listing``: a covering index of the narrow columns, so a
  listing never reads the wide text columns (and their overflow pages).

Triggers on ``search_structuresearchdocument`` keep all three in step, so every
writer keeps them right: the ORM, ``bulk_create``, raw inserts, ``DELETE FROM``.

A no-op on any other database, and on an SQLite without FTS5: the database
search then stays on the portable LIKE search and logs why.
"""

import logging

from django.db import OperationalError, migrations

logger = logging.getLogger(__name__)

DOCUMENTS = "search_structuresearchdocument"
FTS = "search_document_fts"
VALUES = "search_document_value"
COUNTS = "search_document_count"
# The analysed columns; ``search.database.sqlite`` names them in its column filters.
COLUMNS = ("name_text", "skills_text", "summary_text", "city_text", "search_text")
NAMES = ", ".join(COLUMNS)


def _row(prefix):
    return ", ".join(f"{prefix}.{column}" for column in COLUMNS)


def _slugs(column):
    # « |a|b| » -> the JSON array « ["a","b"] » (slugs hold no quote nor backslash).
    return f"""json_each('["' || replace(substr({column}, 2, length({column}) - 2), '|', '","') || '"]')"""


def _facet_values(row, source=""):
    """SELECT (structure_id, facet, value) of the documents of ``source`` (none: the trigger's ``row``)."""
    selects = [
        f"SELECT {row}.structure_id, 'categories', {row}.category {source}",
        f"SELECT {row}.structure_id, 'cities', {row}.city {source} WHERE {row}.city != ''",
    ]
    for facet, column in (("memberships", "membership_slugs"), ("skills", "skill_slugs"), ("sectors", "sector_slugs")):
        joined = f"{source}, {_slugs(f'{row}.{column}')}" if source else f"FROM {_slugs(f'{row}.{column}')}"
        selects.append(f"SELECT {row}.structure_id, '{facet}', value {joined} WHERE {row}.{column} != ''")
    return " UNION ALL ".join(selects)


def _add(row):
    return (
        f"INSERT OR IGNORE INTO {VALUES} (structure_id, facet, value) {_facet_values(row)};\n"
        f"INSERT INTO {COUNTS} (facet, value, documents) SELECT facet, value, 1 FROM {VALUES} "
        f"WHERE structure_id = {row}.structure_id ON CONFLICT (facet, value) DO UPDATE SET documents = documents + 1;"
    )


def _remove(row):
    return (
        f"UPDATE {COUNTS} SET documents = documents - 1 WHERE (facet, value) IN "
        f"(SELECT facet, value FROM {VALUES} WHERE structure_id = {row}.structure_id);\n"
        f"DELETE FROM {VALUES} WHERE structure_id = {row}.structure_id;"
    )


CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        {NAMES},
        content='{DOCUMENTS}', content_rowid='structure_id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    )""",
    f"""CREATE TABLE {VALUES} (
        structure_id integer NOT NULL, facet text NOT NULL, value text NOT NULL,
        PRIMARY KEY (structure_id, facet, value)
    ) WITHOUT ROWID""",
    f"""CREATE TABLE {COUNTS} (
        facet text NOT NULL, value text NOT NULL, documents integer NOT NULL,
        PRIMARY KEY (facet, value)
    ) WITHOUT ROWID""",
    f"""CREATE INDEX search_document_listing ON {DOCUMENTS}
        (structure_id, name_sort, category, city, city_key, membership_slugs, skill_slugs, sector_slugs,
         latitude, longitude, joined)""",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS} (rowid, {NAMES}) VALUES (new.structure_id, {_row("new")});
        {_add("new")}
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, {NAMES}) VALUES ('delete', old.structure_id, {_row("old")});
        {_remove("old")}
    END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, {NAMES}) VALUES ('delete', old.structure_id, {_row("old")});
        {_remove("old")}
        INSERT INTO {FTS} (rowid, {NAMES}) VALUES (new.structure_id, {_row("new")});
        {_add("new")}
    END""",
    # Documents written before this migration.
    f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')",
    f"INSERT OR IGNORE INTO {VALUES} (structure_id, facet, value) {_facet_values('d', f'FROM {DOCUMENTS} d')}",
    f"INSERT INTO {COUNTS} (facet, value, documents) SELECT facet, value, count(*) FROM {VALUES} GROUP BY facet, value",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    "DROP INDEX IF EXISTS search_document_listing",
    f"DROP TABLE IF EXISTS {COUNTS}",
    f"DROP TABLE IF EXISTS {VALUES}",
    f"DROP TABLE IF EXISTS {FTS}",
]


def fts5_available(connection) -> bool:
    """FTS5 may be compiled in or loaded as an extension: only creating a table tells."""
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.search_fts5_probe USING fts5(word)")
        except OperationalError:  # « no such module: fts5 »
            return False
        cursor.execute("DROP TABLE temp.search_fts5_probe")
    return True


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    if not fts5_available(connection):
        logger.warning("SQLite without FTS5: the database search stays on the portable LIKE search.")
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_merge_outbox_and_page_move")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
