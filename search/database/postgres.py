"""The database search on PostgreSQL: its full-text index, ranking, facets and typo tolerance, all in SQL.

Same contract as ``portable`` (``tests/search``), from the same documents and the
same French analysis (``search.text``), but PostgreSQL does the work that
``portable`` does in Python (migration ``search.0008_postgres_fulltext``):

- **matching**: ``search_vector`` (generated, GIN-indexed) ``@@`` a ``tsquery``
  of the query's analysed words, each ``(stem:* | word:*)`` — « a word of the
  document starts with the stem or with the word as typed », exactly
  ``portable``'s LIKE test, answered by the index;
- **ranking**: ``portable.score_expression``'s points (city, skill, name,
  summary, elsewhere; exact before prefix; words side by side), ties by name,
  in two steps (``_Score``) so that a query matching most of the directory does
  not read every matched document whole: bounds of the score from the narrow
  part of each row and from sets of ids the GIN indexes answer, then the exact
  score for the few candidates that can reach the page (migration
  ``search.0011_postgres_narrow_rows``);
- **filters, disjunctive facets, distance, sorting, pagination**: one SQL
  statement — a document counts in facet F when it passes every filter but F's
  own, the matched rows grouped by their two facet sets (integers, migration
  ``search.0014_postgres_facet_sets``), then each group's keys read; only the
  page's ids, the total and the facet counts come back to Python;
- **broad searches** (words only, by relevance, matching most documents): the facet
  counts by their complement (every document's counts minus those not listed) and
  the page from the best candidates by the score's upper bound, both read by
  parallel workers (``broad_sql``);
- **the blank listing** (no text, filter or position: the landing page): counts
  read from ``search_facet_counts`` (kept by triggers), the page from the name
  index — constant time whatever the directory's size;
- **typos**: when every word together finds nothing, a word that starts no
  indexed word is corrected to the nearest word of ``search_vocabulary`` (every
  indexed word, trigram-indexed, kept by triggers) within the engine's typo
  distance (``search.text.max_typos``); the result then searches the
  corrected words and offers them as « vouliez-vous dire » (``suggestion``).
"""

from django.db import connection, transaction

from directory.models import Structure

from ..base import (
    EARTH_RADIUS_KM,
    bounding_box,
    build_facets,
    database_hits,
    matching_skill_suggestions,
    merge_suggestions,
)
from ..base import (
    vocabulary as known_words,
)
from ..models import StructureSearchDocument
from ..text import (
    MIN_PREFIX_LENGTH,
    TYPO_FIXED_PREFIX,
    edit_distance,
    fold,
    max_typos,
    only_stop_words,
    query_words,
    stem,
)
from ..types import FACET_NAMES, SearchQuery, SearchResult, Suggestion
from . import portable
from .sql import NamedParams

DOCUMENTS = StructureSearchDocument._meta.db_table
STRUCTURES = Structure._meta.db_table
FACET_SETS = "search_facet_sets"  # migration 0014
# For the one statement of a search (``search_sql``), in its transaction:
# - PostgreSQL guesses how many documents a prefix (« energ:* ») matches poorly (three quarters
#   of them, when it is one in six) and then reads the whole table rather than the GIN index;
#   with the index scan of the primary key on, it walks the whole table in key order to
#   anti-join the unpublished structures, testing every document's vector: bitmap scans only;
# - the matched rows, the hashed sets of ids and the facet groups are kept in memory;
# - no JIT: compiling the statement (estimated costly at 200,000 documents) takes longer than
#   running it;
# - parallel workers read and score the matched rows when they are many (the bitmap heap scan
#   of ``matched`` under a Gather; the materialising, facet grouping and page stay in the
#   statement's own process): PostgreSQL's default costs (a worker's start at 1,000, each row
#   passed back at 0.1) kept a query matching 85 % of 200,000 documents in one process.
#   Not below 16 MB of heap pages to read (``min_parallel_table_scan_size``, 8 MB by default): starting
#   workers made a 20,000-document directory (10 MB of heap) slower, not faster.
PLANNER_SETTINGS = (
    "SET LOCAL enable_seqscan = off; SET LOCAL enable_mergejoin = off; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off;"
    " SET LOCAL parallel_setup_cost = 10; SET LOCAL parallel_tuple_cost = 0.01;"
    " SET LOCAL min_parallel_table_scan_size = '16MB'"
)
PLANNER_RESET = (
    "RESET enable_seqscan; RESET enable_mergejoin; RESET work_mem; RESET jit; RESET parallel_setup_cost;"
    " RESET parallel_tuple_cost; RESET min_parallel_table_scan_size"
)
# How many nearest vocabulary words (by trigrams) are checked for a typo.
TYPO_CANDIDATES = 20

# The prefix of each facet's values in ``facet_keys`` (migration 0006); « t: » is on every document.
FACET_KEYS = {"categories": "c:", "memberships": "m:", "skills": "s:", "sectors": "e:", "cities": "y:"}
TOTAL_KEY = "t:"
FACET_OF_KEY = {prefix: name for name, prefix in FACET_KEYS.items()}
ORDER_BY = {
    "relevance": 'score DESC, name_sort COLLATE "C", structure_id',
    "name": 'name_sort COLLATE "C", structure_id',
    "newest": 'joined DESC NULLS LAST, name_sort COLLATE "C", structure_id',
}


