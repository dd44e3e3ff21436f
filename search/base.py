"""What both search backends share, as Wagtail's backends share ``wagtail.search.backends.base``.

The engine (``search.engine``) and the database backend (``search.database``)
each find and count their own results, then build the ``SearchResult`` with
these helpers: the database's hits as cards read from flat rows (published
only, as the engine's), distances, facets with their labels, skill suggestions and the
mix of skill and structure suggestions. Neither backend calls into the other.
"""

import dataclasses
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, FilteredRelation, Max, OuterRef, Q

from directory.models import Person, Sector, Skill, SkillDomain, Structure
from directory.models.structures import CATEGORY_LABELS, MEMBERSHIP_LABELS
from directory.models.taxonomy import split_synonyms

from .generation import GENERATION_KEY, current_generation
from .highlight import structure_highlights
from .models import IndexOutbox, StructureSearchDocument
from .text import (
    STOP_WORDS,
    TYPO_FIXED_PREFIX,
    analyze,
    document_text,
    edit_distance,
    fold,
    glued_elisions,
    max_typos,
    query_words,
    typed_words,
)
from .types import (
    FACET_NAMES,
    FACET_SIZES,
    FacetValue,
    Listed,
    NamedValue,
    SearchHit,
    SearchQuery,
    StructureCard,
    Suggestion,
)

logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
SKILLS_CACHE_KEY = "search:suggestible-skills"
SKILLS_CACHE_SECONDS = 300


# ---------------------------------------------------------------------- geo
def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """A box that contains the circle; cheap to test in SQL with the latitude index."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(lat))
    dlon = 180.0 if cos_lat < 1e-6 else min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def distance_km(query: SearchQuery, structure) -> float | None:
    """Distance from the query's point to a located structure, rounded to the metre; None otherwise."""
    if query.near is None or not structure.has_location:
        return None
    return round(haversine_km(query.near.latitude, query.near.longitude, structure.latitude, structure.longitude), 3)


# ---------------------------------------------------------------------- hits
# A card's columns as the database holds them: the structure's row, the facet values of its search document.
_CARD_COLUMNS = (
    "pk", "slug", "name", "summary", "description", "city", "category", "latitude", "longitude", "joined",
    "updated_at", "search_document__membership_slugs", "search_document__skill_slugs",
    "search_document__sector_slugs",
)  # fmt: skip


def _slugs(delimited: str | None) -> list[str]:
    """A document's ``|a|b|`` column -> its slugs, in their order."""
    return [slug for slug in (delimited or "").split("|") if slug]


def database_cards(ids: list[int]) -> list[StructureCard]:
    """Cards of the published structures among ``ids``, in their order: one flat query, no model instance.

    The same card the engine's ``_source`` gives (``card_from_source``): the
    structure's own columns, and the memberships, sectors and skills of its
    search document (its own skills, then those of its public people, as the
    engine's copy holds them), named from the cached taxonomy. Published only,
    whatever a backend found: a stale document never shows an unpublished
    structure. A document whose change waits to be indexed is hidden before the
    search (``SearchQuery.hidden_ids``), so its skills are those of the structure
    and of its consenting people. ``people`` stays empty: it serves the engine's
    check against the database (``check_hits``), and these cards are read from it.
    """
    return _database_cards(ids)[0]


def _database_cards(ids: list[int]) -> tuple[list[StructureCard], dict[str, list[str]]]:
    """``database_cards``, and the synonyms of their skills (``taxonomy_synonyms``) for their highlights."""
    rows = Structure.objects.public().filter(pk__in=ids).values_list(*_CARD_COLUMNS)
    by_id = {row[0]: row for row in rows}
    found = [by_id[i] for i in ids if i in by_id]
    skill_slugs = {slug for row in found for slug in _slugs(row[12])}
    sector_slugs = {slug for row in found for slug in _slugs(row[13])}
    skill_names, sector_names = taxonomy_labels(sorted(skill_slugs), sorted(sector_slugs))
    synonyms = taxonomy_synonyms(sorted(skill_slugs))
    cards = []
    for pk, slug, name, summary, description, city, category, lat, lon, joined, updated_at, ms, sk, se in found:
        skills = _slugs(sk)
        cards.append(
            StructureCard(
                pk=pk,
                slug=slug,
                name=name,
                summary=summary,
                description=description,
                city=city,
                category=category,
                latitude=lat,
                longitude=lon,
                joined=joined,
                memberships=Listed(NamedValue(m, MEMBERSHIP_LABELS.get(m, m)) for m in _slugs(ms)),
                sectors=Listed(NamedValue(s, sector_names.get(s, s)) for s in _slugs(se)),
                document_skills=Listed(NamedValue(s, skill_names.get(s, s)) for s in skills),
                skill_synonyms=tuple(synonym for s in skills for synonym in synonyms.get(s, [])),
                updated_at=updated_at.isoformat(),
            )
        )
    return cards, synonyms


