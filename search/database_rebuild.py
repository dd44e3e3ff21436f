"""A full rebuild of the database fallback's documents (``StructureSearchDocument``).

Every published structure's document is written again from its source
(``search.documents``), the documents of the others are dropped, and the words
and facets the searches read beside them (``search_vocabulary``,
``search_facet_counts`` on PostgreSQL) are counted once. Searches read the old
documents until the rebuild commits; other writers of documents (the worker)
wait for it.

PostgreSQL (``_rebuild_postgres``): the documents go into a fresh table made
like the live one but without its indexes and triggers, by ``COPY … FREEZE`` in
COPY's binary format (``binary_copy_data``: PostgreSQL then parses no
``tsvector``), each with its facet sets (``search_facet_sets``, found here
rather than by the row trigger); the words and facet keys are counted as the
documents are analysed. The indexes are then built once each (a bulk ``CREATE
INDEX`` costs a fraction of the inserts into the three GIN indexes it replaces),
the triggers and the foreign key added, the table analysed, and it takes the
live table's place and names in the same transaction. The table left is the one migrations made, object
for object (``table_definition`` is compared before and after). A table with
anything this copy does not carry over (a view on it, a foreign key to it, a
publication, column privileges…) is rebuilt in place instead
(``_rebuild_postgres_in_place``).
"""

import datetime
import gc
import json
import logging
import multiprocessing
import os
import re
import struct
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor

from django.db import connection, transaction
from django.utils import timezone

from directory.models import Structure

from .database import sqlite
from .documents import (
    CHUNK_SIZE,
    DOCUMENT_COLUMNS,
    TABLE,
    SourceBuilder,
    database_row,
    database_row_and_words,
    pg_rows,
    without_cycle_collection,
    write_database_documents,
)
from .models import StructureSearchDocument

logger = logging.getLogger(__name__)

# The fresh table and its indexes, under names no migration uses, until they take the live ones.
FRESH_TABLE = "search_document_rebuilt"
# Memory for one index build (the GIN of the vectors: 200,000 documents fit in it at once).
INDEX_MEMORY = "256MB"


def rebuild_database_documents(progress=None, chunk_size: int = CHUNK_SIZE, processes: int | None = None) -> int:
    """Every published structure's fallback row, streamed in chunks; rows of the others deleted.

    ``progress(n)`` is called after each chunk. ``processes``: how many processes
    analyse the documents on PostgreSQL (default: one per core; 1: this one).
    Returns the number of documents written.
    """
    if connection.vendor == "postgresql":
        return _rebuild_postgres(progress, chunk_size, os.cpu_count() if processes is None else processes)
    if connection.vendor == "sqlite" and sqlite.fts_ready():
        return _rebuild_sqlite(progress, chunk_size)
    count = 0
    for sources in SourceBuilder().chunks(chunk_size):
        count += write_database_documents(sources)
        if progress is not None:
            progress(len(sources))
    # Rows of structures unpublished or deleted since their row was written.
    StructureSearchDocument.objects.exclude(structure_id__in=Structure.objects.public().values("pk")).delete()
    return count