# --------------------------------------------------------------------------- tsquery
def _needles(word: str, stem_: str) -> list[str]:
    return list(dict.fromkeys((stem_, word)))


def _term(needle: str, weight: str = "", prefix: bool = True) -> str:
    """One tsquery operand; a word shorter than MIN_PREFIX_LENGTH is never a prefix (as in ``portable``)."""
    star = "*" if prefix and len(needle) >= MIN_PREFIX_LENGTH else ""
    marks = f":{star}{weight}" if star or weight else ""
    # Needles are analysed words ([0-9a-z]+): nothing to escape.
    return f"'{needle}'{marks}"


def _any(word: str, stem_: str, weight: str = "", prefix: bool = True) -> str:
    return "(" + " | ".join(_term(n, weight, prefix) for n in _needles(word, stem_)) + ")"


def match_tsquery(pairs: list[tuple[str, str]], town_words=()) -> str:
    """Every word: a document word starts with its stem or with the word as typed.

    A town named beside other words (``SearchQuery.town_words``) only ranks, as in ``portable``.
    """
    return " & ".join(_any(word, stem_) for word, stem_ in pairs if word not in town_words)


def _fragments(word: str, stem_: str, exact: bool = False) -> list[str]:
    """What a field (`` w1 w2 … ``) contains when a word of it starts with (or is, ``exact``) the stem or the
    word as typed: `` stem`` or `` stem `` (``portable``'s LIKE '% stem%' and '% stem %')."""
    return [f" {n} " if exact or len(n) < MIN_PREFIX_LENGTH else f" {n}" for n in _needles(word, stem_)]


class _Sql(NamedParams):
    """A statement's parameters, with the fragments this vendor's full-text search writes."""

    def contains(self, column: str, fragments: list[str]) -> str:
        """``column`` contains one of ``fragments`` (``strpos``: no pattern to parse, no wildcard)."""
        return "(" + " OR ".join(f"strpos({column}, {self.param(f)}) > 0" for f in fragments) + ")"

    def has(self, vector: str, tsquery: str, document: str = "d") -> str:
        """« The document is one of those whose ``vector`` matches »: a set of ids the GIN index answers,
        which PostgreSQL hashes once per statement, when a row first asks."""
        return (
            f"{document}.structure_id IN "
            f"(SELECT structure_id FROM {DOCUMENTS} WHERE {vector} @@ {self.param(tsquery)}::tsquery)"
        )

    def own(self, vector: str, tsquery: str, document: str) -> str:
        """« The document's own ``vector`` matches », read from its row (a TOAST read each): for a few rows,
        where ``has``'s set of ids would read every matching document once."""
        return (
            f"EXISTS (SELECT 1 FROM {DOCUMENTS} w WHERE w.structure_id = {document}.structure_id"
            f" AND w.{vector} @@ {self.param(tsquery)}::tsquery)"
        )

    def skilled(self, tsquery: str) -> str:
        """« A skill's word of the document matches »: the document's skill set is one of those whose words match
        (migration 0014), a set of small integers the GIN index of the few thousand sets answers."""
        return f"d.skill_set IN (SELECT id FROM {FACET_SETS} WHERE words @@ {self.param(tsquery)}::tsquery)"

    def holding(self, column: str, values) -> str:
        """``column`` (a ``|a|b|`` list) holds one of ``values``.

        ``strpos``, not LIKE: a value is the visitor's, and « _ » or « % » in it is no wildcard.
        A value holding the delimiter, or empty, is no slug (``facet_keys`` splits on it).
        """
        held = [f"strpos({column}, {self.param(f'|{v}|')}) > 0" for v in values if v and "|" not in v]
        return "(" + " OR ".join(held) + ")" if held else "false"


