"""A full rebuild of the database documents (``search.database_rebuild``).

On PostgreSQL the documents are loaded into a fresh table that then takes the
live one's place: the table left must be the one migrations made, and searches
from other connections go on answering from the old documents until the rebuild
commits. The documents themselves are compared with the worker's in
``test_sync_documents.py``.
"""

import importlib
import threading

import pytest
from django.db import connection, connections, transaction
from django.forms.models import model_to_dict

from directory.models import Structure
from search.database_rebuild import (
    _UNKNOWN_SET,
    SET_COLUMNS,
    WIDTH_ONLY_COLUMNS,
    _with_new_sets,
    binary_copy_data,
    binary_encoders,
    binary_vector,
    facet_sets,
    rebuild_database_documents,
    table_definition,
)
from search.documents import (
    DOCUMENT_COLUMNS,
    SourceBuilder,
    database_row,
    database_row_and_words,
    pg_vector_words,
    refresh_database_documents,
)
from search.models import StructureSearchDocument
from search.service import search_structures
from search.types import SearchQuery

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the table swap of a PostgreSQL rebuild: run with DATABASE_URL=postgres://…",
)
TABLE = StructureSearchDocument._meta.db_table
# The SQL that gives a document its facet sets, as the migration wrote it.
FACET_SETS = importlib.import_module("search.migrations.0014_postgres_facet_sets")


def table_oid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)::oid", [TABLE])
        return cursor.fetchone()[0]


def documents() -> dict:
    return {d.structure_id: model_to_dict(d, exclude=["indexed_at"]) for d in StructureSearchDocument.objects.all()}


@postgres_only
def test_the_rebuilt_table_is_the_one_migrations_made(directory):
    with connection.cursor() as cursor:
        migrated = table_definition(cursor)
    before, oid = documents(), table_oid()
    with transaction.atomic():
        assert rebuild_database_documents(chunk_size=5) == Structure.objects.public().count()
        assert table_oid() != oid  # a fresh table took the live one's place
        with connection.cursor() as cursor:
            rebuilt = table_definition(cursor)
        # Every column, option, owner, privilege, index, constraint and trigger, by name and definition.
        assert rebuilt == migrated
        assert [name for name, *_ in rebuilt["indexes"]] == sorted(
            [
                "search_document_facet_keys",
                "search_document_name_order",
                "search_document_newest_order",
                "search_document_position",
                "search_document_vector",
                "search_structuresearchdocument_latitude_2bd303c7",
                "search_structuresearchdocument_name_sort_f2528cdb",
                "search_structuresearchdocument_name_sort_f2528cdb_like",
                "search_structuresearchdocument_pkey",
            ]
        )
        assert documents() == before
        # The triggers work on the new table: a writer that leaves the vector out gets it, and the counts follow.
        pk = next(iter(before))
        StructureSearchDocument.objects.filter(structure_id=pk).update(name_text=" zorglub ", search_text=" zorglub ")
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT search_vector = setweight(to_tsvector('lagrappe_fr', skills_text), 'A')
                    || setweight(to_tsvector('lagrappe_fr', name_text), 'B')
                    || setweight(to_tsvector('lagrappe_fr', summary_text), 'C')
                    || setweight(to_tsvector('lagrappe_fr', search_text), 'D'), search_vector @@ 'zorglub'::tsquery
                    FROM {TABLE} WHERE structure_id = %s""",
                [pk],
            )
            assert cursor.fetchone() == (True, True)
            cursor.execute("SELECT documents FROM search_vocabulary WHERE word = 'zorglub'")
            assert cursor.fetchone() == (1,)
        transaction.set_rollback(True)


@postgres_only
def test_the_rebuilt_table_has_the_statistics_the_planner_reads(directory):
    """The fresh table is analysed before it is swapped in: every column has statistics, the row count is the
    table's, the vector's words are counted (the estimates of ``@@``); the texts read only through functions
    (``WIDTH_ONLY_COLUMNS``) come from a smaller sample, and the session's target is left as it was."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL default_statistics_target = 100")
        assert rebuild_database_documents(chunk_size=50) == Structure.objects.public().count()
        cursor.execute("SELECT current_setting('default_statistics_target')")
        assert cursor.fetchone() == ("100",)
        cursor.execute(
            """SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped""",
            [TABLE],
        )
        columns = {name for (name,) in cursor.fetchall()}
        assert set(WIDTH_ONLY_COLUMNS) < columns
        cursor.execute(
            """SELECT attname, avg_width > 0, most_common_elems IS NOT NULL
               FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s""",
            [TABLE],
        )
        stats = {name: (width, elements) for name, width, elements in cursor.fetchall()}
        assert set(stats) == columns
        assert {column for column, (width, _) in stats.items() if width} == columns
        assert stats["search_vector"][1] is True
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        assert cursor.fetchone() == (Structure.objects.public().count(),)
        transaction.set_rollback(True)