# ---------------------------------------------------------------------------------------------------- PostgreSQL
def table_definition(cursor, table: str = TABLE) -> dict:
    """What makes ``table`` what it is: columns, options, owner, privileges, indexes, constraints, triggers.

    Compared before and after a swap (and by the tests): the table a rebuild
    leaves must be the one migrations made, under the same names.
    """
    cursor.execute(
        """SELECT c.oid, c.relowner::regrole::text, c.reloptions, c.relacl::text[], t.reloptions,
                  obj_description(c.oid, 'pg_class'), quote_ident(n.nspname) || '.' || quote_ident(c.relname)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
           WHERE c.oid = to_regclass(%s)""",
        [table],
    )
    oid, owner, options, privileges, toast_options, comment, qualified = cursor.fetchone()
    cursor.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated,
                  pg_get_expr(d.adbin, d.adrelid), a.attstorage, a.attcompression, co.collname,
                  col_description(a.attrelid, a.attnum)
           FROM pg_attribute a
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           LEFT JOIN pg_collation co ON co.oid = a.attcollation
           WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        [oid],
    )
    columns = cursor.fetchall()
    cursor.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class')
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s ORDER BY c.relname""",
        [oid],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """SELECT conname, contype, pg_get_constraintdef(oid), conindid::regclass::text
           FROM pg_constraint WHERE conrelid = %s ORDER BY conname""",
        [oid],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s AND NOT tgisinternal ORDER BY tgname",
        [oid],
    )
    triggers = cursor.fetchall()
    return {
        "name": qualified,
        "owner": owner,
        "options": options,
        "privileges": privileges,
        "toast_options": toast_options,
        "comment": comment,
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
        "triggers": triggers,
    }


def _swap_blockers(cursor) -> list[str]:
    """What a fresh table would not carry over: a swap is done only when there is none."""
    cursor.execute("SELECT to_regclass(%s)::oid", [TABLE])
    oid = cursor.fetchone()[0]
    cursor.execute(
        """SELECT 'view or rule' FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
               WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = %(oid)s AND r.ev_class <> %(oid)s
           UNION ALL SELECT 'foreign key to it' FROM pg_constraint WHERE confrelid = %(oid)s
           UNION ALL SELECT 'publication' FROM pg_publication_rel WHERE prrelid = %(oid)s
           UNION ALL SELECT 'row security' FROM pg_class WHERE oid = %(oid)s AND (relrowsecurity OR relkind <> 'r'
               OR relreplident <> 'd' OR relpersistence <> 'p' OR relispartition OR relhassubclass)
           UNION ALL SELECT 'inheritance' FROM pg_inherits WHERE inhrelid = %(oid)s OR inhparent = %(oid)s
           UNION ALL SELECT 'sequence' FROM pg_depend WHERE refobjid = %(oid)s AND classid = 'pg_class'::regclass
               AND objid IN (SELECT oid FROM pg_class WHERE relkind = 'S')
           UNION ALL SELECT 'column options' FROM pg_attribute WHERE attrelid = %(oid)s AND attnum > 0
               AND NOT attisdropped AND (attacl IS NOT NULL OR attoptions IS NOT NULL OR attstattarget >= 0)
           UNION ALL SELECT 'disabled trigger' FROM pg_trigger WHERE tgrelid = %(oid)s AND NOT tgisinternal
               AND tgenabled <> 'O'
           UNION ALL SELECT 'constraint' FROM pg_constraint WHERE conrelid = %(oid)s
               AND (contype NOT IN ('p', 'f', 'c') OR NOT convalidated)
           UNION ALL SELECT 'owner' FROM pg_class WHERE oid = %(oid)s
               AND NOT pg_has_role(current_user, relowner, 'USAGE')""",
        {"oid": oid},
    )
    return [reason for (reason,) in cursor.fetchall()]


def _rebuild_postgres(progress, chunk_size: int, processes: int) -> int:
    """PostgreSQL: the documents written into a fresh table, indexed once, then swapped in; see the module."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Other writers wait from here (rows they wrote meanwhile would be lost to the stale source
        # of a later chunk); searches go on reading the live table.
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SET LOCAL lagrappe.search_bulk = 'on'")
        blockers = _swap_blockers(cursor)
        live = table_definition(cursor)
        # Texts in binary go as UTF-8, converted by the server from the connection's encoding (Django's: UTF8).
        encoders = binary_encoders(live["columns"]) if cursor.connection.info.encoding == "utf-8" else None
        if encoders is None:
            blockers.append("column types")
        if blockers:
            logger.warning("Documents de recherche reconstruits sur place (%s).", ", ".join(sorted(set(blockers))))
            return _rebuild_postgres_in_place(cursor, progress, chunk_size)
        # Columns with their defaults, generated expressions, storage, compression, CHECK constraints
        # and comments; no index, no trigger, no foreign key yet: each comes once the rows are in.
        cursor.execute(
            f"""CREATE TABLE {FRESH_TABLE} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE
                INCLUDING COMPRESSION INCLUDING CONSTRAINTS INCLUDING COMMENTS)"""
        )
        if live["options"]:
            cursor.execute(f"ALTER TABLE {FRESH_TABLE} SET ({', '.join(live['options'])})")
        if live["toast_options"]:
            cursor.execute(f"ALTER TABLE {FRESH_TABLE} SET ({', '.join('toast.' + o for o in live['toast_options'])})")
        count, left_to_database, vocabulary, facets = _load(cursor, progress, chunk_size, processes, encoders)
        for _, definition in live["triggers"]:
            cursor.execute(_on_fresh_table(definition, live["name"]))
        if left_to_database:
            # Rows whose vector only PostgreSQL computes exactly (``pg_vector_words`` gave none): the row
            # trigger of migration 0010 computes it for a write of the texts that leaves it out.
            cursor.execute(
                f"""UPDATE {FRESH_TABLE} SET search_text = search_text WHERE structure_id = ANY(%s)
                RETURNING tsvector_to_array(search_vector)""",
                [left_to_database],
            )
            for (words,) in cursor.fetchall():
                vocabulary.update(words)
        cursor.execute("SELECT current_setting('maintenance_work_mem')")
        memory = cursor.fetchone()[0]
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'")
        primary = {index: name for name, kind, _, index in live["constraints"] if kind == "p"}
        renamed = []
        for number, (name, definition, _) in enumerate(live["indexes"]):
            cursor.execute(_on_fresh_table(definition, live["name"], index=(name, f"{FRESH_TABLE}_{number}")))
            renamed.append((f"{FRESH_TABLE}_{number}", name))
        for name, kind, definition, _ in live["constraints"]:
            if kind == "f":
                cursor.execute(f"ALTER TABLE {FRESH_TABLE} ADD CONSTRAINT {_quoted(name)} {definition}")
        _analyse(cursor, [name for name, *_ in live["columns"]])
        # SET LOCAL holds until the outermost transaction ends: an enclosing one goes on as before.
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [memory])
        cursor.execute("SET LOCAL lagrappe.search_bulk = 'off'")
        _write_counts(cursor, "search_vocabulary", "word", vocabulary)
        _write_counts(cursor, "search_facet_counts", "key", facets)
        # The swap: searches wait from here until the commit, then read the new documents.
        # Rows an enclosing transaction wrote still have their foreign key checks to run (deferred):
        # they run now, for the table that is dropped; later writes get the new table's.
        deferrable = [
            (_quoted(name), "INITIALLY DEFERRED" in definition)
            for name, kind, definition, _ in live["constraints"]
            if kind == "f"
            and definition.endswith(("DEFERRABLE", "INITIALLY DEFERRED", "INITIALLY IMMEDIATE"))
            and "NOT DEFERRABLE" not in definition
        ]
        if deferrable:
            cursor.execute(f"SET CONSTRAINTS {', '.join(name for name, _ in deferrable)} IMMEDIATE")
        cursor.execute(f"DROP TABLE {TABLE}")
        if any(deferred for _, deferred in deferrable):
            cursor.execute(f"SET CONSTRAINTS {', '.join(name for name, deferred in deferrable if deferred)} DEFERRED")
        cursor.execute(f"ALTER TABLE {FRESH_TABLE} RENAME TO {TABLE}")
        for fresh, name in renamed:
            if name in primary:
                cursor.execute(
                    f"ALTER TABLE {TABLE} ADD CONSTRAINT {_quoted(primary[name])} PRIMARY KEY USING INDEX {fresh}"
                )
            else:
                cursor.execute(f"ALTER INDEX {fresh} RENAME TO {_quoted(name)}")
        for name, _, comment in live["indexes"]:
            if comment:
                cursor.execute(f"COMMENT ON INDEX {_quoted(name)} IS %s", [comment])
        cursor.execute(f"ALTER TABLE {TABLE} OWNER TO {live['owner']}")
        _grant(cursor, live["privileges"], live["owner"])
        if live["comment"]:
            cursor.execute(f"COMMENT ON TABLE {TABLE} IS %s", [live["comment"]])
        rebuilt = table_definition(cursor)
        if rebuilt != live:
            raise RuntimeError(f"La table reconstruite diffère de la table d’origine : {rebuilt} != {live}")
    return count


