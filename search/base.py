"""What both search backends share, as Wagtail's backends share ``wagtail.search.backends.base``.

The engine (``search.engine``) and the database backend (``search.database``)
each find and count their own results, then build the ``SearchResult`` with
these helpers: structures loaded from the database (published only, listing
prefetches), distances, facets with their labels, skill suggestions and the
mix of skill and structure suggestions. Neither backend calls into the other.
"""

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef

from directory.models import Person, Sector, Skill, Structure
from directory.models.structures import CATEGORY_LABELS, MEMBERSHIP_LABELS

from .models import IndexOutbox, StructureSearchDocument
from .text import document_text, fold, query_words, stem, typed_words
from .types import FACET_NAMES, FACET_SIZES, FacetValue, SearchQuery, Suggestion

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


def distance_km(query: SearchQuery, structure: Structure) -> float | None:
    """Distance from the query's point to a located structure, rounded to the metre; None otherwise."""
    if query.near is None or not structure.has_location:
        return None
    return round(haversine_km(query.near.latitude, query.near.longitude, structure.latitude, structure.longitude), 3)


# ---------------------------------------------------------------------- hits
def load_structures(ids: list[int]) -> list[Structure]:
    """Published structures in the order of ``ids``, with everything a listing needs prefetched.

    Whatever a backend found, hits come from here: a stale index entry can never
    show an unpublished structure.
    """
    by_id = Structure.objects.public().with_related().in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


# ---------------------------------------------------------------------- facets
FACET_LABELS_CACHE_KEY = "search:facet-labels"
FACET_LABELS_CACHE_SECONDS = 300


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


def forget_taxonomy_labels() -> None:
    cache.delete(FACET_LABELS_CACHE_KEY)


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


def _names_a_town(word: str) -> bool:
    return StructureSearchDocument.objects.filter(city_text__contains=f" {stem(word)} ").exists()


def relaxed_search(query, run):
    """Answer ``query`` with ``run`` (a backend's search); when every word together finds nothing, relax.

    1. The words glued or split (« photo voltaïque », « écoconstruction »).
    2. Optional words, as Algolia's « remove words if no results »: words are
       left out one at a time — those matching nothing first, then the least
       matching, the last typed first among equals — until something is found.
       A town goes before other matching words (« menuisier roubaix » with no menuisier in
       Roubaix lists the menuisiers elsewhere, not Roubaix).
       The result names them (``ignored_words``) and the page says so
       (« Résultats sans “cherche” »). A single word is never left out.
    """
    result = run(query)
    if result.total or not query.text:
        return result
    typed = typed_words(query.text)
    if not typed:
        return result
    for text in compound_variants(typed):
        relaxed = run(dataclasses.replace(query, text=text))
        if relaxed.total:
            relaxed.searched_text = text
            return relaxed
    if len(typed) < 2:
        return result
    counts = [run(dataclasses.replace(query, text=word, page=1, per_page=1)).total for _, word in typed]
    # A town only says where to look first: without the topic there, the town goes before the topic.
    towns = [_names_a_town(word) for _, word in typed]
    order = sorted(range(len(typed)), key=lambda i: (counts[i] > 0, not towns[i], counts[i], -i))
    kept = list(range(len(typed)))
    ignored = []
    for i in order[:-1]:
        kept.remove(i)
        ignored.append(typed[i][0])
        text = " ".join(typed[k][1] for k in kept)
        relaxed = run(dataclasses.replace(query, text=text))
        if relaxed.total:
            relaxed.ignored_words = ignored
            relaxed.searched_text = text
            return relaxed
    return result
