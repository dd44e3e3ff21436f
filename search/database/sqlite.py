"""The database search on SQLite: FTS5 full text, facets, sorting and paging in one SQL statement.

Same contract as ``portable`` (``tests/search``), with SQLite's own machinery
(migration ``search.0006_sqlite_document_fts5``), as Wagtail's database search
uses FTS5 on SQLite:

- matching: an FTS5 index over the words ``search.text`` analysed. Every query
  word must start a word of the document, by its stem or as typed (an FTS5
  prefix query ``"stem"* OR "word"*``), as ``portable`` matches with LIKE;
- ranking: ``portable``'s per-word bonuses (city word, skill before name,
  exact before prefix, the words following each other), each read from the FTS5
  index with a column filter, then the name. ``bm25()`` was tried as the
  tie-break, with column weights: it lowered the development set's NDCG@10
  (0.929 -> 0.925 and 0.923 for two sets of weights, ``bench/relevance.py``) and
  cost ~80 ms on a word matching 16,000 documents, so it is left out. Words
  alone, by relevance, score only the strong matches (a word in the city, a
  skill, the name or the summary: ``strong_expression``) when they fill the page
  above any other match's best score, as a broad word's page always does
  (``_ranked``);
- facets: disjunctive (a document counts in facet F when it passes every filter
  but F's own), counted by SQL over ``search_document_value`` (value ids, named
  by ``search_document_count``); a facet no other
  criterion narrows (the blank listing, a facet's own filter) is read from the
  counts the triggers keep (``search_document_count``); when most documents
  match words alone, those counts less the documents that do not match, found
  by merging two lists of ids in order (``_plain_facets``); without filters, the
  documents' combinations of values are listed in one text and counted in Python
  (``_signature_counts``, ``_combinations``);
- total, sorting, distance (bounding box then the exact circle), LIMIT/OFFSET: SQL; by score or distance, only the page's
  candidates are joined to their name (``_matched_page``). Python only reads the
  page's ids, the facet counts and the combinations' ids.
- a position alone by distance reads its box from the narrow places of migration
  0020 and tests the circle by squared chords, the haversine only within rounding
  of the radius (``_placed``).

Without the FTS5 table (an SQLite built without FTS5: the migration then
created nothing), ``portable`` answers and the reason is logged once.
"""

import functools
import json
import logging
import math
import threading
from collections import Counter

from django.db import connection

from ..base import (
    EARTH_RADIUS_KM,
    bounding_box,
    build_facets,
    database_hits,
    matching_skill_suggestions,
    merge_suggestions,
)
from ..text import MIN_PREFIX_LENGTH, fold, only_stop_words, query_words
from ..types import FACET_NAMES, SearchQuery, SearchResult, Suggestion
from . import portable
from .sql import NamedParams

logger = logging.getLogger(__name__)

DOCUMENTS = "search_structuresearchdocument"
FTS = "search_document_fts"
VALUES = "search_document_value"
COUNTS = "search_document_count"
LISTING_INDEX = "search_document_listing"
HOLDERS_INDEX = "search_document_value_holders"
SIGNATURE = "search_document_signature"
SIGNATURES = "search_document_signatures"
SIGNATURE_TRIGGERS = (f"{SIGNATURES}_insert", f"{SIGNATURES}_delete", f"{SIGNATURES}_update")
PLACES = "search_document_places"
PLACES_INDEX = "search_document_places_box"
PLACE_TRIGGERS = (f"{PLACES}_insert", f"{PLACES}_delete", f"{PLACES}_update")
VERSION = "search_document_signature_version"
VERSION_TRIGGERS = (f"{VERSION}_insert", f"{VERSION}_update", f"{VERSION}_delete")
# By distance, the page is looked for within these parts of the radius first (``_placed``).
NEAR_FRACTIONS = (1 / 32, 1 / 4)
# Between the parts of a combination's key (migration 0013), the city last: no slug or category holds it.
SEPARATOR = "\x1f"
# Facet -> the SQL condition of its filter on a row of ``matched`` (filled in per query).
SLUG_COLUMNS = {"memberships": "membership_slugs", "skills": "skill_slugs", "sectors": "sector_slugs"}
ORDER_BY = {
    "relevance": "score DESC, name_sort, id",
    "name": "name_sort, id",
    "newest": "joined IS NULL, joined DESC, name_sort, id",
    "distance": "distance, name_sort, id",
}

_ready: set[str] = set()  # databases where the FTS5 table was found (once there, it stays)
_reported: set[str] = set()  # databases where its absence was logged


def _required() -> tuple[str, ...]:
    """What the migrations create; without the triggers, the index and the counts would go stale."""
    return (
        FTS, VALUES, COUNTS, LISTING_INDEX, HOLDERS_INDEX, SIGNATURE, SIGNATURES,
        f"{FTS}_insert", f"{FTS}_delete", f"{FTS}_update", *SIGNATURE_TRIGGERS, PLACES, PLACES_INDEX,
        *PLACE_TRIGGERS, VERSION, *VERSION_TRIGGERS,
    )  # fmt: skip


def fts_ready() -> bool:
    """True when the FTS5 table, the facet tables, the listing index and their triggers exist.

    Found once, they are not looked for again; missing, they are looked for on
    each search (a migration may create them meanwhile) and the reason is logged
    once. A table remade by a later migration (Django rebuilds an SQLite table to
    alter a column) loses its triggers: ``portable`` then answers, right if slower.
    """
    name = str(connection.settings_dict["NAME"])
    if name in _ready:
        return True
    required = _required()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({', '.join(['%s'] * len(required))})", list(required)
        )
        missing = sorted(set(required) - {found for (found,) in cursor.fetchall()})
    if not missing:
        _ready.add(name)
    elif name not in _reported:
        _reported.add(name)
        logger.warning(
            "SQLite database search without %s (SQLite built without FTS5, migrations search.0006/0007/0009/0013/0020/0023 not "
            "applied, or the documents table remade without its triggers): the portable LIKE search answers. "
            "Run migrate; after a table rebuild, migrate search 0005 then migrate.",
            ", ".join(missing),
        )
    return not missing


