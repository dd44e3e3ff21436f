"""The portable database search: LIKE over the analysed words, on any database.

It answers when no engine is configured, and whenever the configured engine
does not (``search.service``).

Same document semantics as the engine (``search.documents``): text of the
structure, its skills with domains and synonyms, its sectors, its city, and the
skills of its public people. Every query word must match the start of a word of
the document (AND across words; accents, case, elision and plurals folded by
``search.text``). Relevance is a simple weighted count: a word in the name or a
skill outweighs one in the summary, which outweighs one deep in the
description; an exact word outweighs a prefix. No typo tolerance.

One SQL query selects the matching documents (text words and geo bounding box
in SQL, with the score); filters, disjunctive facets, exact distances, sorting
and pagination then run in Python on those light rows; a second query reads the
page's cards (``base.database_cards``).
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from ..base import (
    bounding_box,
    build_facets,
    database_hits,
    haversine_km,
    matching_skill_suggestions,
    merge_suggestions,
)
from ..models import StructureSearchDocument
from ..text import MIN_PREFIX_LENGTH, fold, only_stop_words, query_words
from ..types import FACET_NAMES, SearchQuery, SearchResult, Suggestion


def _starts_word(term: str) -> str:
    """The LIKE needle for « a word starts with term »; one-letter terms must be whole words."""
    return f" {term}" if len(term) >= MIN_PREFIX_LENGTH else f" {term} "


def _has(field: str, word: str, stem: str, exact: bool = False) -> Q:
    """``field`` has a word starting with the query word's stem or with the word as typed (or equal to, ``exact``)."""
    needles = dict.fromkeys((stem, word))
    q = Q()
    for needle in needles:
        q |= Q(**{f"{field}__contains": f" {needle} " if exact else _starts_word(needle)})
    return q


# Each skill the query names (``SearchQuery.boost_skills``) that a structure holds adds this much:
# two named skills outrank one (« menuiserie et réemploi »), a skill outranks a mere mention.
NAMED_SKILL_SCORE = 6