class _Score:
    """``portable.score_expression``'s points, in two steps for speed over many matched documents.

    For every matched document, ``words`` (one column per word of the text) and
    ``fixed`` (towns, named skills, the words side by side in the name), read from
    the narrow part of the row (the name, summary and city words, the slugs, the
    skill set) and from the skill sets whose words match (« a skill's word starts
    with / is », migration 0014) — never the wide columns, which stay in TOAST
    (migration 0011). Their sum is the score ``lower``, but for two things: a word found only
    « elsewhere » counts 1 where it may be worth 2 (an exact word), and the words
    side by side in a skill (+5) or elsewhere (+2) are left out: ``upper`` counts
    both as the most they can be. ``exact`` adds them for the few rows that need
    it, from the GIN index of ``search_vector`` and the row's wide columns.
    """

    ELSEWHERE = 1  # a word's points when no field but « everything » has it

    def __init__(self, sql: _Sql, pairs: list[tuple[str, str]], town_words=(), named_skills=()):
        self.sql = sql
        self.words: list[str] = []  # per word of the text (towns aside): its tier, ELSEWHERE when in no field
        self.word_uppers: list[str] = []  # the same, ELSEWHERE counted as the most it can be (an exact word)
        self.exact_tests: list[str] = []  # per word: « an exact word of the document », from the vector
        fixed = []
        for word, stem_ in pairs:
            prefix, exact = _fragments(word, stem_), _fragments(word, stem_, exact=True)
            if word in town_words:
                # A town the query names only ranks (``base.town_words``): its structures first.
                fixed.append(f"CASE WHEN {sql.contains('d.city_text', exact)} THEN 12 ELSE 0 END")
                continue
            # The summary and the name also having the word: +1, +2.
            in_summary, in_name = sql.contains("d.summary_text", prefix), sql.contains("d.name_text", prefix)
            bonus = f"(CASE WHEN {in_summary} THEN 1 ELSE 0 END + CASE WHEN {in_name} THEN 2 ELSE 0 END)"
            # One CASE per word, its tiers as ``portable``'s: the first field that has the word wins.
            skill_exact = sql.skilled(_any(word, stem_, prefix=False))
            tiers = (
                f"CASE WHEN {sql.contains('d.city_text', exact)} THEN 12 + {bonus}"
                f" WHEN {sql.skilled(_any(word, stem_))} THEN"
                f" CASE WHEN {skill_exact} THEN 10 ELSE 8 END + {bonus}"
                f" WHEN {in_name} THEN CASE WHEN {sql.contains('d.name_text', exact)} THEN 7 ELSE 5 END + 2"
                f" + CASE WHEN {in_summary} THEN 1 ELSE 0 END"
                f" WHEN {in_summary} THEN 3 + 1"
            )
            self.words.append(f"{tiers} ELSE {self.ELSEWHERE} END")
            # Every field's tier is above ELSEWHERE + 1: only « elsewhere » can gain (``upper``).
            self.word_uppers.append(f"{tiers} ELSE {self.ELSEWHERE + 1} END")
            self.exact_tests.append(_any(word, stem_, prefix=False))
        for slug in named_skills:
            # Each skill the query names that a structure holds (``portable.NAMED_SKILL_SCORE``).
            fixed.append(f"{portable.NAMED_SKILL_SCORE} * ({sql.holding('d.skill_slugs', [slug])})::int")
        self.phrase = None
        if len(pairs) > 1:
            # The words in a row, the last one a prefix (``portable``: `` s1 s2``): in the name +5, read here.
            self.phrase = " " + " ".join(s for _, s in pairs)
            # The skill sets whose words start with every stem: those that can hold the phrase (GIN-indexed).
            self.phrase_words = " & ".join(f"'{s}':*" for _, s in pairs)
            fixed.append(f"CASE WHEN {sql.contains('d.name_text', [self.phrase])} THEN 5 ELSE 0 END")
            self.fixed_phrase_at = len(fixed) - 1
        self.fixed = fixed

    def columns(self) -> list[str]:
        """The score's columns of a matched row: ``w0``, ``w1``… (each word) and ``f0``, ``f1``… (the rest)."""
        return [f"{w} AS w{i}" for i, w in enumerate(self.words)] + [f"{f} AS f{i}" for i, f in enumerate(self.fixed)]

    def lower(self) -> str:
        return " + ".join([f"w{i}" for i in range(len(self.words))] + [f"f{i}" for i in range(len(self.fixed))]) or "0"

    def upper(self) -> str:
        parts = [self.lower()] + [f"(w{i} = {self.ELSEWHERE})::int" for i in range(len(self.words))]
        if self.phrase is not None:
            # Side by side in a skill (+5), when not in the name already.
            parts.append(f"CASE WHEN f{self.fixed_phrase_at} = 0 THEN 5 ELSE 0 END")
        return " + ".join(parts)

    def upper_of_row(self) -> str:
        """``upper`` as one expression of the document's row ``d``, each word's CASE written once: ``upper``
        adds 1 to a word met only « elsewhere » (the word's CASE ending on ELSEWHERE + 1) and, with words
        side by side, 5 to the rows without them in the name, whose +5 is then always counted."""
        fixed = [f for i, f in enumerate(self.fixed) if self.phrase is None or i != self.fixed_phrase_at]
        if self.phrase is not None:
            fixed.append("5")
        return " + ".join(self.word_uppers + fixed) or "0"

    def exact(self, row: str, few: bool = False) -> str:
        """The score of the matched ``row``: ``lower`` and what only the wide columns and exact words tell.

        ``few``: for a few rows, the exact words are read from each row's own vector rather than from the
        set of every document having them."""
        parts = [f"{row}.lower"]
        for i, test in enumerate(self.exact_tests):
            # « Elsewhere », an exact word is worth 2.
            found = self.sql.own("search_vector", test, row) if few else self.sql.has("search_vector", test, row)
            parts.append(f"CASE WHEN {row}.w{i} = {self.ELSEWHERE} AND {found} THEN 1 ELSE 0 END")
        if self.phrase is not None:
            # Side by side in a skill (+5): read from the row's skill set, whose ``skills`` is the document's
            # ``skills_text`` (migration 0014), a hashed set of the few sets holding the phrase, rather than
            # from each candidate's wide column (a TOAST read per row: 9,334 for « panneaux solaires » at 200k).
            # Elsewhere (+2): from the document's ``search_text``, only when no skill has the phrase.
            phrase = self.sql.param(self.phrase)
            in_skills = (
                f"{row}.skill_set IN (SELECT id FROM {FACET_SETS} WHERE words @@ {self.sql.param(self.phrase_words)}::tsquery"
                f" AND strpos(skills, {phrase}) > 0)"
            )
            parts.append(
                f"CASE WHEN {row}.f{self.fixed_phrase_at} = 0 THEN CASE WHEN {in_skills} THEN 5 ELSE"
                f" (SELECT CASE WHEN strpos(w.search_text, {phrase}) > 0 THEN 2 ELSE 0 END FROM {DOCUMENTS} w"
                f" WHERE w.structure_id = {row}.structure_id) END ELSE 0 END"
            )
        return f"CASE WHEN {row}.upper > {row}.lower THEN " + " + ".join(parts) + f" ELSE {row}.lower END"