# ---------------------------------------------------------------------- FTS5 expressions
def _token(term: str, prefix: bool) -> str:
    """An FTS5 string for an analysed term ([0-9a-z]+); one-letter terms only match whole words."""
    return f'"{term}"*' if prefix and len(term) >= MIN_PREFIX_LENGTH else f'"{term}"'


def _either(word: str, stem: str, exact: bool = False) -> str:
    """A word starting with (or equal to, ``exact``) the query word's stem or the word as typed.

    A prefix already finds every word a longer needle starting with it finds (« "energi"* » finds what
    « "energie"* » does): that needle is left out, and FTS5 merges half as many lists of documents.
    """
    needles = list(dict.fromkeys((stem, word)))
    if not exact:
        needles = [
            needle
            for needle in needles
            if not any(
                other != needle and len(other) >= MIN_PREFIX_LENGTH and needle.startswith(other) for other in needles
            )
        ]
    return "(" + " OR ".join(_token(needle, not exact) for needle in needles) + ")"


def match_expression(terms: list[tuple[str, str]], town_words=()) -> str:
    """Every query word somewhere in the document (``search_text`` holds every other column's words).

    A town named beside other words (``SearchQuery.town_words``) only ranks, as in ``portable``.
    """
    return " AND ".join(_either(word, stem) for word, stem in terms if word not in town_words)


class _Sql(NamedParams):
    """A statement's parameters, with the fragments this vendor's full-text search writes."""

    def has(self, column: str, expression: str, row_id: str = "d.structure_id") -> str:
        """The document ``row_id``'s ``column`` matches the FTS5 ``expression`` (a set SQLite builds once per
        statement)."""
        return f"{row_id} IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH {self.param(f'{column} : {expression}')})"


def score_sql(sql: _Sql, terms: list[tuple[str, str]], town_words=(), named_skills=(), row_id=None) -> str:
    """``portable.score_expression``'s bonuses, each read from the FTS5 index with a column filter,
    and ``portable.NAMED_SKILL_SCORE`` for each named skill held.

    Of the document ``d`` (its row read), or of the id ``row_id`` alone: a named skill's holders are then found
    by ``search_document_value_holders``, which holds every slug of ``skill_slugs``."""
    if row_id is None:
        row_id = "d.structure_id"
        held = [f"(instr(d.skill_slugs, {sql.param(f'|{slug}|')}) > 0)" for slug in named_skills]
    else:
        held = [
            f"""({row_id} IN (SELECT v.structure_id FROM {VALUES} v INDEXED BY {HOLDERS_INDEX} WHERE v.value_id IN (
                SELECT id FROM {COUNTS} WHERE facet = 'skills' AND value = {sql.param(slug)})))"""
            for slug in named_skills
        ]
    parts = [f"{portable.NAMED_SKILL_SCORE} * {test}" for test in held]
    for word, stem in terms:
        exact, prefix = _either(word, stem, exact=True), _either(word, stem)
        if word in town_words:
            parts.append(f"(CASE WHEN {sql.has('city_text', exact, row_id)} THEN 12 ELSE 0 END)")
            continue
        summary, name = sql.has("summary_text", prefix, row_id), sql.has("name_text", prefix, row_id)
        parts.append(
            f"""(CASE WHEN {sql.has("city_text", exact, row_id)} THEN 12
                WHEN {sql.has("skills_text", exact, row_id)} THEN 10 WHEN {sql.has("skills_text", prefix, row_id)} THEN 8
                WHEN {sql.has("name_text", exact, row_id)} THEN 7 WHEN {name} THEN 5
                WHEN {summary} THEN 3 WHEN {sql.has("search_text", exact, row_id)} THEN 2 ELSE 1 END)"""
        )
        # The same sets again: SQLite builds each IN (SELECT ...) once per statement.
        parts.append(f"(CASE WHEN {summary} THEN 1 ELSE 0 END)")
        parts.append(f"(CASE WHEN {name} THEN 2 ELSE 0 END)")
    if len(terms) > 1:
        # The stems in a row, the last one a prefix (FTS5: the final token of "…"* is a prefix).
        phrase = '"' + " ".join(stem for _, stem in terms) + '"*'
        parts.append(
            f"""(CASE WHEN {sql.has("name_text", phrase, row_id)} THEN 5
                WHEN {sql.has("skills_text", phrase, row_id)} THEN 5
                WHEN {sql.has("search_text", phrase, row_id)} THEN 2 ELSE 0 END)"""
        )
    return " + ".join(parts)


def distance_sql(sql: _Sql, near, row: str = "d") -> str:
    """Haversine distance in km from the query's point to ``row``'s (``base.haversine_km`` in SQL)."""
    lat, lon = sql.param(near.latitude), sql.param(near.longitude)
    half_dphi = f"sin((radians({row}.latitude) - radians({lat})) / 2)"
    half_dlambda = f"sin(radians({row}.longitude - {lon}) / 2)"
    a = f"{half_dphi} * {half_dphi} + cos(radians({lat})) * cos(radians({row}.latitude)) * {half_dlambda} * {half_dlambda}"
    return f"2 * {EARTH_RADIUS_KM} * asin(min(1.0, sqrt({a})))"