def card_from_source(source: dict) -> StructureCard:
    """A search document as the engine returns it (``_source``, either profile) -> the card a hit shows.

    The portable profile indexes analysed terms: its text as written is under
    ``shown`` and its name under ``label`` (``definition.portable_document``).
    """
    shown = {**source, **source.get("shown", {})}
    location = source.get("location")
    return StructureCard(
        pk=int(source["id"]),
        slug=source["slug"],
        name=source.get("label") or source["name"],
        summary=shown.get("summary") or "",
        description=shown.get("description") or "",
        city=shown.get("city") or "",
        category=source["category"],
        latitude=location["lat"] if location else None,
        longitude=location["lon"] if location else None,
        joined=date.fromisoformat(source["joined"]) if source.get("joined") else None,
        memberships=Listed(
            NamedValue(slug, MEMBERSHIP_LABELS.get(slug, slug)) for slug in source.get("memberships", [])
        ),
        sectors=Listed(map(NamedValue, source.get("sectors", []), shown.get("sector_names", []))),
        document_skills=Listed(map(NamedValue, source.get("skills", []), shown.get("skill_names", []))),
        skill_synonyms=tuple(shown.get("skill_synonyms", [])),
        updated_at=source.get("updated_at") or "",
        people=tuple(source.get("people", [])),
    )


def card_skill_sources(card: StructureCard, synonyms: Mapping[str, list[str]] | None = None) -> list[dict]:
    """A card's skills with their synonyms, its own first, then those only its public people hold (as its document).

    ``synonyms`` (``taxonomy_synonyms`` of a whole page's skills) saves a cache
    read per card: with the database cache, a read is an SQL query, and a page's
    cost must not grow with its hits.
    """
    if synonyms is None:
        synonyms = taxonomy_synonyms([skill.slug for skill in card.document_skills])
    return [{"slug": s.slug, "name": s.name, "synonyms": synonyms.get(s.slug, [])} for s in card.document_skills]


def check_hits(hits: list[SearchHit]) -> list[SearchHit]:
    """Cards read from the engine, kept only while the database agrees: one query for the whole page.

    The query reads, for each card, whether its structure is still published,
    when it was last saved and which of its people are public. A card is left
    out when its structure is gone or unpublished, changed since it was indexed,
    or has other public people (a withdrawn consent): it may have matched
    through what is no longer true. This only happens when the index is behind
    without the outbox knowing; changes the outbox knows of are hidden before
    the engine is asked (``sync.pending``).
    """
    cards = {hit.structure.pk: hit.structure for hit in hits if isinstance(hit.structure, StructureCard)}
    if not cards:
        return hits
    facts = defaultdict(lambda: ["", set()])
    rows = (
        Structure.objects.public()
        .filter(pk__in=list(cards))
        .order_by()
        .annotate(public_person=FilteredRelation("people", condition=Q(people__public=True)))
        .values_list("pk", "updated_at", "public_person__id")
    )
    for pk, updated_at, person in rows:
        facts[pk][0] = updated_at.isoformat()
        if person is not None:
            facts[pk][1].add(person)
    current = {pk for pk, card in cards.items() if pk in facts and facts[pk] == [card.updated_at, set(card.people)]}
    if len(current) < len(cards):
        logger.warning("Search index behind the database, hits left out: %s", sorted(set(cards) - current))
    return [hit for hit in hits if not isinstance(hit.structure, StructureCard) or hit.structure.pk in current]