def score_expression(terms: list[tuple[str, str]], town_words=()):
    """A weighted count, per word, modelled on the engine's field boosts.

    Per word, the best field: city 12 (a city word means « there »: « rse lille »
    puts structures in Lille before one named « …du Vieux-Lille »), skill (name
    or synonym) exact 10 / prefix 8, name exact 7 / prefix 5 (a skill says what a
    structure does, a name only sometimes: « ruches » finds beekeepers before
    « La Ruche … »), summary 3, elsewhere exact 2 / prefix 1 — plus 1 when the
    summary also has it and 2 when the name does (a structure whose summary or
    name names the skill is more about it). A multi-word query adds 5 when its words follow each other in the name
    or a skill, 2 elsewhere (« économie circulaire » the sector before
    « économie » here and « circulaire » there).
    """
    total = None

    def add(expression):
        nonlocal total
        total = expression if total is None else total + expression

    for word, stem in terms:
        if word in town_words:
            # A town the query names only ranks (``base.town_words``): its structures first.
            add(Case(When(_has("city_text", word, stem, exact=True), then=Value(12)), default=Value(0),
                     output_field=IntegerField()))  # fmt: skip
            continue
        add(
            Case(
                When(_has("city_text", word, stem, exact=True), then=Value(12)),
                When(_has("skills_text", word, stem, exact=True), then=Value(10)),
                When(_has("skills_text", word, stem), then=Value(8)),
                When(_has("name_text", word, stem, exact=True), then=Value(7)),
                When(_has("name_text", word, stem), then=Value(5)),
                When(_has("summary_text", word, stem), then=Value(3)),
                When(_has("search_text", word, stem, exact=True), then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        # The name and the summary also having it add a little: with the skill in its name
        # too, a structure is more about it than one that has the skill alone.
        add(Case(When(_has("summary_text", word, stem), then=Value(1)), default=Value(0), output_field=IntegerField()))
        add(Case(When(_has("name_text", word, stem), then=Value(2)), default=Value(0), output_field=IntegerField()))
    if len(terms) > 1:
        phrase = " " + " ".join(stem for _, stem in terms)
        add(
            Case(
                When(name_text__contains=phrase, then=Value(5)),
                When(skills_text__contains=phrase, then=Value(5)),
                When(search_text__contains=phrase, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    return total


@dataclass
class _Row:
    pk: int
    name_sort: str
    category: str
    city: str
    city_key: str
    memberships: str
    skills: str
    sectors: str
    latitude: float | None
    longitude: float | None
    joined: object
    score: int
    distance_km: float | None = None


def _split(delimited: str) -> list[str]:
    return [v for v in delimited.split("|") if v]


def matching_rows(query: SearchQuery, terms: list[tuple[str, str]]) -> list[_Row]:
    """Published documents matching every word (and inside the geo circle when asked)."""
    docs = StructureSearchDocument.objects.filter(structure__live=True).exclude(structure_id__in=query.hidden_ids)
    for word, stem in terms:
        if word not in query.town_words:
            docs = docs.filter(_has("search_text", word, stem))
    if query.near is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.near.latitude, query.near.longitude, query.near.radius_km
        )
        docs = docs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)
    docs = docs.annotate(
        score=score_expression(terms, query.town_words) if terms else Value(0, output_field=IntegerField())
    )
    columns = (
        "structure_id", "name_sort", "category", "city", "city_key", "membership_slugs", "skill_slugs",
        "sector_slugs", "latitude", "longitude", "joined", "score",
    )  # fmt: skip
    rows = [_Row(*values) for values in docs.values_list(*columns)]
    if query.boost_skills:
        named = set(query.boost_skills)
        for row in rows:
            row.score += NAMED_SKILL_SCORE * len(named.intersection(_split(row.skills)))
    if query.near is not None:
        near = query.near
        kept = []
        for row in rows:
            row.distance_km = haversine_km(near.latitude, near.longitude, row.latitude, row.longitude)
            if row.distance_km <= near.radius_km:
                kept.append(row)
        rows = kept
    return rows


def _facet_values(row: _Row) -> dict[str, list[str]]:
    return {
        "categories": [row.category],
        "memberships": _split(row.memberships),
        "skills": _split(row.skills),
        "sectors": _split(row.sectors),
        "cities": [row.city] if row.city else [],
    }


def _selected(query: SearchQuery) -> dict[str, set[str]]:
    """Selected values per facet, cities folded (a city matches whatever its case and accents)."""
    selected = {name: set(values) for name, values in query.selected_facets().items()}
    selected["cities"] = {fold(city) for city in selected["cities"]}
    return selected


def _passes(facet: str, values: list[str], selected: set[str]) -> bool:
    if not selected:
        return True
    if facet == "cities":
        return any(fold(v).strip() in selected for v in values)
    return any(v in selected for v in values)


def filter_and_count(rows: list[_Row], query: SearchQuery) -> tuple[list[_Row], dict[str, Counter]]:
    """Rows passing every filter, and disjunctive facet counts.

    A row counts in facet F when it passes every filter except F's own, so
    choosing « collectif » still shows how many « individuel » there are.
    """
    selected = _selected(query)
    counts = {name: Counter() for name in FACET_NAMES}
    kept = []
    for row in rows:
        values = _facet_values(row)
        failing = [name for name in FACET_NAMES if not _passes(name, values[name], selected[name])]
        if not failing:
            kept.append(row)
            for name in FACET_NAMES:
                counts[name].update(set(values[name]))
        elif len(failing) == 1:
            counts[failing[0]].update(set(values[failing[0]]))
    return kept, counts


def sort_rows(rows: list[_Row], sort: str) -> list[_Row]:
    if sort == "name":
        return sorted(rows, key=lambda r: (r.name_sort, r.pk))
    if sort == "newest":
        # Members without a join date go last, then by name.
        return sorted(
            rows, key=lambda r: (r.joined is None, -(r.joined.toordinal() if r.joined else 0), r.name_sort, r.pk)
        )
    if sort == "distance":
        return sorted(rows, key=lambda r: (r.distance_km, r.name_sort, r.pk))
    return sorted(rows, key=lambda r: (-r.score, r.name_sort, r.pk))


def search(query: SearchQuery) -> SearchResult:
    """Answer a validated query from the database."""
    pairs = query_words(query.text)
    # Highlights mark words starting with a stem or with the word as typed, as the match did.
    terms = list(dict.fromkeys([stem for _, stem in pairs] + [word for word, _ in pairs]))
    # Only stop words (« les », « à ») find nothing, rather than the whole directory.
    rows = [] if only_stop_words(query.text) else matching_rows(query, pairs)
    kept, counts = filter_and_count(rows, query)
    ordered = sort_rows(kept, query.sort)
    start = (query.page - 1) * query.per_page
    page_rows = ordered[start : start + query.per_page]
    hits = database_hits([(r.pk, r.score, r.distance_km) for r in page_rows], terms)
    return SearchResult(
        total=len(kept),
        page=query.page,
        per_page=query.per_page,
        engine="database",
        hits=hits,
        facets=build_facets(counts, query),
    )


def suggest(prefix: str, limit: int, hidden_ids=()) -> list[Suggestion]:
    """Skill and structure names whose words start with the typed words."""
    pairs = query_words(prefix)
    if not pairs:
        return []
    docs = StructureSearchDocument.objects.filter(structure__live=True).exclude(structure_id__in=hidden_ids)
    for word, stem in pairs:
        docs = docs.filter(_has("name_text", word, stem))
    structures = [
        Suggestion(kind="structure", label=name, slug=slug)
        for name, slug in docs.order_by("name_sort").values_list("structure__name", "structure__slug")[:limit]
    ]
    return merge_suggestions(matching_skill_suggestions(prefix), structures, limit)