def filter_sql(sql: _Sql, facet: str, values: list[str]) -> str:
    """A document ``d`` passes the query's filter on ``facet``."""
    if facet == "categories":
        return f"d.category IN ({', '.join(sql.param(v) for v in values)})"
    if facet == "cities":
        # A city matches whatever its case and accents (``city_key`` is folded and stripped).
        return f"d.city_key IN ({', '.join(sql.param(fold(v)) for v in values)})"
    column = SLUG_COLUMNS[facet]
    return "(" + " OR ".join(f"instr(d.{column}, {sql.param(f'|{v}|')}) > 0" for v in values) + ")"


# ---------------------------------------------------------------------- search
def search(query: SearchQuery) -> SearchResult:
    """Answer a validated query from the database."""
    if not fts_ready():
        return portable.search(query)
    pairs = query_words(query.text)
    # Highlights mark words starting with a stem or with the word as typed, as the match did.
    terms = list(dict.fromkeys([stem for _, stem in pairs] + [word for word, _ in pairs]))
    if only_stop_words(query.text):
        # Only stop words (« les », « à ») find nothing, rather than the whole directory.
        return _result(query, total=0, hits=[], counts={})
    total, page_rows, counts = _run(query, pairs)
    hits = database_hits([row[:3] for row in page_rows], terms)
    return _result(query, total=total, hits=hits, counts=counts)


def _result(query, total, hits, counts) -> SearchResult:
    return SearchResult(
        total=total,
        page=query.page,
        per_page=query.per_page,
        engine="database",
        hits=hits,
        facets=build_facets(counts, query),
    )


def _run(query: SearchQuery, pairs: list[tuple[str, str]]):
    """(total, [(id, score, distance)] of the page, {facet: Counter}) in one SQL statement."""
    sql = _Sql()
    selected = {name: values for name, values in query.selected_facets().items() if values}
    # Documents of unpublished structures (a change the worker has not processed yet) and hidden ones: nearly
    # always none, as the worker removes an unpublished structure's document (``_kept``).
    excluded = f"""SELECT structure_id AS id FROM {DOCUMENTS} WHERE structure_id IN (
        SELECT id FROM directory_structure WHERE live = 0
        UNION ALL SELECT value FROM json_each({sql.param(json.dumps(list(query.hidden_ids)))}))"""
    if not pairs and query.near is None and not selected:
        parts = _blank_listing(sql, query)
    else:
        parts = _matched(sql, query, pairs, selected)
    # The combinations' names are read from a copy per process while this token is unchanged (``_combinations``).
    parts.append(f"SELECT 'version', token, NULL, NULL, NULL FROM {VERSION}")
    statement = f"WITH excluded AS MATERIALIZED ({excluded}){parts[0]} " + " UNION ALL ".join(
        f"SELECT * FROM ({part})" for part in parts[1:]
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, sql.params)
        rows = cursor.fetchall()
    total, page_rows, counts, met, token = 0, [], {name: Counter() for name in FACET_NAMES}, [], None
    for kind, value, number, distance_km, position in rows:
        if kind == "hit":
            page_rows.append((position, value, number, distance_km))
        elif kind == "total":
            total += number
        elif kind == "combinations":
            if value:
                met.append((value, number))
        elif kind == "version":
            token = value
        else:
            counts[kind][value] += number
    if met:
        # Each combination's count added to its values' slots in a flat list: a broad match meets thousands of
        # combinations of about five values each (« geo 10 km » at 200k: 13,000), and a Counter per facet cost
        # 36 ms where this costs a few.
        slots_of = _combinations(token)
        documents = [0] * len(_SLOTS.names)
        for ids, sign in met:
            for combination, number in Counter(ids.split(",")).items():
                for slot in slots_of[combination]:
                    documents[slot] += sign * number
        for (facet, held), number in zip(_SLOTS.names, documents, strict=False):
            if number:
                counts[facet][held] += number
    page_rows.sort()
    counts = {name: Counter({value: n for value, n in counter.items() if n > 0}) for name, counter in counts.items()}
    return total, [row[1:] for row in page_rows], counts


# Per database, the slots of each combination by id (as text, as ``group_concat`` lists them) and the token of
# migration 0023 they were read under.
_named: dict[str, tuple[bytes, dict[str, tuple[int, ...]]]] = {}


def _combinations(token: bytes) -> dict[str, tuple[int, ...]]:
    """The slots of every combination by id, read again when ``token`` (read with the ids) has changed.

    Combinations are only added (a combination no document holds stays): a copy read after the ids
    names them too, whatever was added meanwhile.
    """
    database = str(connection.settings_dict["NAME"])
    known = _named.get(database)
    if known is None or known[0] != token:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token, NULL, NULL FROM {VERSION} UNION ALL SELECT NULL, id, key FROM {SIGNATURE}")
            rows = cursor.fetchall()
        fresh = next(row[0] for row in rows if row[0] is not None)
        known = _named[database] = (fresh, {str(id_): _signature_slots(key) for _, id_, key in rows if key})
    return known[1]


class _Slots:
    """A number for each (facet, value) a combination names, in the order first met (per process)."""

    def __init__(self):
        self.names: list[tuple[str, str]] = []
        self.numbers: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()

    def number(self, name: tuple[str, str]) -> int:
        found = self.numbers.get(name)
        if found is None:
            with self.lock:  # two threads meeting a new value give it one number
                found = self.numbers.get(name)
                if found is None:
                    found = self.numbers[name] = len(self.names)
                    self.names.append(name)
        return found


_SLOTS = _Slots()


@functools.lru_cache(maxsize=1 << 16)
def _signature_slots(key: str) -> tuple[int, ...]:
    """``_signature_values`` of a combination's key, as ``_SLOTS`` numbers."""
    return tuple(_SLOTS.number(name) for name in _signature_values(key))