def database_hits(page, terms) -> list[SearchHit]:
    """A database backend's page of ``(id, score, distance_km)`` rows -> hits: cards (``database_cards``), highlighted.

    ``terms``: what the highlights mark; without any (a blank listing) a hit has no score.
    """
    found = {pk: (score, distance) for pk, score, distance in page}
    cards, synonyms = _database_cards(list(found))
    return [
        SearchHit(
            structure=card,
            score=float(found[card.pk][0]) if terms else None,
            distance_km=round(found[card.pk][1], 3) if found[card.pk][1] is not None else None,
            highlights=structure_highlights(card, terms, skills=card_skill_sources(card, synonyms)) if terms else [],
        )
        for card in cards
    ]


# ---------------------------------------------------------------------- facets
FACET_LABELS_CACHE_KEY = "search:facet-labels"
FACET_LABELS_CACHE_SECONDS = 300
SKILL_SYNONYMS_CACHE_KEY = "search:skill-synonyms"


def taxonomy_labels(skill_slugs, sector_slugs) -> tuple[dict[str, str], dict[str, str]]:
    """Names of skills and sectors by slug, from a cache the signals clear on any change (``search.signals``).

    A slug the cache does not know yet (a skill created by an import) is read
    once and added; a slug that names nothing is remembered as such.
    """
    known = cache.get(FACET_LABELS_CACHE_KEY) or {"skills": {}, "sectors": {}}
    missing = False
    for name, model, slugs in (("skills", Skill, skill_slugs), ("sectors", Sector, sector_slugs)):
        unknown = [slug for slug in slugs if slug not in known[name]]
        if unknown:
            missing = True
            found = dict(model.objects.filter(slug__in=unknown).values_list("slug", "name"))
            known[name].update({slug: found.get(slug) for slug in unknown})
    if missing:
        cache.set(FACET_LABELS_CACHE_KEY, known, FACET_LABELS_CACHE_SECONDS)
    pick = lambda labels, slugs: {slug: labels[slug] for slug in slugs if labels.get(slug)}  # noqa: E731
    return pick(known["skills"], skill_slugs), pick(known["sectors"], sector_slugs)


def taxonomy_synonyms(skill_slugs) -> dict[str, list[str]]:
    """Synonyms of skills by slug, every skill's read at once and cached (cleared on any taxonomy change).

    Whole, so that which hits a page holds never changes the number of queries;
    a slug the cache does not know (a skill created since) reads them again.
    """
    known = cache.get(SKILL_SYNONYMS_CACHE_KEY)
    if known is None or any(slug not in known for slug in skill_slugs):
        known = {slug: split_synonyms(synonyms) for slug, synonyms in Skill.objects.values_list("slug", "synonyms")}
        cache.set(SKILL_SYNONYMS_CACHE_KEY, known, FACET_LABELS_CACHE_SECONDS)
    return {slug: known.get(slug, []) for slug in skill_slugs}


def forget_taxonomy_labels() -> None:
    cache.delete_many([FACET_LABELS_CACHE_KEY, SKILL_PHRASES_CACHE_KEY, SKILL_SYNONYMS_CACHE_KEY])


def facet_labels(counts: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, str]]:
    """Labels of the counted values: fixed lists for categories and memberships, names for skills and sectors."""
    skills, sectors = taxonomy_labels(list(counts.get("skills", {})), list(counts.get("sectors", {})))
    return {
        "categories": CATEGORY_LABELS,
        "memberships": MEMBERSHIP_LABELS,
        "skills": skills,
        "sectors": sectors,
        "cities": {},
    }


def build_facets(counts: Mapping[str, Mapping[str, int]], query: SearchQuery) -> dict[str, list[FacetValue]]:
    """Counted values -> ``SearchResult.facets``: by count (desc) then label; selected values always listed, even at zero."""
    labels = facet_labels(counts)
    selected = query.selected_facets()
    facets = {}
    for name in FACET_NAMES:
        values = [
            FacetValue(value=value, label=labels[name].get(value, value), count=count)
            for value, count in Counter(counts.get(name, {})).items()
        ]
        values.sort(key=lambda v: (-v.count, fold(v.label), v.value))
        values = values[: FACET_SIZES[name]]
        listed = {fold(v.value) for v in values}
        for value in selected[name]:
            if fold(value) not in listed:
                values.append(FacetValue(value=value, label=labels[name].get(value, value), count=0))
        facets[name] = values
    return facets