# --------------------------------------------------------------------------- one statement
# Each multi-valued facet's ``|a|b|`` column.
SLUG_COLUMNS = {"memberships": "membership_slugs", "skills": "skill_slugs", "sectors": "sector_slugs"}


def _facet_filters(sql: _Sql, query: SearchQuery) -> list[tuple[str, str]]:
    """(facet key prefix, SQL condition) for each facet with selected values.

    Read from the narrow part of the row (``category``, ``city_key``, the ``|a|b|`` slugs), not from
    ``facet_keys``, which TOAST keeps out of it (migration 0011).
    """
    selected = query.selected_facets()
    filters = []
    for name in FACET_NAMES:
        values = selected[name]
        if not values:
            continue
        if name == "categories":
            filters.append((FACET_KEYS[name], f"d.category = ANY({sql.param(list(values))})"))
        elif name == "cities":
            # A city matches whatever its case and accents.
            filters.append((FACET_KEYS[name], f"d.city_key = ANY({sql.param([fold(city) for city in values])})"))
        else:
            filters.append((FACET_KEYS[name], sql.holding(f"d.{SLUG_COLUMNS[name]}", values)))
    return filters


# The groups of the matched rows, in one pass: by attribute set (``kind`` 1), by skill set (2) and, with
# relevance, by ``lower`` (3: a histogram of the bounds, from which the page's threshold is read instead of
# sorting every matched row once more).
GROUPED = """
    grouped AS MATERIALIZED (
        SELECT failing_key, count(*) AS n, GROUPING(attribute_set, skill_set) AS kind,
            CASE WHEN GROUPING(skill_set) = 1 THEN attribute_set ELSE skill_set END AS facet_set, {lower}
        FROM matched WHERE failing <= 1
        GROUP BY GROUPING SETS ((failing_key, attribute_set), (failing_key, skill_set){histogram})
    )
"""
# The facet counts, from the groups by facet set (``grouped``, migration 0014; far fewer
# groups than rows, and integers are cheaper to group than the values' text), then each group's keys
# read from ``search_facet_sets`` (the same keys as the blank listing's; « t: », the total, is in
# every ``attribute_set``), by an index-only scan of ``(id) INCLUDE (keys)`` (migration 0018), not from the
# sets' wide rows. A row failing one filter gives only that facet's keys (``ONE_FACET``: with no filter, no
# row fails one, and the test is left out of every key's row). The keys are spread by ``unnest`` in the
# select list (a projection streaming each array's elements), not as a function in FROM: that one fills
# a tuple store for each of the groups — nearly every facet set, about 20,000 at 200,000 documents.
FACET_COUNTS = f"""
    SELECT key, sum(n)::bigint, NULL::bigint, NULL::float8, NULL::float8 FROM (
        SELECT unnest(sets.keys) AS key, n, failing_key
        FROM grouped JOIN {FACET_SETS} sets ON sets.id = grouped.facet_set
        WHERE grouped.kind < 3
    ) keyed
    {{one_facet}}
    GROUP BY key
"""
ONE_FACET = "WHERE failing_key IS NULL OR left(key, 2) = failing_key"