@functools.lru_cache(maxsize=1 << 16)
def _signature_values(key: str) -> tuple[tuple[str, str], ...]:
    """(facet, value) of a combination's key (migration 0013), each value once, as ``search_document_value`` holds them.

    Kept per process: a directory holds a few tens of thousands of combinations, and a large match set meets most.
    """
    part, _, rest = key.partition(SEPARATOR)
    if part == "b":
        return tuple(("skills", slug) for slug in dict.fromkeys(rest.split("|")) if slug)
    category, memberships, sectors, city = rest.split(SEPARATOR, 3)
    held = [("categories", category)]
    held += [("memberships", slug) for slug in dict.fromkeys(memberships.split("|")) if slug]
    held += [("sectors", slug) for slug in dict.fromkeys(sectors.split("|")) if slug]
    return tuple(held + [("cities", city)] if city else held)


def _kept(column: str) -> str:
    """``column``'s document is not excluded. With none to exclude (nearly always), no lookup per row: the
    uncorrelated ``EXISTS`` is evaluated once per statement."""
    return f"(NOT EXISTS (SELECT 1 FROM excluded) OR {column} NOT IN excluded)"


def _sort(query: SearchQuery) -> str:
    """The page's order. Without words every score is 0: by relevance is by name (and the name index can serve it)."""
    return "name" if query.sort == "relevance" and not query_words(query.text) else query.sort


def _page(sql: _Sql, query: SearchQuery, rows: str) -> str:
    """The page of ``rows`` (id, score, distance, and the sort's name_sort, joined) in the query's order, numbered."""
    return f"""SELECT 'hit' AS kind, id, score, distance, row_number() OVER () AS position FROM (
        SELECT id, score, distance FROM ({rows}) ORDER BY {ORDER_BY[_sort(query)]}
        LIMIT {sql.param(query.per_page)} OFFSET {sql.param((query.page - 1) * query.per_page)})"""


def _blank_listing(sql: _Sql, query: SearchQuery) -> list[str]:
    """No text, position nor filter: the page from the name index, totals and facets from the kept counts."""
    rows = f"""SELECT d.structure_id AS id, 0 AS score, NULL AS distance, d.name_sort, d.joined
        FROM {DOCUMENTS} d WHERE {_kept("d.structure_id")}"""
    return [
        "",
        _page(sql, query, rows),
        f"SELECT 'total', NULL, count(*), NULL, NULL FROM {DOCUMENTS}",
        "SELECT 'total', NULL, -count(*), NULL, NULL FROM excluded",
        *_counted_facets(FACET_NAMES),
    ]


def _value_counts(sign: str, source: str, where: str) -> str:
    """Documents per facet value over ``source`` (joined to the values ``v``): grouped by value id, then named.

    The values are read by document (``NOT INDEXED``: their primary key), never through the holders index:
    scanning it in value order would read every document's values to test each against the matches.
    """
    return f"""SELECT c.facet, c.value, {sign}g.documents, NULL, NULL FROM (
        SELECT v.value_id, count(*) AS documents FROM {source} WHERE {where} GROUP BY v.value_id
    ) g JOIN {COUNTS} c ON c.id = g.value_id"""


def _signature_counts(sign: str, source: str, where: str) -> str:
    """The combinations of facet values (migration 0013) of each document of ``source`` (joined to them as ``s``),
    two integers where ``_value_counts`` groups about seven rows, listed in one text (``group_concat``, no sort).

    Python counts each combination's documents and spreads them over the values it names (``_run``): grouping
    them in SQL sorted every pair of ids (« geo 10 km », 100,178 matches at 200k: the sort cost more than
    listing them and counting in Python, ~95 against ~40 ms of CPU, load ~12)."""
    return f"SELECT 'combinations', group_concat(s.a || ',' || s.b), {sign}1, NULL, NULL FROM {source} WHERE {where}"


def _counted_facets(facets, condition: str = "1") -> list[str]:
    """Counts of ``facets`` over every document: the triggers' counts, less the excluded documents'."""
    names = ", ".join(f"'{name}'" for name in facets)
    return [
        f"""SELECT facet, value, documents, NULL, NULL FROM {COUNTS}
            WHERE facet IN ({names}) AND documents > 0 AND {condition}""",
        _value_counts(
            "-",
            f"{VALUES} v NOT INDEXED",
            f"v.structure_id IN (SELECT id FROM excluded) AND v.facet IN ({names}) AND {condition}",
        ),
    ]


# Every document has one category: the kept counts of categories add up to the documents.
ALL_DOCUMENTS = f"(SELECT sum(documents) FROM {COUNTS} WHERE facet = 'categories')"