# ---------------------------------------------------------------------- suggestions
def suggestible_skills():
    """Skills a visitor may see: held by a published structure or by a public person of one."""
    by_structure = Structure.objects.public().filter(skills=OuterRef("pk"))
    by_person = Person.objects.public().filter(structure__live=True, skills=OuterRef("pk"))
    return Skill.objects.filter(Exists(by_structure) | Exists(by_person)).order_by("name")


def skills_cache_key() -> str | None:
    """The cache key of the suggestible skills, or None while directory changes wait to be indexed.

    Which skills may be suggested changes with a publication or a consent. The
    key follows the search documents (their number and last refresh), which the
    worker rewrites for every change it processes: every web process sees a
    new key at once, with or without a shared cache. While changes wait, the
    skills are read live (a withdrawn consent counts from the next request).
    """
    if IndexOutbox.objects.filter(kind=IndexOutbox.STRUCTURE).exists():
        return None
    stamp = StructureSearchDocument.objects.aggregate(count=Count("pk"), last=Max("indexed_at"))
    last = stamp["last"].timestamp() if stamp["last"] else 0
    return f"{SKILLS_CACHE_KEY}:{stamp['count']}:{last}"


def suggestible_skill_rows() -> list[tuple[str, str, list[list[str]]]]:
    """(name, slug, analysed words of the name and of each synonym), cached while the documents do not change."""
    key = skills_cache_key()
    rows = cache.get(key) if key else None
    if rows is None:
        rows = [
            (name, slug, [document_text(name).split()] + [document_text(s).split() for s in synonyms.splitlines()])
            for name, slug, synonyms in suggestible_skills().values_list("name", "slug", "synonyms")
        ]
        if key:
            cache.set(key, rows, SKILLS_CACHE_SECONDS)
    return rows


def _prefix_match(pairs: list[tuple[str, str]], text_terms: list[str]) -> bool:
    """Every query word starts a term of the text, by its stem or as typed (as the database backend matches)."""
    return all(any(term.startswith(stem) or term.startswith(word) for term in text_terms) for word, stem in pairs)


def matching_skill_suggestions(prefix: str) -> list[Suggestion]:
    """Suggestible skills whose name or a synonym has words starting with every typed word."""
    pairs = query_words(prefix)
    if not pairs:
        return []
    return [
        Suggestion(kind="skill", label=name, slug=slug)
        for name, slug, variants in suggestible_skill_rows()
        if any(_prefix_match(pairs, variant) for variant in variants)
    ]