def search_sql(query: SearchQuery, pairs: list[tuple[str, str]]) -> tuple[str, dict]:
    """The statement answering ``query``: rows (key, count, structure id, score, distance).

    Facet rows: a ``facet_keys`` key and its count (« t: » is the total). A
    document counts in facet F when it passes every filter but F's own: rows
    failing no filter give all their keys, rows failing exactly one give that
    facet's keys. Page rows: a NULL key, the structure id, its score and distance,
    in page order.

    Every matched document is read once, from the narrow part of its row (migration
    0011): its facet sets (grouped by those two integers, then each group's keys read),
    its sort keys and its score's ``lower`` and ``upper`` bounds (``_Score``). With
    relevance, the page's candidates are the documents whose ``upper`` reaches the
    ``page × per_page``-th best ``lower``: any other scores below that many documents
    and comes after the page. The candidates whose bounds differ get their exact
    score, then the page is cut: the full ranking's.

    By distance, the matched rows carry no sort key but the distance: the page's
    names are read for the few rows within the page's last distance only. A
    position with neither words nor filters is then answered from the position's
    covering index (migration 0021), without reading the documents' rows.
    """
    sql = _Sql()
    filters = _facet_filters(sql, query)
    by_distance = query.sort == "distance"
    select = ["d.structure_id", "d.attribute_set", "d.skill_set"]
    if not by_distance:
        select[1:1] = ["d.name_sort", "d.joined"]
    score = _Score(sql, pairs, query.town_words, query.boost_skills) if pairs else None
    if score is not None and filters:
        # Only a document passing every filter is listed, so only its score is needed: the others
        # (counted in one facet) read none of the score's sets or words.
        passes = " AND ".join(f"({condition})" for _, condition in filters)
        select += [f"CASE WHEN {passes} THEN {column.rsplit(' AS ', 1)[0]} ELSE 0 END AS {column.rsplit(' AS ', 1)[1]}"
                   for column in score.columns()]  # fmt: skip
    elif score is not None:
        select += score.columns()
    distance = None
    if query.near is not None:
        # Haversine, as ``base.haversine_km``.
        lat, lon = sql.param(query.near.latitude), sql.param(query.near.longitude)
        distance = (
            f"2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt(power(sin(radians(d.latitude - {lat}) / 2), 2)"
            f" + cos(radians({lat})) * cos(radians(d.latitude)) * power(sin(radians(d.longitude - {lon}) / 2), 2))))"
        )
        select.append(f"{distance} AS distance")
    else:
        select.append("NULL::float8 AS distance")
    failing = " + ".join(f"(NOT ({condition}))::int" for _, condition in filters) or "0"
    select.append(f"{failing} AS failing")
    select.append(
        "CASE " + " ".join(f"WHEN NOT ({condition}) THEN '{prefix}'" for prefix, condition in filters) + " END"
        if filters
        else "NULL"
    )
    select[-1] += " AS failing_key"

    # Published only: documents exist for published structures, but one whose structure was
    # unpublished by a writer bypassing the signals must not count. Unpublished structures are
    # few: leaving them out (an anti-join on a small hash, ``search_unpublished_structures``)
    # costs less than joining every match.
    where = [f"NOT EXISTS (SELECT 1 FROM {STRUCTURES} s WHERE s.id = d.structure_id AND NOT s.live)"]
    if query.hidden_ids:
        where.append(f"NOT (d.structure_id = ANY({sql.param(list(query.hidden_ids))}))")
    if pairs:
        where.append(f"d.search_vector @@ {sql.param(match_tsquery(pairs, query.town_words))}::tsquery")
    if query.near is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.near.latitude, query.near.longitude, query.near.radius_km
        )
        # With words, the box is a filter on the matched rows (``+ 0``: not the latitude index). From
        # that index, PostgreSQL would test the vector of every document in the box, each read from TOAST.
        latitude = "d.latitude + 0" if pairs else "d.latitude"
        where.append(f"{latitude} BETWEEN {sql.param(min_lat)} AND {sql.param(max_lat)}")
        where.append(f"d.longitude BETWEEN {sql.param(min_lon)} AND {sql.param(max_lon)}")
        where.append(f"{distance} <= {sql.param(query.near.radius_km)}")
    if len(filters) > 1:
        # A document failing two filters is neither listed nor counted.
        where.append(f"{failing} <= 1")

    lower, upper = (score.lower(), score.upper()) if score is not None else ("0", "0")
    offset, limit = sql.param((query.page - 1) * query.per_page), sql.param(query.per_page)
    exact = score.exact("m") if score is not None else "m.lower"
    relevance = query.sort == "relevance" and score is not None
    if relevance:
        # The candidates: ``upper`` reaches the page × per_page-th best ``lower`` (from the histogram in ``grouped``).
        last = sql.param(query.page * query.per_page - 1)
        page = f"""
            SELECT structure_id, score, distance FROM (
                SELECT m.structure_id, m.name_sort, m.distance, {exact} AS score FROM matched m
                WHERE m.failing = 0 AND m.upper >= COALESCE((
                    SELECT lower FROM (
                        SELECT lower, sum(n) OVER (ORDER BY lower DESC) AS reached FROM grouped
                        WHERE kind = 3 AND failing_key IS NULL
                    ) histogram WHERE reached > {last} ORDER BY lower DESC LIMIT 1
                ), m.upper)
            ) candidates ORDER BY {ORDER_BY["relevance"]} LIMIT {limit} OFFSET {offset}"""
    elif by_distance:
        # The rows within the page's last distance (the ``page × per_page``-th nearest), ties included, then
        # their names read to order them: a top-N sort of the matched distances, not of wide rows.
        last = sql.param(query.page * query.per_page - 1)
        page = f"""
            SELECT m.structure_id, {exact} AS score, m.distance FROM matched m
            JOIN {DOCUMENTS} named ON named.structure_id = m.structure_id
            WHERE m.failing = 0 AND m.distance <= COALESCE((
                SELECT distance FROM matched WHERE failing = 0 ORDER BY distance LIMIT 1 OFFSET {last}
            ), 'infinity')
            ORDER BY m.distance, named.name_sort COLLATE "C", m.structure_id LIMIT {limit} OFFSET {offset}"""
    else:
        # The page from the sort keys, then its rows' exact scores.
        page = f"""
            SELECT m.structure_id, {exact} AS score, m.distance FROM (
                SELECT * FROM matched WHERE failing = 0 ORDER BY {ORDER_BY[query.sort].replace("score", "lower")}
                LIMIT {limit} OFFSET {offset}
            ) m"""
    statement = f"""
        WITH matched AS MATERIALIZED (
            SELECT *, {lower} AS lower, {upper} AS upper FROM (
                SELECT {", ".join(select)}
                FROM {DOCUMENTS} d
                WHERE {" AND ".join(where)}
                OFFSET 0  -- each column computed once, whatever reads it
            ) scored
        ),
        {GROUPED.format(lower="lower" if relevance else "NULL::int AS lower", histogram=", (failing_key, lower)" if relevance else "")}
        {FACET_COUNTS.format(one_facet=ONE_FACET if filters else "")}
        UNION ALL
        SELECT NULL, row_number() OVER (), structure_id, score::float8, distance FROM ({page}) page
    """
    return statement, sql.params