def _plain_facets(plain=FACET_NAMES, unmatched: str | None = None, most: str | None = None) -> list[str]:
    """Counts of the ``plain`` facets over every row of ``matched`` (no filter narrows them).

    Every facet plain (words or a position alone): by combination of values (``_signature_counts``);
    some facets only: their rows of ``search_document_value``. ``unmatched``: the ids of the documents
    ``matched`` leaves out (excluded ones aside), in id order (see below). ``most``: when to count those
    rather than ``matched`` (by default, when two thirds of the documents or more match).
    """
    # Most documents match: count the others and subtract them from the kept counts. Finding the others
    # reads every document's id: ``unmatched`` merges two lists in id order (every document's, the matches'),
    # else each document's id is looked up among the matches (an index of them built first, about twice the
    # time). This pays from about two thirds (measured at 20k).
    most = most or f"(SELECT count(*) FROM matched) * 3 > {ALL_DOCUMENTS} * 2"
    # Each way is switched off by a LIMIT of its rows, not by a WHERE term: SQLite runs a subquery of the FROM
    # clause before it tests a WHERE term that does not depend on it (« energie »: 51 ms for nothing at 200k).
    # The LIMIT also keeps the merge: without one, SQLite drops the subquery's ORDER BY and answers EXCEPT with
    # a temporary index.
    if_most, unless_most = f"LIMIT CASE WHEN {most} THEN -1 ELSE 0 END", f"LIMIT CASE WHEN {most} THEN 0 ELSE -1 END"
    counted = f"(SELECT id FROM matched {unless_most}) counted"
    if unmatched is None:
        unmatched = f"""SELECT structure_id AS id FROM {DOCUMENTS} INDEXED BY {LISTING_INDEX}
            WHERE structure_id NOT IN (SELECT id FROM matched)"""
    others = f"({unmatched} {if_most}) others"
    if len(plain) == len(FACET_NAMES):
        return [
            _signature_counts("", f"{counted} CROSS JOIN {SIGNATURES} s ON s.structure_id = counted.id", "1"),
            *_counted_facets(plain, most),
            _signature_counts(
                "-", f"{others} CROSS JOIN {SIGNATURES} s ON s.structure_id = others.id", _kept("others.id")
            ),
        ]
    of_plain = f"v.facet IN ({', '.join(map(repr, plain))})"
    return [
        _value_counts("", f"{counted} CROSS JOIN {VALUES} v NOT INDEXED ON v.structure_id = counted.id", of_plain),
        *_counted_facets(plain, most),
        _value_counts(
            "-",
            f"{others} CROSS JOIN {VALUES} v NOT INDEXED ON v.structure_id = others.id",
            f"{_kept('others.id')} AND {of_plain}",
        ),
    ]


def strong_expression(terms: list[tuple[str, str]], town_words=()) -> str:
    """The matches that may score above every other: a word in the city, a skill, the name or the summary,
    or the words in a row (``score_sql``). Any other match gets at most 2 points a word (``weak_score_max``)."""
    either = []
    for word, stem in terms:
        either.append(f"city_text : {_either(word, stem, exact=True)}")
        if word not in town_words:
            either.append(f"{{skills_text name_text summary_text}} : {_either(word, stem)}")
    if len(terms) > 1:
        either.append('{name_text skills_text search_text} : "' + " ".join(stem for _, stem in terms) + '"*')
    return f"({match_expression(terms, town_words)}) AND ({' OR '.join(either)})"


def weak_score_max(terms: list[tuple[str, str]], town_words=()) -> int:
    """The best score of a match outside ``strong_expression`` holding no named skill: 2 a word (found
    exactly somewhere else), 0 for a town word."""
    return 2 * sum(1 for word, _ in terms if word not in town_words)


# A single word found in the summary only (not in the city, a skill or the name, no named skill held) scores exactly
# this (``score_sql``: summary 3, plus 1 for the summary); every other strong match scores at least 7 (name 5 + 2).
SUMMARY_ONLY_SCORE = 4