def merge_suggestions(skills: list[Suggestion], structures: list[Suggestion], limit: int) -> list[Suggestion]:
    """Half skills, half structures; whichever runs short leaves its room to the other."""
    skill_room = max(limit - len(structures), limit // 2)
    chosen_skills = skills[:skill_room]
    return chosen_skills + structures[: limit - len(chosen_skills)]


# Leading elements visitors glue to the next word or write apart: « écoconstruction »,
# « zéro déchet ». A glued word starting with one is also tried split.
COMBINING_ELEMENTS = ("eco", "zero", "velo", "bio", "agro", "auto", "micro", "photo", "geo", "hydro", "repair")
MAX_COMPOUND_TRIES = 4


def compound_variants(typed: list[tuple[str, str]]) -> list[str]:
    """Other spellings of a query's words: two adjacent words glued, a glued word split after its first element."""
    folded = [word for _, word in typed]
    variants = []
    for i in range(len(folded) - 1):
        variants.append(" ".join([*folded[:i], folded[i] + folded[i + 1], *folded[i + 2 :]]))
    for i, word in enumerate(folded):
        for element in COMBINING_ELEMENTS:
            if word.startswith(element) and len(word) >= len(element) + 3:
                variants.append(" ".join([*folded[:i], element, word[len(element) :], *folded[i + 1 :]]))
    return variants[:MAX_COMPOUND_TRIES]


# ---------------------------------------------------------------------- reading the query
SKILL_PHRASES_CACHE_KEY = "search:skill-phrases"
TOWNS_CACHE_KEY = "search:towns"
VOCABULARY_CACHE_KEY = "search:vocabulary"


def _cached(key_prefix: str, compute, stamped: bool = True, settled: bool = False):
    """``compute()`` cached while the search documents do not change (``skills_cache_key``), or by
    the taxonomy signals (``stamped=False``: ``forget_taxonomy_labels`` drops it).

    ``settled``: the caller knows no change waits to be indexed (``SearchQuery.settled``);
    the index generation, which the worker bumps before it lets go of a processed change,
    then stamps the key instead of two SQL queries over the documents.
    """
    if stamped and settled:
        key = f"{key_prefix}:generation:{current_generation(cache.get(GENERATION_KEY))}"
    elif stamped:
        stamp = skills_cache_key()
        key = None if stamp is None else key_prefix + stamp[len(SKILLS_CACHE_KEY) :]
    else:
        key = key_prefix
    value = cache.get(key) if key else None
    if value is None:
        value = compute()
        if key:
            cache.set(key, value, SKILLS_CACHE_SECONDS)
    return value


def _phrases(*texts: str) -> list[tuple[str, ...]]:
    return [phrase for text in texts if (phrase := tuple(analyze(text)))]


def skill_phrases() -> list[tuple[str, list[tuple[str, ...]], list[tuple[str, ...]]]]:
    """(slug, analysed name and synonyms, analysed domain name and synonyms) of every skill."""

    def compute():
        rows = Skill.objects.values_list("slug", "name", "synonyms", "domain__name", "domain__synonyms")
        return [
            (slug, _phrases(name, *split_synonyms(synonyms)), _phrases(domain or "", *split_synonyms(domain_synonyms)))
            for slug, name, synonyms, domain, domain_synonyms in rows
        ]

    return _cached(SKILL_PHRASES_CACHE_KEY, compute, stamped=False)


def named_skills(text: str) -> tuple[str, ...]:
    """Slugs of the skills a query names: by its name, a synonym or its domain, every word of it there.

    A skill's name also counts by its first word (« réemploi » names « Réemploi des
    matériaux »). Each named skill a structure holds ranks it higher (« menuiserie
    et réemploi »: both skills before one), on every backend.
    """
    stems = set(analyze(text))
    if not stems:
        return ()
    found = []
    for slug, phrases, domain_phrases in skill_phrases():
        covered = any(set(p) <= stems for p in phrases + domain_phrases)
        first = phrases[0][0] if phrases else ""
        if covered or (len(first) >= 4 and first in stems):
            found.append(slug)
    return tuple(found)


def town_variants(settled: bool = False) -> list[tuple[str, ...]]:
    """The analysed words of each town of the directory (« villeneuv ascq » and « villeneuv dascq »)."""

    def compute():
        variants = set()
        for city in StructureSearchDocument.objects.values_list("city", flat=True).distinct():
            terms = analyze(city)
            if terms:
                variants.add(tuple(terms))
            glued = glued_elisions(city)
            if glued:
                kept = [t for t in terms if not any(g != t and g.endswith(t) for g in glued)]
                variants.add(tuple(kept + glued))
        return sorted(variants)

    return _cached(TOWNS_CACHE_KEY, compute, settled=settled)


def town_words(text: str, settled: bool = False) -> tuple[str, ...]:
    """Words of the query naming a town of the directory (its whole name), when other words remain.

    Such words rank that town's structures first and never filter: « menuisier
    roubaix » lists every menuisier, Roubaix's first. A query naming only a town
    (« Roubaix ») keeps it as a filter.
    """
    pairs = query_words(text)
    if len(pairs) < 2:
        return ()
    stems = {stem for _, stem in pairs}
    named = set()
    for variant in town_variants(settled):
        if set(variant) <= stems:
            named.update(variant)
    found = tuple(word for word, stem in pairs if stem in named)
    return found if len(found) < len(pairs) else ()


def prepare(query):
    """The query with what its text says besides words: towns to rank by, skills it names."""
    return dataclasses.replace(
        query, town_words=town_words(query.text, query.settled), boost_skills=named_skills(query.text)
    )


_VOCABULARY_WORD = re.compile(r"[^\W\d_]+")


def vocabulary(settled: bool = False) -> dict[str, dict[str, tuple[str, int]]]:
    """Words visitors may mistype, by their first letters: folded word -> (as written, weight).

    The taxonomy (skills, domains, sectors: names and synonyms) weighs most, then
    towns and names of published structures. ``settled``: as ``_cached``'s (no
    change waits: the key is the generation, not a count of every document).
    """

    def compute():
        found: dict[str, tuple[str, int]] = {}

        def add(texts, weight):
            for text in texts:
                for token in _VOCABULARY_WORD.findall(text or ""):
                    word = fold(token)
                    if len(word) >= 4 and word.isascii() and word.isalpha() and word not in STOP_WORDS:
                        shown, total = found.get(word, (token.lower(), 0))
                        found[word] = (shown, total + weight)

        for model in (Skill, SkillDomain, Sector):
            for name, synonyms in model.objects.values_list("name", "synonyms"):
                add([name, *split_synonyms(synonyms)], 10)
        add(StructureSearchDocument.objects.values_list("city", flat=True), 1)
        add(Structure.objects.public().values_list("name", flat=True), 1)
        by_start: dict[str, dict[str, tuple[str, int]]] = {}
        for word, entry in found.items():
            by_start.setdefault(word[:TYPO_FIXED_PREFIX], {})[word] = entry
        return by_start

    return _cached(VOCABULARY_CACHE_KEY, compute, settled=settled)


def closest_word(word: str, settled: bool = False) -> tuple[str, str] | None:
    """(folded, as written) of the known word closest to a word that matches nothing, if close enough.

    As close as the engine's fuzziness allows (one edit from 5 letters, two from 9,
    the first two letters right), against a whole word or against the start of a
    longer one (« céramik » -> « céramique »); then the likelier word.
    """
    limit = max_typos(word)
    if not limit:
        return None
    best = None
    for candidate, (shown, weight) in vocabulary(settled).get(word[:TYPO_FIXED_PREFIX], {}).items():
        distance = edit_distance(word, candidate, limit)
        rank = (distance, 0, -weight, candidate)
        if len(candidate) > len(word) and len(word) >= 6:
            start = edit_distance(word, candidate[: len(word)], 1)
            rank = min(rank, (start, 1, -weight, candidate))
        if rank[0] <= limit and (best is None or rank < best[0]):
            best = (rank, candidate, shown)
    return (best[1], best[2]) if best else None


def relaxed_search(query, run):
    """Answer ``query`` with ``run`` (a backend's search); when every word together finds nothing, relax.

    The query is first ``prepare``d: a town it names ranks, and never filters, when
    other words remain; skills it names rank their holders. Then, while nothing is found:

    1. The words glued or split (« photo voltaïque », « écoconstruction »).
    2. Words that match nothing replaced by the closest known word (« photovoltaque »,
       « céramik »), as close as the engine's fuzziness allows (``closest_word``).
    3. Optional words, as Algolia's « remove words if no results »: words are
       left out one at a time — those matching nothing first, then the least
       matching, the last typed first among equals — until something is found.
       The result names them (``ignored_words``) and the page says so
       (« Résultats sans “cherche” »). A single word is never left out.

    ``searched_text`` says what was searched instead of the query's text.
    """

    def go(q):
        return run(prepare(q))

    result = go(query)
    if result.total or not query.text:
        return result
    typed = typed_words(query.text)
    if not typed:
        return result
    for text in compound_variants(typed):
        relaxed = go(dataclasses.replace(query, text=text))
        if relaxed.total:
            relaxed.searched_text = text
            return relaxed
    counts = (
        [0] if len(typed) == 1 else [go(dataclasses.replace(query, text=w, page=1, per_page=1)).total for _, w in typed]
    )
    shown = [word for _, word in typed]  # what searched_text says for each word
    corrected = False
    for i, (_, word) in enumerate(typed):
        closest = None if counts[i] else closest_word(word, query.settled)
        if closest:
            typed[i] = (typed[i][0], closest[0])
            shown[i] = closest[1]
            corrected = True
    if corrected:
        text = " ".join(word for _, word in typed)
        relaxed = go(dataclasses.replace(query, text=text))
        if relaxed.total:
            relaxed.searched_text = " ".join(shown)
            return relaxed
        if len(typed) > 1:
            counts = [go(dataclasses.replace(query, text=w, page=1, per_page=1)).total for _, w in typed]
    if len(typed) < 2:
        return result
    order = sorted(range(len(typed)), key=lambda i: (counts[i] > 0, counts[i], -i))
    kept = list(range(len(typed)))
    ignored = []
    for i in order[:-1]:
        kept.remove(i)
        ignored.append(typed[i][0])
        text = " ".join(typed[k][1] for k in kept)
        relaxed = go(dataclasses.replace(query, text=text))
        if relaxed.total:
            relaxed.ignored_words = ignored
            relaxed.searched_text = " ".join(shown[k] for k in kept)
            return relaxed
    return result