# Columns the searches read only through functions (``strpos``, ``unnest``): the planner takes nothing from their
# statistics but their width and distinct count, which a sample of 3,000 rows gives as well as one of 30,000.
# Sorting 30,000 of these long texts by their collation to make histograms nobody reads was ~40 % of ``ANALYZE``.
WIDTH_ONLY_COLUMNS = ("name_text", "summary_text", "skills_text", "search_text", "facet_keys")
WIDTH_ONLY_STATISTICS_TARGET = 10


def _analyse(cursor, columns: list[str]) -> None:
    """The fresh table's statistics (it has none): those of ``WIDTH_ONLY_COLUMNS`` from a smaller sample first,
    then every other column's with the default target, whose larger sample also sets the table's row count."""
    width_only = [column for column in columns if column in WIDTH_ONLY_COLUMNS]
    others = [column for column in columns if column not in WIDTH_ONLY_COLUMNS]
    if width_only:
        cursor.execute("SELECT current_setting('default_statistics_target')")
        target = cursor.fetchone()[0]
        cursor.execute(f"SET LOCAL default_statistics_target = {WIDTH_ONLY_STATISTICS_TARGET}")
        cursor.execute(f"ANALYZE {FRESH_TABLE} ({', '.join(map(_quoted, width_only))})")
        cursor.execute("SET LOCAL default_statistics_target = %s", [target])
    cursor.execute(f"ANALYZE {FRESH_TABLE} ({', '.join(map(_quoted, others))})")