# --------------------------------------------------------------------------- broad searches
# A search by relevance with words only (no filter, no position) whose words each occur in at least this share
# of the documents is answered by ``broad_sql``.
BROAD_SHARE = 0.5


def broad_candidate(query: SearchQuery, pairs: list[tuple[str, str]]) -> bool:
    """Whether ``query`` has the shape ``broad_sql`` answers: words, by relevance, no filter, no position."""
    selected = query.selected_facets()
    return bool(pairs) and query.sort == "relevance" and query.near is None and not any(selected.values())


def is_broad(cursor, pairs: list[tuple[str, str]], town_words=()) -> bool:
    """Whether each searched word is likely to match at least ``BROAD_SHARE`` of the documents.

    An estimate from ``search_vocabulary`` (the commonest indexed word each word starts, as its match does),
    one indexed query: it only chooses how to compute the answer, never the answer.
    """
    words = [(word, stem_) for word, stem_ in pairs if word not in town_words]
    if not words:
        return False
    params, columns = [], []
    for word, stem_ in words:
        tests = []
        for needle in _needles(word, stem_):
            if len(needle) >= MIN_PREFIX_LENGTH:
                # The words starting with the needle: a range of the primary key (``word`` is in the « C »
                # collation: byte order, and no word's next letter sorts after U+10FFFF).
                tests.append("(word >= %s AND word < %s)")
                params += [needle, needle + "\U0010ffff"]
            else:
                tests.append("word = %s")
                params.append(needle)
        columns.append(f"(SELECT max(documents) FROM search_vocabulary WHERE {' OR '.join(tests)})")
    cursor.execute(
        f"SELECT (SELECT documents FROM search_facet_counts WHERE key = %s), {', '.join(columns)}",
        [TOTAL_KEY, *params],
    )
    documents, *commonest = cursor.fetchone()
    return bool(documents) and all(found is not None and found >= BROAD_SHARE * documents for found in commonest)


def broad_sql(query: SearchQuery, pairs: list[tuple[str, str]]) -> tuple[str, dict]:
    """A search by relevance with words only, when they match most documents: rows (key, count, structure id,
    score, upper, name_sort).

    ``search_sql`` reads every matched document in the statement's own process (facet groups, histogram,
    page); here two parts, each read by parallel workers with little left for that process:

    - **the facet counts by their complement**: the counts of every document (``search_facet_counts``, the
      blank listing's) minus those of the documents not listed — the ones not matching, unpublished or
      waiting to be indexed: an anti-join of every document (the position index, index-only) against the
      listed ones' ids (the GIN index's bitmap), grouped by facet set. A fraction of the matched rows;
    - **the page's candidates**: the ``page × per_page + 1`` best documents by ``upper`` (the most each can
      score, ``_Score``), ties by name, each worker keeping only its best (a bounded sort); then their exact
      scores. ``_run`` checks that no other document can reach the page: the ``page × per_page``-th best
      exact score must be ahead of the last candidate's ``upper`` (every other document's ``upper`` is
      behind it, and its score at most that). Otherwise ``search_sql`` answers instead.

    A search matching few documents is faster with ``search_sql`` (the complement is then most documents).
    """
    sql = _Sql()
    score = _Score(sql, pairs, query.town_words, query.boost_skills)
    tsquery = sql.param(match_tsquery(pairs, query.town_words))
    # Listed: matching, published, not waiting to be indexed. ``NOT IN`` a hashed set of the unpublished
    # structures, a filter of the scan, keeps the bounded sort in the workers (an anti-join was planned
    # above them, every matched row then sorted).
    listed = [
        f"{{d}}.search_vector @@ {tsquery}::tsquery",
        f"{{d}}.structure_id NOT IN (SELECT s.id FROM {STRUCTURES} s WHERE NOT s.live)",
    ]
    if query.hidden_ids:
        listed.append(f"NOT ({{d}}.structure_id = ANY({sql.param(list(query.hidden_ids))}))")
    last = sql.param(query.page * query.per_page + 1)
    statement = f"""
        SELECT key, sum(documents)::bigint, NULL::bigint, NULL::float8, NULL::int, NULL::text FROM (
            SELECT key, documents FROM search_facet_counts
            UNION ALL
            -- The keys of the documents not listed, summed by key before meeting the hundred or so of every
            -- document's (a hashed aggregate rather than a sort of every key met).
            SELECT key, -sum(n) FROM (
                SELECT unnest(sets.keys) AS key, grouped.n FROM (
                    SELECT count(*) AS n, CASE WHEN GROUPING(skill_set) = 1 THEN attribute_set ELSE skill_set END AS facet_set
                    FROM {DOCUMENTS} r
                    WHERE NOT EXISTS (SELECT 1 FROM {DOCUMENTS} m WHERE m.structure_id = r.structure_id AND {" AND ".join(listed).format(d="m")})
                    GROUP BY GROUPING SETS ((attribute_set), (skill_set))
                ) grouped JOIN {FACET_SETS} sets ON sets.id = grouped.facet_set
            ) keyed GROUP BY key
        ) counted GROUP BY key HAVING sum(documents) > 0
        UNION ALL
        SELECT NULL, NULL, m.structure_id, ({score.exact("m", few=True)})::float8, m.bound, m.name_sort FROM (
            SELECT *, {score.lower()} AS lower, {score.upper()} AS upper FROM (
                SELECT d.structure_id, d.name_sort, d.skill_set, candidates.upper AS bound, {", ".join(score.columns())}
                FROM (
                    SELECT d.structure_id, {score.upper_of_row()} AS upper FROM {DOCUMENTS} d
                    WHERE {" AND ".join(listed).format(d="d")}
                    ORDER BY upper DESC, d.name_sort COLLATE "C", d.structure_id LIMIT {last}
                ) candidates JOIN {DOCUMENTS} d ON d.structure_id = candidates.structure_id
                OFFSET 0  -- each column computed once
            ) scored
        ) m
    """
    return statement, sql.params