def _ranked(sql: _Sql, query: SearchQuery, pairs) -> list[str]:
    """Words only, by relevance: the page scored among the strong matches alone when they fill it.

    A broad word matches a large part of the directory (« projet »: 85 %), and
    scoring a match reads up to nine FTS5 sets. Matches outside the strong ones
    (``strong_expression``, and the holders of a named skill) score at most
    ``weak_score_max``: when enough strong matches score above it to fill the
    page, they are the page, in the same order as scoring every match would give.
    A single word's strong matches found in the summary only all score
    ``SUMMARY_ONLY_SCORE``, below every other strong match: they are not scored
    but taken in name order from the name index, as many as the page needs
    (« projet »: 47,000 of them at 200k). Otherwise (``LIMIT 0`` turned off) every
    match is scored, as before. Totals and facets count ``matched``, the ids alone.
    """
    match = match_expression(pairs, query.town_words)
    single = len(pairs) == 1 and not query.town_words
    if single:
        word, stem = pairs[0]
        # The single word's strong matches but those found in the summary only. Each column's words are in
        # ``search_text`` too: a document with the word in one of them matches, no need to AND the match.
        top = f"city_text : {_either(word, stem, exact=True)} OR {{skills_text name_text}} : {_either(word, stem)}"
        strong = top
    else:
        strong = strong_expression(pairs, query.town_words)
    strong_ids = f"SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH {sql.param(strong)}"
    holders = "SELECT NULL WHERE 0"
    if query.boost_skills:
        named = ", ".join(sql.param(slug) for slug in query.boost_skills)
        holders = f"""SELECT v.structure_id FROM {VALUES} v INDEXED BY {HOLDERS_INDEX}
            WHERE v.value_id IN (SELECT id FROM {COUNTS} WHERE facet = 'skills' AND value IN ({named}))
            AND v.structure_id IN (SELECT id FROM matched)"""
        strong_ids += f" UNION {holders}"

    def columns() -> str:
        score = score_sql(sql, pairs, query.town_words, query.boost_skills)
        return f"d.structure_id AS id, {score} AS score, NULL AS distance, d.name_sort, NULL AS joined"

    weak = weak_score_max(pairs, query.town_words)
    needed = sql.param(query.page * query.per_page)
    above = "(SELECT above FROM gate)"
    enough = f"{above} + (SELECT count(*) FROM summary_only) >= {needed}"
    summary_only = "SELECT NULL AS id WHERE 0"
    if single:
        # Only when the other strong matches do not fill the page. The others are ``strong`` (``top`` and the
        # holders, not excluded), read from it rather than asked of FTS5 again (« NOT (top) » merged the lists of
        # the words the prefix starts twice more: ~10 ms for « projet » at 200k).
        summary_only = f"""SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH {sql.param(f"summary_text : {_either(word, stem)}")}
            AND {_kept("rowid")} AND rowid NOT IN (SELECT id FROM strong)
            LIMIT CASE WHEN {above} >= {needed} THEN 0 ELSE -1 END"""
    # ``+``: the ids only test the rows met in the name index's order, so the page stops as soon as it has
    # what it needs (and reads nothing when it needs nothing: the name index has every document).
    summary_page = f"""SELECT * FROM (SELECT d.structure_id AS id, {SUMMARY_ONLY_SCORE} AS score, NULL AS distance,
            d.name_sort, NULL AS joined FROM {DOCUMENTS} d WHERE +d.structure_id IN (SELECT id FROM summary_only)
            ORDER BY d.name_sort, d.structure_id
            LIMIT CASE WHEN {enough} THEN min({needed}, (SELECT count(*) FROM summary_only)) ELSE 0 END)"""
    # The strong matches reaching the page's last score: only they are joined to their name (the others are
    # outscored by as many as the page needs).
    last = f"(SELECT score FROM strong ORDER BY score DESC LIMIT 1 OFFSET {needed} - 1)"
    strong_page = f"""SELECT s.id, s.score, NULL AS distance, d.name_sort, NULL AS joined FROM strong s
        CROSS JOIN {DOCUMENTS} d INDEXED BY {LISTING_INDEX} ON d.structure_id = s.id
        WHERE {enough} AND s.score >= coalesce({last}, s.score)"""
    # Most documents match (« projet »: 85 % at 200k): neither the matches' ids are kept (writing 162,000 of them
    # in a temporary table cost about as much as finding them) nor counted, but the documents not matching, every
    # document's id less the matches' (both lists in id order: SQLite merges them); the total and the facets are
    # the documents' less theirs. Told apart by the words found exactly (« "projet" », no prefix): a few ms where
    # counting the matches themselves costs a prefix's merge of lists (« "projet"* »: 25 ms); a broad prefix of
    # narrower exact words goes the other way, as right if slower.
    exact = " AND ".join(_either(word, stem, exact=True) for word, stem in pairs if word not in query.town_words)
    broad = "(SELECT yes FROM broad)"
    total = f"""CASE WHEN {broad} THEN (SELECT count(*) FROM {SIGNATURES}) - (SELECT count(*) FROM excluded)
        - (SELECT count(*) FROM unmatched WHERE {_kept("id")}) ELSE (SELECT count(*) FROM matched) END"""
    return [
        f""", broad AS MATERIALIZED (
            SELECT (SELECT count(*) FROM {FTS} WHERE {FTS} MATCH {sql.param(exact)}) * 3 > {ALL_DOCUMENTS} * 2 AS yes
        ), unmatched AS MATERIALIZED (
            SELECT structure_id AS id FROM {SIGNATURES}
            EXCEPT SELECT rowid FROM {FTS} WHERE {FTS} MATCH {sql.param(match)}
            ORDER BY 1 LIMIT CASE WHEN {broad} THEN -1 ELSE 0 END
        ), matched AS MATERIALIZED (
            SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH {sql.param(match)} AND {_kept("rowid")}
        ), strong AS MATERIALIZED (
            SELECT s.id, {score_sql(sql, pairs, query.town_words, query.boost_skills, row_id="s.id")} AS score
            FROM ({strong_ids}) s WHERE {_kept("s.id")}
        ), gate AS MATERIALIZED (SELECT count(*) AS above FROM strong WHERE score > {weak}
        ), summary_only AS MATERIALIZED ({summary_only}
        ), scored AS MATERIALIZED (
            SELECT {columns()} FROM matched CROSS JOIN {DOCUMENTS} d INDEXED BY {LISTING_INDEX}
            ON d.structure_id = matched.id LIMIT CASE WHEN {enough} THEN 0 ELSE -1 END
        )""",
        _page(
            sql,
            query,
            f"SELECT * FROM ({strong_page}) UNION ALL SELECT * FROM ({summary_page}) UNION ALL SELECT * FROM scored",
        ),
        f"SELECT 'total', NULL, {total}, NULL, NULL",
        *_plain_facets(unmatched="SELECT id FROM unmatched", most=broad),
    ]