@postgres_only
def test_a_table_with_something_the_swap_would_lose_is_rebuilt_in_place(directory):
    before, oid = documents(), table_oid()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE VIEW search_rebuild_test_view AS SELECT structure_id FROM {TABLE}")
        assert rebuild_database_documents(chunk_size=5) == Structure.objects.public().count()
        assert table_oid() == oid
        assert documents() == before
        transaction.set_rollback(True)


@postgres_only
def test_searches_from_other_connections_read_the_old_documents_until_the_rebuild_commits(directory, settings):
    """The rebuild runs in this test's transaction; another thread (its own connection) searches meanwhile."""
    settings.ELASTICSEARCH_URL = None
    structure = Structure.objects.public().order_by("pk").first()
    seen = []

    def search(text: str) -> list[int]:
        return [hit.structure.pk for hit in search_structures(SearchQuery(text=text)).hits]

    def from_another_connection():
        try:
            seen.append((search("zorglub"), structure.pk in search(structure.name)))
        finally:
            connections.close_all()

    def progress(count):
        if not seen:  # once, while the documents are being loaded
            other = threading.Thread(target=from_another_connection)
            other.start()
            other.join(timeout=60)
            assert not other.is_alive(), "a search waited for the rebuild"

    with transaction.atomic():
        Structure.objects.filter(pk=structure.pk).update(name="Zorglub")
        assert rebuild_database_documents(progress=progress, chunk_size=2) == Structure.objects.public().count()
        # Answered at once, from the old documents: the new name is not found, the old one is.
        assert seen == [([], True)]
        # This transaction reads the new documents.
        assert search("zorglub") == [structure.pk]
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("changes", "left_to_postgresql"),
    [
        ({}, False),
        ({"name": "Atelier 3D", "summary": "Impression 1e5x", "description": "v2 e12 abc123 2024 007"}, True),
        ({"description": "a" * 2100}, True),  # a word too long for PostgreSQL to index
        ({"description": "mot " * 300}, True),  # a word's positions beyond 255
        ({"description": "a b " * 9000}, True),  # positions beyond 16,383
        ({"name": "", "summary": "", "description": "", "city": ""}, False),
        (
            {"name": "L’Atelier d’Ascq", "description": "Éco-construction, zéro déchet : l'atelier « Repair Café »."},
            False,
        ),
    ],
    ids=["seeded", "digits", "long-word", "many-positions", "long", "empty", "elisions"],
)
def test_the_vector_words_taken_from_the_terms_are_those_of_the_texts(directory, changes, left_to_postgresql):
    """A rebuild takes each vector's words from the terms its texts were joined from (``database_row_and_words``),
    not from the texts split again: the same words, and the same ``None`` where PostgreSQL computes the vector."""
    sources = [{**source, **changes} for chunk in SourceBuilder().chunks(1000) for source in chunk]
    assert len(sources) == Structure.objects.public().count()
    for source in sources:
        row, words = database_row_and_words(source, None)
        assert row == database_row(source, None)
        assert words == pg_vector_words(row[3], row[2], row[4], row[5])
        assert (words is None) == left_to_postgresql