def broad_page(candidates: list[tuple], query: SearchQuery) -> list[tuple] | None:
    """The page from ``broad_sql``'s candidates (structure id, score, upper, name_sort); None when a document
    that is not a candidate might reach it (see ``broad_sql``)."""
    reach = query.page * query.per_page
    ranked = sorted(candidates, key=lambda c: (-c[1], c[3].encode(), c[0]))  # ORDER_BY["relevance"]
    if len(candidates) > reach:
        # The last candidate by ``upper``: every other document ranks behind it, whatever its exact score.
        last = max(candidates, key=lambda c: (-c[2], c[3].encode(), c[0]))
        kth = ranked[reach - 1]
        if (-kth[1], kth[3].encode(), kth[0]) > (-last[2], last[3].encode(), last[0]):
            return None
    return [(pk, score, None) for pk, score, _, _ in ranked[(query.page - 1) * query.per_page : reach]]


def listing_sql(query: SearchQuery) -> tuple[str, list]:
    """The blank listing (no text, filter or position): counts read from ``search_facet_counts``, the page from an index.

    The counts are kept by the documents' triggers; structures waiting to be
    indexed (hidden) are taken off them.
    """
    hidden = list(query.hidden_ids)
    order = ORDER_BY["name" if query.sort == "relevance" else query.sort]
    sql = f"""
        SELECT key, sum(documents)::bigint, NULL::bigint, NULL::float8, NULL::float8 FROM (
            SELECT key, documents FROM search_facet_counts
            UNION ALL
            SELECT key, -count(*) FROM {DOCUMENTS}, unnest(facet_keys) AS key
            WHERE structure_id = ANY(%s) GROUP BY key
        ) counted GROUP BY key HAVING sum(documents) > 0
        UNION ALL
        SELECT NULL, row_number() OVER (), structure_id, 0, NULL FROM (
            SELECT structure_id FROM (
                SELECT d.structure_id, d.name_sort, d.joined FROM {DOCUMENTS} d JOIN {STRUCTURES} s
                ON s.id = d.structure_id WHERE s.live AND NOT (d.structure_id = ANY(%s))
            ) listed ORDER BY {order} LIMIT %s OFFSET %s
        ) page
    """
    return sql, [hidden, hidden, query.per_page, (query.page - 1) * query.per_page]


def _counted(counts: dict, key: str, count: int, total: int) -> int:
    """A count row of the statements (the total, or one facet value's count put in ``counts``); the total."""
    if key == TOTAL_KEY:
        return count
    counts[FACET_OF_KEY[key[:2]]][key[2:]] = count
    return total


def _broad(cursor, query: SearchQuery, pairs: list[tuple[str, str]]):
    """(total, counts, page) from ``broad_sql``, or None when its candidates cannot tell the page."""
    sql, params = broad_sql(query, pairs)
    cursor.execute(sql, params)
    total, counts, candidates = 0, {name: {} for name in FACET_NAMES}, []
    for key, count, pk, score, upper, name in cursor.fetchall():
        if key is None:
            candidates.append((pk, score, upper, name))
        else:
            total = _counted(counts, key, count, total)
    page = broad_page(candidates, query)
    return None if page is None else (total, counts, page)


def _run(query: SearchQuery, pairs: list[tuple[str, str]]):
    listing = not pairs and query.near is None and not any(query.selected_facets().values())
    sql, params = listing_sql(query) if listing else search_sql(query, pairs)
    total, counts, page = 0, {name: {} for name in FACET_NAMES}, []
    with transaction.atomic(), connection.cursor() as cursor:
        if not listing:
            cursor.execute(PLANNER_SETTINGS)
            if broad_candidate(query, pairs) and is_broad(cursor, pairs, query.town_words):
                answered = _broad(cursor, query, pairs)
                if answered is not None:
                    cursor.execute(PLANNER_RESET)
                    return answered
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not listing:
            cursor.execute(PLANNER_RESET)
        for key, count, pk, score, distance in rows:
            if key is None:
                page.append((count, pk, score, distance))
            else:
                total = _counted(counts, key, count, total)
    page.sort()
    return total, counts, [(pk, score, distance) for _, pk, score, distance in page]