def _load(cursor, progress, chunk_size: int, processes: int, encoders: list) -> tuple[int, list[int], Counter, Counter]:
    """COPY every published structure's document into the fresh table.

    Returns the number of documents, the ids of those whose vector is left to
    PostgreSQL, how many documents hold each word of the others' vectors, and
    how many hold each facet key.
    This process reads the sources (on the rebuild's connection, in its
    transaction) a chunk at a time; ``processes`` others analyse them into COPY
    data (``binary_copy_data``: the French analysis and the vectors, most of
    LaGrappe's cost, bound to one core per process by the GIL) while this one
    sends the chunks they finished, so PostgreSQL takes in one chunk as the next
    ones are analysed. A few chunks in flight at most: memory stays flat.
    """
    with without_cycle_collection():
        return _load_chunks(cursor, progress, chunk_size, processes, encoders)


def _load_chunks(cursor, progress, chunk_size: int, processes: int, encoders: list):
    columns = ", ".join((*SET_COLUMNS, *DOCUMENT_COLUMNS, "search_vector"))
    # FREEZE: the table was made in this transaction, so its rows are written visible to all
    # (no hint bits for the first searches to set, no freezing vacuum later).
    statement = f"COPY {FRESH_TABLE} ({columns}) FROM STDIN WITH (FREEZE, FORMAT binary)"
    indexed_at = timezone.now().isoformat()
    count, left, vocabulary, facets = 0, [], Counter(), Counter()
    cursor.execute("SELECT keys, skills, id FROM search_facet_sets")
    known_sets = {(tuple(keys), skills): set_id for keys, skills, set_id in cursor.fetchall()}

    def send(data: bytes, documents: int, vectors_left: list[int], words: Counter, keys: Counter, new_sets: list):
        nonlocal count
        if new_sets:
            data = _with_new_sets(cursor, data, new_sets, known_sets)
        with cursor.copy(statement) as copy:
            copy.write(data)
        count += documents
        left.extend(vectors_left)
        vocabulary.update(words)
        facets.update(keys)
        if progress is not None:
            progress(documents)

    chunks = SourceBuilder().chunks(chunk_size)
    if processes <= 1:
        for sources in chunks:
            send(*binary_copy_data(sources, indexed_at, encoders, known_sets))
        return count, left, vocabulary, facets
    # Forked: the analysis needs nothing but the code already loaded, and the sets known when it
    # starts (sent once, not with each chunk). The children never touch the database: the
    # connection they inherit is this transaction's.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_know_sets, initargs=(known_sets,)) as pool:
        waiting = deque()
        for sources in chunks:
            waiting.append(pool.submit(binary_copy_data, sources, indexed_at, encoders))
            if len(waiting) > 2 * processes:
                send(*waiting.popleft().result())
        while waiting:
            send(*waiting.popleft().result())
    return count, left, vocabulary, facets