@postgres_only
@pytest.mark.parametrize(
    "texts",
    [
        (" a ", " b ", " ", " a b a "),
        (" ", " ", " ", " "),
        (" 2024 007 v2 e12 abc123 ", " x ", " y y y ", " z "),
        (" ab a abc b ", " aa ", " ", " a ab "),  # a prefix before the longer word, in bytes' order
        # 251 positions of « mot » beside 300 other words: under the limit.
        (" " + "mot " * 250, " mot ", " ", " " + " ".join(f"w{i}" for i in range(300)) + " "),
    ],
    ids=["repeated", "empty", "numbers", "prefixes", "many-positions"],
)
def test_the_binary_copy_writes_the_vector_and_columns_postgresql_would(directory, texts):
    """The documents go to PostgreSQL in COPY's binary format: each column as its text form would give it."""
    [source] = SourceBuilder().build([Structure.objects.public().order_by("pk").values_list("pk", flat=True)[0]])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE binary_copy (LIKE {TABLE} INCLUDING GENERATED)")
        encoders = binary_encoders(table_definition(cursor)["columns"])
        assert encoders is not None
        cursor.execute("DELETE FROM search_facet_sets")  # both of the document's sets are new
        data, documents, left, words, facets, new_sets = binary_copy_data(
            [source], "2026-12-06T10:20:30.123456+01:00", encoders, known_sets={}
        )
        assert (documents, left, len(new_sets)) == (1, [], 2)
        data = _with_new_sets(cursor, data, new_sets, {})
        columns = ", ".join((*SET_COLUMNS, *DOCUMENT_COLUMNS, "search_vector"))
        with cursor.copy(f"COPY binary_copy ({columns}) FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(data)
        # Written anew (the writer leaves an unchanged document's sets as they were, and these were deleted).
        StructureSearchDocument.objects.filter(pk=source["id"]).delete()
        refresh_database_documents([source["id"]])
        # Every column as the worker's writer (COPY's text format) leaves it.
        cursor.execute(
            f"""SELECT {", ".join(f"b.{c} IS NOT DISTINCT FROM d.{c}" for c in (*SET_COLUMNS, *DOCUMENT_COLUMNS[:-1]))},
                b.search_vector = d.search_vector, b.facet_keys = d.facet_keys,
                b.indexed_at = '2026-12-06T09:20:30.123456Z'
                FROM binary_copy b JOIN {TABLE} d USING (structure_id)"""
        )
        assert set(cursor.fetchone()) == {True}
        cursor.execute("SELECT tsvector_to_array(search_vector) FROM binary_copy")
        assert words == dict.fromkeys(cursor.fetchone()[0], 1)  # the document's words, for the vocabulary
        cursor.execute("SELECT facet_keys FROM binary_copy")
        assert facets == dict.fromkeys(cursor.fetchone()[0], 1)  # and its facet keys, for their counts
        # The vector of texts with repeated words, prefixes and many positions: PostgreSQL's own.
        cursor.execute("CREATE TEMPORARY TABLE binary_vector (search_vector tsvector)")
        with cursor.copy("COPY binary_vector FROM STDIN WITH (FORMAT binary)") as copy:
            # COPY's binary format by hand: its signature, one row of one field, the end.
            vector = binary_vector(pg_vector_words(*texts))
            header, row = b"PGCOPY\n\xff\r\n\x00" + bytes(8), b"\x00\x01" + len(vector).to_bytes(4, "big") + vector
            copy.write(header + row + b"\xff\xff")
        cursor.execute(
            "SELECT search_vector = (setweight(to_tsvector('lagrappe_fr', %s), 'A')"
            " || setweight(to_tsvector('lagrappe_fr', %s), 'B') || setweight(to_tsvector('lagrappe_fr', %s), 'C')"
            " || setweight(to_tsvector('lagrappe_fr', %s), 'D')) FROM binary_vector",
            texts,
        )
        assert cursor.fetchone() == (True,)
        transaction.set_rollback(True)


@postgres_only
@pytest.mark.parametrize("processes", [1, 2], ids=["this-process", "forked"])
def test_every_rebuilt_vector_and_count_is_the_one_postgresql_computes(directory, processes):
    """The vectors built in Python (``binary_vector``) for every document, and the words and facet keys counted
    while analysing, are what PostgreSQL's own trigger and a count of the table give."""
    with transaction.atomic(), connection.cursor() as cursor:
        assert rebuild_database_documents(chunk_size=4, processes=processes) == Structure.objects.public().count()
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE search_vector
                    = setweight(to_tsvector('lagrappe_fr', skills_text), 'A')
                    || setweight(to_tsvector('lagrappe_fr', name_text), 'B')
                    || setweight(to_tsvector('lagrappe_fr', summary_text), 'C')
                    || setweight(to_tsvector('lagrappe_fr', search_text), 'D'))
                FROM {TABLE}"""
        )
        total, same = cursor.fetchone()
        assert total == same == Structure.objects.public().count()
        for table, column, recount in (
            ("search_vocabulary", "word", "unnest(tsvector_to_array(search_vector))"),
            ("search_facet_counts", "key", "unnest(facet_keys)"),
        ):
            cursor.execute(f"SELECT {column}, documents FROM {table} ORDER BY {column}")
            counted = cursor.fetchall()
            cursor.execute(f"SELECT v, count(*) FROM {TABLE}, {recount} AS v GROUP BY v ORDER BY v")
            assert counted == cursor.fetchall()
            assert len(counted) > 10
        transaction.set_rollback(True)


@postgres_only
def test_a_set_first_met_after_known_ones_gets_its_id_in_its_own_row(directory):
    """A new set's place in the data counts every row before it, those of known sets too (it once did not:
    the id of a set first met in a later row went into the first row's field, and COPY failed or read wrong)."""
    indexed_at = "2026-12-06T10:20:30+01:00"
    sources = SourceBuilder().build(list(Structure.objects.public().order_by("pk").values_list("pk", flat=True)))
    first, second = sources[:2]
    known = {
        s: 1000 + n
        for n, s in enumerate(
            facet_sets(database_row(first, indexed_at)) + facet_sets(database_row(second, indexed_at))
        )
    }
    third = next(s for s in sources[2:] if not set(facet_sets(database_row(s, indexed_at))) & set(known))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE binary_copy (LIKE {TABLE} INCLUDING GENERATED)")
        encoders = binary_encoders(table_definition(cursor)["columns"])
        data, documents, _, _, _, new_sets = binary_copy_data([first, second, third], indexed_at, encoders, dict(known))
        assert documents == 3 and len(new_sets) == 2
        assert all(data[offset : offset + len(_UNKNOWN_SET)] == _UNKNOWN_SET for offset, _ in new_sets)
        found = dict(known)
        data = _with_new_sets(cursor, data, new_sets, found)
        columns = ", ".join((*SET_COLUMNS, *DOCUMENT_COLUMNS, "search_vector"))
        with cursor.copy(f"COPY binary_copy ({columns}) FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(data)
        cursor.execute("SELECT structure_id, attribute_set, skill_set FROM binary_copy ORDER BY structure_id")
        expected = [
            (source["id"], *(found[s] for s in facet_sets(database_row(source, indexed_at))))
            for source in sorted((first, second, third), key=lambda s: s["id"])
        ]
        assert cursor.fetchall() == expected
        transaction.set_rollback(True)


@postgres_only
def test_each_document_gets_the_facet_sets_the_trigger_would_give_it(directory):
    """The rebuild finds the sets itself (the row trigger is off while it loads): known ones and new ones."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_facet_sets WHERE id % 2 = 0")  # half of them to be made again
        cursor.execute("SELECT count(*) FROM search_facet_sets")
        kept = cursor.fetchone()[0]
        rebuild_database_documents(chunk_size=3)
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE a.keys = {FACET_SETS.attribute_keys("d.")} AND a.skills IS NULL
                AND s.keys = {FACET_SETS.skill_keys("d.")} AND s.skills = d.skills_text)
                FROM {TABLE} d JOIN search_facet_sets a ON a.id = d.attribute_set
                JOIN search_facet_sets s ON s.id = d.skill_set"""
        )
        total, same = cursor.fetchone()
        assert total == same == Structure.objects.public().count()
        cursor.execute("SELECT count(*), count(DISTINCT (keys, skills)) FROM search_facet_sets")
        sets, distinct = cursor.fetchone()
        assert sets == distinct > kept  # the missing ones made again, each once
        transaction.set_rollback(True)


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 tables of an SQLite rebuild: run without DATABASE_URL"
)


