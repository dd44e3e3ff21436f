"""The database search on PostgreSQL: its full-text index, ranking, facets and typo tolerance, all in SQL.

Same contract as ``portable`` (``tests/search``), from the same documents and the
same French analysis (``search.text``), but PostgreSQL does the work that
``portable`` does in Python (migration ``search.0008_postgres_fulltext``):

- **matching**: ``search_vector`` (generated, GIN-indexed) ``@@`` a ``tsquery``
  of the query's analysed words, each ``(stem:* | word:*)`` — « a word of the
  document starts with the stem or with the word as typed », exactly
  ``portable``'s LIKE test, answered by the index;
- **ranking**: ``portable.score_expression``'s points (city, skill, name,
  summary, elsewhere; exact before prefix; words side by side), computed by
  PostgreSQL for the matched rows only (``score_sql``), ties by name;
- **filters, disjunctive facets, distance, sorting, pagination**: one SQL
  statement — a document counts in facet F when it passes every filter but F's
  own, all facets counted in one pass over ``facet_keys``; only the page's ids,
  the total and the facet counts come back to Python;
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

DOCUMENTS = StructureSearchDocument._meta.db_table
STRUCTURES = Structure._meta.db_table
WORK_MEM = "64MB"
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
    "distance": 'distance, name_sort COLLATE "C", structure_id',
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


def _patterns(word: str, stem_: str, exact: bool = False) -> list[str]:
    """LIKE patterns for « a word of the field starts with (or is, ``exact``) the stem or the word as typed »."""
    return [f"% {n} %" if exact or len(n) < MIN_PREFIX_LENGTH else f"% {n}%" for n in _needles(word, stem_)]


def score_sql(pairs: list[tuple[str, str]], town_words=(), named_skills=()) -> tuple[str, list]:
    """``portable.score_expression``, the same points from the same fields, computed by PostgreSQL.

    Per word, the best field: city 12, skill exact 10 / prefix 8, name exact 7 /
    prefix 5, summary 3, elsewhere exact 2 / prefix 1; plus 1 when the summary
    also has it and 2 when the name does. Several words side by side add 5 in
    the name or a skill, 2 elsewhere. The fields are read with LIKE, as
    ``portable`` does, only for the rows the index matched: the vector (3 kB,
    kept out of the row by PostgreSQL's TOAST so that scans of the narrow rows
    stay cheap) is read by the GIN index only. Each field is read once on the
    common path (a word met only « elsewhere »).

    No ``ts_rank_cd``: as a tie-breaker below one point it did not help the
    development set of ``bench/relevance.py`` (NDCG@10 0.945 with, 0.949
    without) and cost a third of the query's time; ties go by name, as
    ``portable`` and the engine's ``name_sort`` do.
    """
    parts, params = [], []

    def like(column: str, patterns: list[str]) -> str:
        params.append(patterns)
        return f"{column} LIKE ANY(%s)"

    for word, stem_ in pairs:
        prefix, exact = _patterns(word, stem_), _patterns(word, stem_, exact=True)
        if word in town_words:
            # A town the query names only ranks (``base.town_words``): its structures first.
            parts.append(f"CASE WHEN {like('city_text', exact)} THEN 12 ELSE 0 END")
            continue

        def bonus(prefix: list[str] = prefix) -> str:
            # The summary and the name also having the word: +1, +2.
            return (
                f"(CASE WHEN {like('summary_text', prefix)} THEN 1 ELSE 0 END"
                f" + CASE WHEN {like('name_text', prefix)} THEN 2 ELSE 0 END)"
            )

        # One CASE per word: a tier already says whether the name or the summary has the word.
        city = f"WHEN {like('city_text', exact)} THEN 12 + {bonus()}"
        skill = (
            f"WHEN {like('skills_text', prefix)} THEN "
            f"CASE WHEN {like('skills_text', exact)} THEN 10 ELSE 8 END + {bonus()}"
        )
        name = (
            f"WHEN {like('name_text', prefix)} THEN CASE WHEN {like('name_text', exact)} THEN 7 ELSE 5 END + 2"
            f" + CASE WHEN {like('summary_text', prefix)} THEN 1 ELSE 0 END"
        )
        summary = f"WHEN {like('summary_text', prefix)} THEN 3 + 1"
        elsewhere = like("search_text", exact)
        parts.append(f"CASE {city} {skill} {name} {summary} WHEN {elsewhere} THEN 2 ELSE 1 END")
    if len(pairs) > 1:
        stems = [s for _, s in pairs]
        # The words in a row, the last one a prefix (``portable``: LIKE '% s1 s2%').
        phrase = "% " + " ".join(stems) + "%"
        in_name_or_skill = f"{like('name_text', [phrase])} OR {like('skills_text', [phrase])}"
        parts.append(f"CASE WHEN {in_name_or_skill} THEN 5 WHEN {like('search_text', [phrase])} THEN 2 ELSE 0 END")
    for slug in named_skills:
        # Each skill the query names that a structure holds (``portable.NAMED_SKILL_SCORE``).
        params.append([FACET_KEYS["skills"] + slug])
        parts.append(f"{portable.NAMED_SKILL_SCORE} * (facet_keys @> %s)::int")
    return " + ".join(parts), params


# --------------------------------------------------------------------------- one statement
def _facet_filters(query: SearchQuery) -> list[tuple[str, str, list]]:
    """(facet key prefix, SQL condition, parameter) for each facet with selected values."""
    selected = query.selected_facets()
    filters = []
    for name in FACET_NAMES:
        values = selected[name]
        if not values:
            continue
        if name == "categories":
            filters.append((FACET_KEYS[name], "d.category = ANY(%s)", list(values)))
        elif name == "cities":
            # A city matches whatever its case and accents.
            filters.append((FACET_KEYS[name], "d.city_key = ANY(%s)", [fold(city) for city in values]))
        else:
            filters.append((FACET_KEYS[name], "d.facet_keys && %s", [FACET_KEYS[name] + v for v in values]))
    return filters


def search_sql(query: SearchQuery, pairs: list[tuple[str, str]]) -> tuple[str, list]:
    """The statement answering ``query``: rows (key, count, structure id, score, distance).

    Facet rows: a ``facet_keys`` key and its count (« t: » is the total). A
    document counts in facet F when it passes every filter but F's own: rows
    failing no filter give all their keys, rows failing exactly one give that
    facet's keys. Page rows: a NULL key, the structure id, its score and distance,
    in page order.
    """
    params: list = []
    select = ["d.structure_id", "d.name_sort", "d.joined", "d.facet_keys"]
    if pairs:
        score, score_params = score_sql(pairs, query.town_words, query.boost_skills)
        select.append(f"{score} AS score")
        params += score_params
    else:
        select.append("0 AS score")
    distance = None
    if query.near is not None:
        # Haversine, as ``base.haversine_km``.
        distance = (
            f"2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt("
            "power(sin(radians(d.latitude - %s) / 2), 2)"
            " + cos(radians(%s)) * cos(radians(d.latitude)) * power(sin(radians(d.longitude - %s) / 2), 2))))"
        )
        select.append(f"{distance} AS distance")
        params += [query.near.latitude, query.near.latitude, query.near.longitude]
    else:
        select.append("NULL::float8 AS distance")
    filters = _facet_filters(query)
    if filters:
        select.append(" + ".join(f"(NOT ({condition}))::int" for _, condition, _ in filters) + " AS failing")
        params += [value for _, _, value in filters]
        select.append(
            "CASE " + " ".join(f"WHEN NOT ({condition}) THEN '{prefix}'" for prefix, condition, _ in filters) + " END"
            " AS failing_key"
        )
        params += [value for _, _, value in filters]
    else:
        select += ["0 AS failing", "NULL AS failing_key"]

    # Published only: documents exist for published structures, but one whose structure was
    # unpublished by a writer bypassing the signals must not count. Unpublished structures are
    # few: leaving them out (an anti-join on a small hash) costs less than joining every match.
    where = [f"NOT EXISTS (SELECT 1 FROM {STRUCTURES} s WHERE s.id = d.structure_id AND NOT s.live)"]
    if query.hidden_ids:
        where.append("NOT (d.structure_id = ANY(%s))")
        params.append(list(query.hidden_ids))
    if pairs:
        where.append("d.search_vector @@ %s::tsquery")
        params.append(match_tsquery(pairs, query.town_words))
    if query.near is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.near.latitude, query.near.longitude, query.near.radius_km
        )
        where.append("d.latitude BETWEEN %s AND %s AND d.longitude BETWEEN %s AND %s")
        params += [min_lat, max_lat, min_lon, max_lon]
        where.append(f"{distance} <= %s")
        params += [query.near.latitude, query.near.latitude, query.near.longitude, query.near.radius_km]
    sql = f"""
        WITH matched AS (
            SELECT {", ".join(select)}
            FROM {DOCUMENTS} d
            WHERE {" AND ".join(where)}
        )
        SELECT key, count(*), NULL::bigint, NULL::float8, NULL::float8 FROM (
            SELECT unnest(facet_keys) AS key, failing, failing_key FROM matched WHERE failing <= 1
        ) keys
        WHERE failing = 0 OR left(key, 2) = failing_key
        GROUP BY key
        UNION ALL
        SELECT NULL, row_number() OVER (), structure_id, score::float8, distance FROM (
            SELECT structure_id, score, distance FROM matched WHERE failing = 0
            ORDER BY {ORDER_BY[query.sort]} LIMIT %s OFFSET %s
        ) page
    """
    params += [query.per_page, (query.page - 1) * query.per_page]
    return sql, params


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


def _run(query: SearchQuery, pairs: list[tuple[str, str]]):
    listing = not pairs and query.near is None and not any(query.selected_facets().values())
    sql, params = listing_sql(query) if listing else search_sql(query, pairs)
    total, counts, page = 0, {name: {} for name in FACET_NAMES}, []
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL guesses how many documents a prefix (« energ:* ») matches poorly (three
        # quarters of them, when it is one in six) and then reads the whole table rather than the
        # GIN index; the matched rows are kept for the facets and the page, in memory.
        if not listing:
            cursor.execute(f"SET LOCAL enable_seqscan = off; SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not listing:
            cursor.execute("RESET enable_seqscan; RESET work_mem")
        for key, count, pk, score, distance in rows:
            if key is None:
                page.append((count, pk, score, distance))
            elif key == TOTAL_KEY:
                total = count
            else:
                counts[FACET_OF_KEY[key[:2]]][key[2:]] = count
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
                known = known_words()
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