# --------------------------------------------------------------------------- typos
def _starts_an_indexed_word(cursor, word: str, stem_: str) -> bool:
    needles = _needles(word, stem_)
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM search_vocabulary WHERE (" + " OR ".join(["word LIKE %s"] * len(needles)) + "))",
        [n + "%" if len(n) >= MIN_PREFIX_LENGTH else n for n in needles],
    )
    return cursor.fetchone()[0]


def correction(cursor, word: str, stem_: str) -> str | None:
    """The indexed word nearest to a word that starts none, within the engine's typo distance; None if none is.

    Candidates are the vocabulary's nearest words by trigrams, sharing the
    first letters (never a typo, as in the engine). The fewest edits win, then
    a correction of the word as typed (a readable word) over one of its stem,
    then the commoner word.
    """
    if not max_typos(word):
        return None
    cursor.execute(
        "SELECT word, documents FROM search_vocabulary WHERE word LIKE %s ORDER BY word <-> %s LIMIT %s",
        [word[:TYPO_FIXED_PREFIX] + "%", word, TYPO_CANDIDATES],
    )
    best = None
    for candidate, documents in cursor.fetchall():
        for rank, typed in enumerate(_needles(word, stem_)[::-1]):  # the word as typed first
            limit = max_typos(typed)
            edits = edit_distance(typed, candidate, limit)
            if 0 < edits <= limit and typed[:TYPO_FIXED_PREFIX] == candidate[:TYPO_FIXED_PREFIX]:
                key = (edits, rank, -documents, candidate)
                if best is None or key < best[0]:
                    best = (key, candidate)
    if best is None:
        return None
    return _readable(cursor, best[1])


def _readable(cursor, corrected: str) -> str:
    """A word to search and show for a corrected stem: the commonest indexed word with that stem (« comptabilit » ->
    « comptabilite »), or the stem itself when no written word has it."""
    cursor.execute(
        "SELECT word FROM search_vocabulary WHERE word LIKE %s AND word <> %s ORDER BY documents DESC, word LIMIT 20",
        [corrected + "%", corrected],
    )
    return next((word for (word,) in cursor.fetchall() if stem(word) == corrected), corrected)


def corrected_words(pairs: list[tuple[str, str]], town_words=()) -> list[tuple[str, str]] | None:
    """The query's words with the ones starting no indexed word corrected; None when none could be."""
    changed = False
    corrected = []
    with connection.cursor() as cursor:
        for word, stem_ in pairs:
            if word not in town_words and not _starts_an_indexed_word(cursor, word, stem_):
                better = correction(cursor, word, stem_)
                if better is not None:
                    corrected.append((better, stem(better)))
                    changed = True
                    continue
            corrected.append((word, stem_))
    return corrected if changed else None


# --------------------------------------------------------------------------- the contract
def search(query: SearchQuery) -> SearchResult:
    """Answer a validated query from PostgreSQL."""
    pairs = query_words(query.text)
    suggestion = searched_text = None
    if only_stop_words(query.text):
        # Only stop words (« les », « à ») find nothing, rather than the whole directory.
        total, counts, page = 0, {name: {} for name in FACET_NAMES}, []
    else:
        total, counts, page = _run(query, pairs)
        if not total and pairs:
            fixed = corrected_words(pairs, query.town_words)
            if fixed is not None:
                total, counts, page = _run(query, fixed)
                pairs = fixed
                # « Vouliez-vous dire » in folded words, as the engine's; what was searched as
                # written, when the word is a known one (« comptabilité »), as ``relaxed_search`` says it.
                suggestion = " ".join(word for word, _ in fixed)
                known = known_words(query.settled)
                searched_text = " ".join(
                    known.get(word[:TYPO_FIXED_PREFIX], {}).get(word, (word,))[0] for word, _ in fixed
                )
    # Highlights mark words starting with a stem or with the word as typed, as the match did.
    terms = list(dict.fromkeys([stem_ for _, stem_ in pairs] + [word for word, _ in pairs]))
    hits = database_hits(page, terms)
    return SearchResult(
        total=total,
        page=query.page,
        per_page=query.per_page,
        engine="database",
        hits=hits,
        facets=build_facets(counts, query),
        suggestion=suggestion,
        searched_text=searched_text,
    )


def suggest(prefix: str, limit: int, hidden_ids=()) -> list[Suggestion]:
    """Skill and structure names whose words start with the typed words (the name: weight B of the vector)."""
    pairs = query_words(prefix)
    if not pairs:
        return []
    sql = f"""
        SELECT s.name, s.slug FROM {DOCUMENTS} d JOIN {STRUCTURES} s ON s.id = d.structure_id
        WHERE s.live AND d.search_vector @@ %s::tsquery AND NOT (d.structure_id = ANY(%s))
        ORDER BY d.name_sort COLLATE "C", d.structure_id LIMIT %s
    """
    tsquery = " & ".join(_any(word, stem_, "B") for word, stem_ in pairs)
    with connection.cursor() as cursor:
        cursor.execute(sql, [tsquery, list(hidden_ids), limit])
        structures = [Suggestion(kind="structure", label=name, slug=slug) for name, slug in cursor.fetchall()]
    return merge_suggestions(matching_skill_suggestions(prefix), structures, limit)