# ---------------------------------------------------------------------------------------------- COPY's binary format
# PostgreSQL's own text input of a tsvector (parse, sort, merge each word's positions) was a quarter of its CPU
# in a rebuild (2.1 s of 19,176 documents, 0.2 s for the same vectors in binary): the documents go in binary,
# each column encoded for its type (``binary_encoders``), the vector's words sorted and merged here.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension
_BINARY_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"
_INT32 = struct.Struct(">i").pack
_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # PostgreSQL's dates and timestamps count from here
_EPOCH_ORDINAL = _EPOCH.toordinal()
_BIGINT, _FLOAT8, _DATE, _INT4, _FIELDS = (struct.Struct(fmt).pack for fmt in (">iq", ">id", ">ii", ">ii", ">h"))
# A tsvector position: the weight in the two high bits (A 3, B 2, C 1, D 0), the position below.
# Positions stop at 16,383; a lexeme holds at most 256 of them (``pg_vector_words`` keeps within both).
_POSITIONS = {w: [struct.pack(">H", (w << 14) | p) for p in range(16384)] for w in (3, 2, 1, 0)}
# A lexeme's number of positions, by their length in bytes (2 each).
_COUNTS = [struct.pack(">H", size // 2) for size in range(2 * 257)]


class _Lexemes(dict):
    """Each word as a tsvector lexeme (NUL-terminated), encoded once: the same words recur in every chunk."""

    def __missing__(self, word: str) -> bytes:
        encoded = self[word] = word.encode() + b"\x00"
        return encoded


_LEXEMES = _Lexemes()


def _bigint(value: int) -> bytes:
    return _BIGINT(8, value)


def _float8(value: float) -> bytes:
    return _FLOAT8(8, value)


def _text(value: str) -> bytes:
    encoded = value.encode()
    return _INT32(len(encoded)) + encoded


def _date(value) -> bytes:
    # The sources hold dates as ISO text (``SourceBuilder``).
    return _DATE(4, datetime.date.fromisoformat(value).toordinal() - _EPOCH_ORDINAL)


def _timestamp(value: str) -> bytes:
    delta = datetime.datetime.fromisoformat(value) - _EPOCH
    return _BIGINT(8, (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)


def binary_vector(columns: list[list[str]]) -> bytes:
    """The vector of these columns' words (``pg_vector_words``) in COPY's binary format, without its length."""
    return _binary_vector(_positions(columns))


def _positions(columns: list[list[str]]) -> dict[str, bytes]:
    """Each word of the columns with its positions (2 bytes each), as ``pg_vector`` gives them: the columns
    weighted A, B, C, D in turn, a word's positions rising.

    One pass over the words, a word's positions joined as bytes (no list per word): this loop and
    the sort of the words are most of a vector's cost."""
    skills, name, summary, search = columns
    a = 1 + len(skills)
    b = a + len(name)
    c = b + len(summary)
    positions = _POSITIONS[3][1:a] + _POSITIONS[2][a:b] + _POSITIONS[1][b:c] + _POSITIONS[0][c : c + len(search)]
    held = {}
    get = held.get
    for word, position in zip(skills + name + summary + search, positions, strict=True):
        held[word] = get(word, b"") + position
    return held


def _binary_vector(positions: dict[str, bytes]) -> bytes:
    # The lexemes in PostgreSQL's order: bytes, a prefix before the longer words. Each lexeme's three
    # parts (word, count, positions) are laid out by slice assignments rather than one append each.
    words = sorted(positions)
    held = list(map(positions.__getitem__, words))
    parts = [b""] * (3 * len(words))
    parts[0::3] = map(_LEXEMES.__getitem__, words)
    parts[1::3] = map(_COUNTS.__getitem__, map(len, held))
    parts[2::3] = held
    return _INT32(len(words)) + b"".join(parts)


# What each column's type is sent as (``format_type``); a column of any other type keeps the text format.
_TYPE_ENCODERS = {
    "bigint": _bigint,
    "text": _text,
    "character varying": _text,
    "double precision": _float8,
    "date": _date,
    "timestamp with time zone": _timestamp,
}


def binary_encoders(columns) -> list | None:
    """One encoder per column written (``DOCUMENT_COLUMNS``), from ``table_definition``'s columns; ``None`` if any
    column's type has none (the documents then go in COPY's text format)."""
    types = {name: re.sub(r"\(\d+\)$", "", kind) for name, kind, *_ in columns}
    if types.get("search_vector") != "tsvector" or any(types.get(column) != "integer" for column in SET_COLUMNS):
        return None
    encoders = [_TYPE_ENCODERS.get(types.get(column)) for column in DOCUMENT_COLUMNS]
    return None if None in encoders else encoders


# Written first in each row, so that a set found new can be given its id in place (``_with_new_sets``).
SET_COLUMNS = ("attribute_set", "skill_set")
_SET_FIELD = 8  # a set's field: its length (4), then the id
_UNKNOWN_SET = _INT4(4, 0)
_known_sets: dict = {}


def _know_sets(known: dict) -> None:
    """In an analysing process: the sets that existed when the rebuild began; no cycle collection
    (``without_cycle_collection``: the process only analyses chunks, then ends)."""
    global _known_sets
    _known_sets = known
    gc.disable()


def _set_keys(prefix: str, slugs: str) -> list[str]:
    # As ``facet_keys`` (migrations 0008, 0014): « |a|b| » -> [« p:a », « p:b »], nothing for « || ».
    return [prefix + slug for slug in slugs.strip("|").split("|") if slug]


# Where ``facet_sets`` finds what it reads in a row (``DOCUMENT_COLUMNS``): by position, not through a dict per row.
_CATEGORY, _CITY, _MEMBERSHIPS, _SECTORS, _SKILLS, _SKILLS_TEXT = map(
    DOCUMENT_COLUMNS.index, ("category", "city", "membership_slugs", "sector_slugs", "skill_slugs", "skills_text")
)


def facet_sets(row: tuple) -> tuple[tuple[tuple[str, ...], None], tuple[tuple[str, ...], str]]:
    """A document's two facet sets as ``search_document_facet_sets`` (migration 0014) gives them, from the values of
    ``DOCUMENT_COLUMNS``: (keys, NULL) of its category, memberships, sectors and city; (keys, words) of its skills."""
    city = row[_CITY]
    attribute = (
        "t:",
        "c:" + row[_CATEGORY],
        *_set_keys("m:", row[_MEMBERSHIPS]),
        *_set_keys("e:", row[_SECTORS]),
        *(("y:" + city,) if city else ()),
    )
    return (attribute, None), (tuple(_set_keys("s:", row[_SKILLS])), row[_SKILLS_TEXT])


def binary_copy_data(
    sources: list[dict], indexed_at: str, encoders: list, known_sets: dict | None = None
) -> tuple[bytes, int, list[int], Counter, Counter, list]:
    """These sources' documents in COPY's binary format.

    Returns the data, the number of documents, the ids of those whose vector
    is left to PostgreSQL (``pg_vector_words``: ``None``; written NULL), how
    many of the others hold each word and how many documents hold each facet
    key (``search_vocabulary``, ``search_facet_counts``: counted here rather than
    by unnesting every document again at the end), and the facet sets
    not in ``known_sets`` (default: those known when the analysing process
    started), with where their id goes in the data (``_with_new_sets``).
    """
    known = _known_sets if known_sets is None else known_sets
    fields = _FIELDS(len(SET_COLUMNS) + len(DOCUMENT_COLUMNS) + 1)
    indexed = encoders[-1](indexed_at)  # the same for every row
    parts, left, vocabulary, facets, new_sets = [_BINARY_HEADER], [], Counter(), Counter(), []
    size = len(_BINARY_HEADER)
    for source in sources:
        row, columns = database_row_and_words(source, indexed_at)
        start = len(parts)
        parts.append(fields)
        for number, facet_set in enumerate(facet_sets(row)):
            facets.update(facet_set[0])  # a document's facet keys are its two sets' keys
            set_id = known.get(facet_set)
            if set_id is None:
                new_sets.append((size + len(fields) + number * _SET_FIELD, facet_set))
                parts.append(_UNKNOWN_SET)
            else:
                parts.append(_INT4(4, set_id))
        parts += [_NULL if value is None else encode(value) for encode, value in zip(encoders[:-1], row, strict=False)]
        parts.append(indexed)
        if columns is None:
            parts.append(_NULL)
            left.append(row[0])
        else:
            positions = _positions(columns)
            vector = _binary_vector(positions)
            parts.append(_INT32(len(vector)))
            parts.append(vector)
            vocabulary.update(positions.keys())
        # Every row counts: a set first met after rows of known sets goes into its own row's field.
        size += sum(map(len, parts[start:]))
    parts.append(_BINARY_TRAILER)
    return b"".join(parts), len(sources), left, vocabulary, facets, new_sets


def _with_new_sets(cursor, data: bytes, new_sets: list, known_sets: dict) -> bytearray:
    """The data with the ids of the sets its analysis did not know, found or added (``search_facet_set``)."""
    missing = list({facet_set for _, facet_set in new_sets if facet_set not in known_sets})
    if missing:
        cursor.execute(
            """SELECT search_facet_set(ARRAY(SELECT jsonb_array_elements_text(s -> 0)), s ->> 1)
               FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS sets (s, n) ORDER BY n""",
            [json.dumps(missing)],
        )
        known_sets.update(zip(missing, (set_id for (set_id,) in cursor.fetchall()), strict=True))
    patched = bytearray(data)
    for offset, facet_set in new_sets:
        patched[offset : offset + _SET_FIELD] = _INT4(4, known_sets[facet_set])
    return patched


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _on_fresh_table(definition: str, qualified: str, index: tuple[str, str] | None = None) -> str:
    """A trigger's or an index's ``CREATE`` statement made for the fresh table (an index under another name)."""
    if index is None:
        pattern, replacement = (
            rf"^(CREATE (?:CONSTRAINT )?TRIGGER \S+ .*?) ON {re.escape(qualified)} ",
            rf"\1 ON {FRESH_TABLE} ",
        )
    else:
        name, fresh = index
        names = "|".join(re.escape(n) for n in {name, _quoted(name)})
        pattern = rf"^(CREATE (?:UNIQUE )?INDEX) (?:{names}) ON (ONLY )?{re.escape(qualified)} "
        replacement = rf"\1 {fresh} ON \2{FRESH_TABLE} "
    made, found = re.subn(pattern, replacement, definition, count=1)
    if not found:
        raise RuntimeError(f"Définition inattendue : {definition}")
    return made


def _grant(cursor, privileges, owner: str) -> None:
    """The live table's privileges given to others, given again on the table that replaces it."""
    if not privileges:
        return
    cursor.execute(
        """SELECT CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE grantee::regrole::text END, privilege_type, is_grantable
           FROM aclexplode(%s::aclitem[]) WHERE grantee <> %s::regrole""",
        [privileges, owner],
    )
    for grantee, privilege, grantable in cursor.fetchall():
        cursor.execute(f"GRANT {privilege} ON {TABLE} TO {grantee}{' WITH GRANT OPTION' if grantable else ''}")


def _count_words_and_facets(cursor, table: str) -> None:
    """``search_vocabulary`` and ``search_facet_counts`` of these documents, counted once."""
    cursor.execute("DELETE FROM search_vocabulary")
    cursor.execute(
        f"""INSERT INTO search_vocabulary (word, documents)
        SELECT word, count(*) FROM {table}, unnest(tsvector_to_array(search_vector)) AS word GROUP BY word"""
    )
    cursor.execute("DELETE FROM search_facet_counts")
    cursor.execute(
        f"""INSERT INTO search_facet_counts (key, documents)
        SELECT key, count(*) FROM {table}, unnest(facet_keys) AS key GROUP BY key"""
    )


def _write_counts(cursor, table: str, column: str, counts: Counter) -> None:
    """``search_vocabulary`` or ``search_facet_counts`` as counted while the documents were analysed."""
    cursor.execute(f"DELETE FROM {table}")
    with cursor.copy(f"COPY {table} ({column}, documents) FROM STDIN") as copy:
        for row in counts.items():
            copy.write_row(row)


def _rebuild_postgres_in_place(cursor, progress, chunk_size: int) -> int:
    """Every document deleted and written again by COPY into the live table; counts once at the end.

    The statement triggers are told to skip (``lagrappe.search_bulk``, migration 0010):
    deleting then adding every document row by row would cost more than one count of all of them.
    """
    cursor.execute(f"DELETE FROM {TABLE}")
    columns = ", ".join((*DOCUMENT_COLUMNS, "search_vector"))
    count = 0
    for sources in SourceBuilder().chunks(chunk_size):
        with cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
            for row in pg_rows(sources):
                copy.write_row(row)
        count += len(sources)
        if progress is not None:
            progress(len(sources))
    cursor.execute("SET LOCAL lagrappe.search_bulk = 'off'")
    _count_words_and_facets(cursor, TABLE)
    return count


# ---------------------------------------------------------------------------------------------------- SQLite
def _rebuild_sqlite(progress, chunk_size: int) -> int:
    """SQLite: the documents written without their triggers, the FTS5 index and the facet values made in one go.

    Row by row, the triggers of migrations 0006/0007 index each document's words
    in FTS5 and upsert each of its facet values. Here, in one transaction: those
    triggers are set aside, every document is deleted and written again, the
    FTS5 index is rebuilt from them at once (``'rebuild'``), the facet values and
    their counts are computed here as the triggers would (one value id per
    facet value, the documents holding it), and the triggers are put back as
    they were. Searches read the old documents until the commit.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    placeholders = ", ".join(["%s"] * len(DOCUMENT_COLUMNS))
    insert = f"INSERT INTO {TABLE} ({', '.join(DOCUMENT_COLUMNS)}) VALUES ({placeholders})"
    value_ids, holders = {}, Counter()
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # Only the triggers of the FTS5 index and the facet values (0006/0007): those of any other
        # table kept beside the documents go on, row by row.
        names = [f"{sqlite.FTS}_insert", f"{sqlite.FTS}_delete", f"{sqlite.FTS}_update"]
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN (%s, %s, %s)",
            [TABLE, *names],
        )
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f"DROP TRIGGER {_quoted(name)}")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {sqlite.FTS} ({sqlite.FTS}) VALUES ('delete-all')")
        cursor.execute(f"DELETE FROM {sqlite.VALUES}")
        cursor.execute(f"DELETE FROM {sqlite.COUNTS}")
        for sources in SourceBuilder().chunks(chunk_size):
            rows = [database_row(source, now) for source in sources]
            cursor.executemany(insert, rows)
            values = []
            for row in rows:
                for facet_value in _facet_values(dict(zip(DOCUMENT_COLUMNS, row, strict=True))):
                    value_id = value_ids.setdefault(facet_value, len(value_ids) + 1)
                    holders[value_id] += 1
                    values.append((row[0], facet_value[0], value_id))
            cursor.executemany(
                f"INSERT INTO {sqlite.VALUES} (structure_id, facet, value_id) VALUES (%s, %s, %s)", values
            )
            count += len(sources)
            if progress is not None:
                progress(len(sources))
        cursor.executemany(
            f"INSERT INTO {sqlite.COUNTS} (id, facet, value, documents) VALUES (%s, %s, %s, %s)",
            [(value_id, facet, value, holders[value_id]) for (facet, value), value_id in value_ids.items()],
        )
        cursor.execute(f"INSERT INTO {sqlite.FTS} ({sqlite.FTS}) VALUES ('rebuild')")
        for _, statement in triggers:
            cursor.execute(statement)
    return count


def _facet_values(document: dict) -> list[tuple[str, str]]:
    """A document's (facet, value) pairs, each once, as the SQLite triggers list them (migration 0007)."""
    values = {("categories", document["category"])}
    if document["city"]:
        values.add(("cities", document["city"]))
    for facet, column in sqlite.SLUG_COLUMNS.items():
        if document[column]:
            values.update((facet, slug) for slug in document[column][1:-1].split("|"))
    return sorted(values)