def _matched(sql: _Sql, query: SearchQuery, pairs, selected) -> list[str]:
    """Text, position or filters: the matching documents, narrow (ids, score, sort keys, filter flags), once."""
    if pairs and query.near is None and not selected and query.sort == "relevance":
        return _ranked(sql, query, pairs)
    if query.near is not None and not pairs and not selected and query.sort == "distance":
        return _placed(sql, query)
    sort = _sort(query)
    score = score_sql(sql, pairs, query.town_words, query.boost_skills) if pairs else "0"
    distance = distance_sql(sql, query.near) if query.near is not None else "NULL"
    where = [_kept("d.structure_id")]
    if pairs:
        source = f"{FTS} CROSS JOIN {DOCUMENTS} d INDEXED BY {LISTING_INDEX} ON d.structure_id = {FTS}.rowid"
        where.append(f"{FTS} MATCH {sql.param(match_expression(pairs, query.town_words))}")
    else:
        # Also for a position: the listing index gives the documents in id order, so each one's combinations
        # (``_signature_counts``) are read in the order they are stored. Read in latitude order from an index of
        # the positions (migration 0016, dropped by 0019), the box cost 18 ms less and the facets 50 ms more.
        source = f"{DOCUMENTS} d INDEXED BY {LISTING_INDEX}"
    if query.near is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.near.latitude, query.near.longitude, query.near.radius_km
        )
        where.append(
            f"d.latitude BETWEEN {sql.param(min_lat)} AND {sql.param(max_lat)} "
            f"AND d.longitude BETWEEN {sql.param(min_lon)} AND {sql.param(max_lon)}"
        )
    # One 0/1 column per selected filter: the facets need each filter apart from the others.
    tests = {name: filter_sql(sql, name, values) for name, values in selected.items()}
    flags = "".join(f", {test} AS f_{name}" for name, test in tests.items())
    if pairs and tests:
        # Only the rows passing every filter reach the page: the others are not scored (« conseil » with two
        # filters: 899 of its matches).
        score = f"CASE WHEN {' AND '.join(tests.values())} THEN {score} END"
    # By score or distance, the page reads the name of its candidates only (``_matched_page``).
    sort_keys = {"name": ", d.name_sort", "newest": ", d.name_sort, d.joined"}.get(sort, "")
    inner = f"""SELECT d.structure_id AS id, {score} AS score, {distance} AS distance{sort_keys}{flags}
        FROM {source} WHERE {" AND ".join(where)}"""
    if query.near is not None:
        # ``LIMIT -1 OFFSET 0``: SQLite neither flattens this subquery nor pushes the radius test into it, so
        # each document's distance is computed once, not a second time for the test.
        inner = f"SELECT * FROM ({inner} LIMIT -1 OFFSET 0) WHERE distance <= {sql.param(query.near.radius_km)}"
    kept = " AND ".join(f"f_{name}" for name in selected) or "1"
    parts = [
        f", matched AS MATERIALIZED ({inner})",
        _matched_page(sql, query, sort, kept),
        f"SELECT 'total', NULL, count(*), NULL, NULL FROM matched WHERE {kept}",
    ]
    # A facet that nothing but its own filter narrows counts every document.
    unnarrowed = [] if pairs or query.near is not None else [name for name in FACET_NAMES if set(selected) <= {name}]
    parts += _counted_facets(unnarrowed) if unnarrowed else []
    # Facets counted over every matching document, and facets that other filters narrow too.
    plain = [name for name in FACET_NAMES if name not in unnarrowed and set(selected) <= {name}]
    narrowed = [name for name in FACET_NAMES if name not in unnarrowed and name not in plain]
    if plain:
        parts += _plain_facets(plain)
    if narrowed:
        # A row failing two filters or more counts in no facet: its values are not read.
        passing = f"(SELECT * FROM matched WHERE {' + '.join(f'f_{name}' for name in selected)} >= {len(selected) - 1})"
        matched_values = f"{passing} matched CROSS JOIN {VALUES} v NOT INDEXED ON v.structure_id = matched.id"
        conditions = []
        for name in narrowed:
            others = "".join(f" AND f_{other}" for other in selected if other != name)
            conditions.append(f"(v.facet = '{name}'{others})")
        parts.append(_value_counts("", matched_values, " OR ".join(conditions)))
    return parts


def _chord_margin(chord: str) -> str:
    """How far apart (in SQL) a squared chord and one computed from the haversine distance may be by rounding alone.

    Both are ~1e-16 relative on each coordinate; their differences of nearby points lose digits to cancellation
    (about 1e-15 absolute on the chord itself, hence the square root). The margin is thousands of times that.
    """
    return f"({chord} * 1e-9 + sqrt({chord}) * 1e-13 + 1e-30)"