def sqlite_search_tables() -> tuple[list, list, list]:
    """The facet counts, each document's facet values (named) and the FTS5 index's own check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT facet, value, documents FROM search_document_count WHERE documents > 0 ORDER BY 1, 2")
        counts = cursor.fetchall()
        cursor.execute(
            """SELECT v.structure_id, v.facet, c.value FROM search_document_value v
               JOIN search_document_count c ON c.id = v.value_id ORDER BY 1, 2, 3"""
        )
        values = cursor.fetchall()
        # Kept by triggers the rebuild leaves on (migration 0013): each document's combinations of values.
        cursor.execute(
            """SELECT s.structure_id, a.key, b.key FROM search_document_signatures s
               JOIN search_document_signature a ON a.id = s.a JOIN search_document_signature b ON b.id = s.b
               ORDER BY 1"""
        )
        values += cursor.fetchall()
        # Raises if the index does not hold exactly the words of the documents' columns.
        cursor.execute("INSERT INTO search_document_fts (search_document_fts) VALUES ('integrity-check')")
        cursor.execute("SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH 'name_text : zorglub'")
        return counts, values, cursor.fetchall()


@sqlite_only
def test_the_sqlite_rebuild_leaves_the_index_and_facets_the_triggers_would(directory):
    structure = Structure.objects.public().order_by("pk").first()
    with transaction.atomic():
        # Written by the triggers, row by row, as the worker writes.
        Structure.objects.filter(pk=structure.pk).update(name="Zorglub")
        refresh_database_documents([structure.pk])
        before, by_triggers = documents(), sqlite_search_tables()
        assert by_triggers[2] == [(structure.pk,)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = %s ORDER BY name", [TABLE])
            schema = cursor.fetchall()
        assert rebuild_database_documents(chunk_size=5) == Structure.objects.public().count()
        assert documents() == before
        assert sqlite_search_tables() == by_triggers
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = %s ORDER BY name", [TABLE])
            assert cursor.fetchall() == schema  # the triggers are back, as they were
        # And they work: a document written after the rebuild is indexed and counted.
        Structure.objects.filter(pk=structure.pk).update(name="Zorglub Bis")
        refresh_database_documents([structure.pk])
        assert sqlite_search_tables()[2] == [(structure.pk,)]
        transaction.set_rollback(True)