def _placed(sql: _Sql, query: SearchQuery) -> list[str]:
    """A position alone (no words, no filter), by distance: the documents around it from ``search_document_places``
    (migration 0020), read as ranges of its narrow index in latitude order, their combinations of facet values in
    the same entries.

    - The circle is tested on each row's point on the unit sphere: the squared chord to the query's point grows
      with the distance and costs sums and products, where the haversine costs about fifteen SQL function calls
      (at 200k, « 10 km around Lille »: 116,000 rows in the box, ~140 ms of haversines). A row whose chord is
      within rounding of the radius's (``_chord_margin``) is tested by the haversine itself, so the circle holds
      exactly the rows ``distance_sql`` keeps.
    - The circle is read once, straight into the facets' GROUP BY: not kept in a temporary table (writing
      100,000 rows there cost ~50 ms); the total is the count of its first combinations.
    - The page, nearest first, from a smaller circle first (``NEAR_FRACTIONS`` of the radius): when it holds the
      rows up to the page's last one, only it is read again; otherwise the whole circle. The rows reaching the
      page's last chord (ties and rounding included) get their haversine distance and their name.
    """
    near = query.near
    phi, lam = math.radians(near.latitude), math.radians(near.longitude)
    x, y, z = (sql.param(v) for v in (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)))
    chord = f"((p.x - {x}) * (p.x - {x}) + (p.y - {y}) * (p.y - {y}) + (p.z - {z}) * (p.z - {z}))"

    def squared_chord(radius_km: float) -> float:
        return (2 * math.sin(radius_km / (2 * EARTH_RADIUS_KM))) ** 2

    def box(radius_km: float) -> str:
        """The located documents of ``radius_km``'s bounding box, not excluded, with their squared chord."""
        min_lat, max_lat, min_lon, max_lon = bounding_box(near.latitude, near.longitude, radius_km)
        # ``LIMIT -1 OFFSET 0``: SQLite neither flattens this nor pushes a test of the chord into it, so each
        # chord is computed once.
        return f"""SELECT p.structure_id AS id, p.a, p.b, {chord} AS c2, p.latitude, p.longitude
            FROM {PLACES} p INDEXED BY {PLACES_INDEX}
            WHERE p.latitude BETWEEN {sql.param(min_lat)} AND {sql.param(max_lat)}
            AND p.longitude BETWEEN {sql.param(min_lon)} AND {sql.param(max_lon)} AND {_kept("p.structure_id")}
            LIMIT -1 OFFSET 0"""

    limit = sql.param(squared_chord(near.radius_km))
    # The same box as ``_matched`` (``bounding_box``), so the same rows.
    circle = f"""SELECT p.id, p.a, p.b, p.c2 FROM ({box(near.radius_km)}) p
        WHERE p.c2 < {limit} - {_chord_margin(limit)} OR (p.c2 <= {limit} + {_chord_margin(limit)}
        AND {distance_sql(sql, near, "p")} <= {sql.param(near.radius_km)})"""
    needed = sql.param(query.page * query.per_page)
    # Each smaller circle: its rows well inside it (so in the query's circle too), read from a box a little larger.
    smaller = []
    for fraction in NEAR_FRACTIONS:
        inner = sql.param(squared_chord(near.radius_km * fraction) * (1 - 1e-6))
        rows = f"SELECT p.id, p.c2 FROM ({box(near.radius_km * fraction * (1 + 1e-6))}) p WHERE p.c2 <= {inner}"
        last = f"(SELECT t FROM last_{len(smaller)})"
        smaller.append((rows, last, inner))
    whole = f"SELECT c2 FROM ({circle}) ORDER BY c2 LIMIT 1 OFFSET {needed} - 1"
    # The first smaller circle whose page's last chord (and what rounding may put beside it) is inside it.
    reach = " ".join(
        f"WHEN {last} + {_chord_margin(last)} <= {inner} THEN {level}" for level, (_, last, inner) in enumerate(smaller)
    )
    thresholds = " ".join(f"WHEN {level} THEN {last}" for level, (_, last, _) in enumerate(smaller))
    within = "c2 <= coalesce((SELECT t + " + _chord_margin("t") + " FROM threshold), c2)"
    # Each circle read again here rather than from ``near_…``: in a compound SELECT, SQLite fills a materialized
    # CTE before the arm's ``LIMIT 0`` stops it (at 200k, the second circle's 53,000 rows for nothing).
    sources = [f"SELECT id FROM ({rows}) WHERE {within}" for rows, _, _ in smaller]
    sources.append(f"SELECT id FROM ({circle}) WHERE {within}")
    candidates = " UNION ALL ".join(
        f"SELECT * FROM ({source} LIMIT CASE WHEN (SELECT level FROM threshold) = {level} THEN -1 ELSE 0 END)"
        for level, source in enumerate(sources)
    )
    page = _page(
        sql,
        query,
        f"""SELECT c.id, 0 AS score, {distance_sql(sql, near, "p")} AS distance, d.name_sort FROM ({candidates}) c
            CROSS JOIN {PLACES} p ON p.structure_id = c.id
            CROSS JOIN {DOCUMENTS} d INDEXED BY {LISTING_INDEX} ON d.structure_id = c.id""",
    )
    # Each one read when first needed: a smaller circle is not read once an earlier one holds the page.
    near_ctes = "".join(
        f""", near_{level} AS MATERIALIZED ({rows}), last_{level} AS MATERIALIZED (
            SELECT (SELECT c2 FROM near_{level} ORDER BY c2 LIMIT 1 OFFSET {needed} - 1) AS t)"""
        for level, (rows, _, _) in enumerate(smaller)
    )
    return [
        f"""{near_ctes}, level AS MATERIALIZED (SELECT CASE {reach} ELSE {len(smaller)} END AS level
        ), threshold AS MATERIALIZED (
            SELECT level, CASE level {thresholds} ELSE ({whole}) END AS t FROM level
        ), grouped AS MATERIALIZED (
            SELECT group_concat(m.a || ',' || m.b) AS ids, count(*) AS documents FROM ({circle}) m
        )""",
        page,
        "SELECT 'total', NULL, documents, NULL, NULL FROM grouped",
        "SELECT 'combinations', ids, 1, NULL, NULL FROM grouped",
    ]


def _matched_page(sql: _Sql, query: SearchQuery, sort: str, kept: str) -> str:
    """The page of ``matched``'s rows passing every filter (``kept``).

    By score or distance, then name: the page's candidates are the rows scoring at least (or as near as) the
    page's last one; only they are joined to their name, and ties stay in (the order is the full sort's).
    """
    if sort not in ("relevance", "distance"):
        return _page(sql, query, f"SELECT * FROM matched WHERE {kept}")
    key, direction, reaches = ("score", "DESC", ">=") if sort == "relevance" else ("distance", "", "<=")
    last = f"""(SELECT {key} FROM matched WHERE {kept} ORDER BY {key} {direction}
        LIMIT 1 OFFSET {sql.param(query.page * query.per_page - 1)})"""
    return _page(
        sql,
        query,
        f"""SELECT m.id, m.score, m.distance, d.name_sort FROM matched m
            CROSS JOIN {DOCUMENTS} d INDEXED BY {LISTING_INDEX} ON d.structure_id = m.id
            WHERE {kept} AND m.{key} {reaches} coalesce({last}, m.{key})""",
    )


def suggest(prefix: str, limit: int, hidden_ids=()) -> list[Suggestion]:
    """Skill and structure names whose words start with the typed words."""
    if not fts_ready():
        return portable.suggest(prefix, limit, hidden_ids=hidden_ids)
    pairs = query_words(prefix)
    if not pairs:
        return []
    sql = _Sql()
    names = " AND ".join(f"name_text : {_either(word, stem)}" for word, stem in pairs)
    statement = f"""SELECT s.name, s.slug FROM {FTS}
        JOIN {DOCUMENTS} d INDEXED BY {LISTING_INDEX} ON d.structure_id = {FTS}.rowid
        JOIN directory_structure s ON s.id = d.structure_id
        WHERE {FTS} MATCH {sql.param(names)} AND s.live
          AND d.structure_id NOT IN (SELECT value FROM json_each({sql.param(json.dumps(list(hidden_ids)))}))
        ORDER BY d.name_sort LIMIT {sql.param(limit)}"""
    with connection.cursor() as cursor:
        cursor.execute(statement, sql.params)
        structures = [Suggestion(kind="structure", label=name, slug=slug) for name, slug in cursor.fetchall()]
    return merge_suggestions(matching_skill_suggestions(prefix), structures, limit)
