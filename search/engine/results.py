"""Reading the engine's answers into the search contract (``SearchResult``, ``Suggestion``).

Hits are read from what the engine returns (``_source`` holds what a hit
shows: ``search.base.card_from_source``), without a database query; the
service then checks the whole page against the database in one query
(``search.base.check_hits``). Facets go through the same ``build_facets`` as
the database backend's, highlights keep the contract's field names. The portable profile's
index holds analysed terms, not the text visitors see: LaGrappe marks the
displayed text itself (``search.highlight``, as the database backend does) with
what the engine matched — the query's terms, their synonyms, and the words of
the structure within the query's typo distance (``portable_highlight_terms``).
"""

import functools
import html
import re

from django.utils.html import escape

from ..base import build_facets, card_from_source, card_skill_sources, distance_km, taxonomy_synonyms
from ..highlight import structure_highlights
from ..text import analyze, fold, query_terms, words
from ..types import FACET_NAMES, Highlight, SearchHit, SearchQuery, SearchResult, StructureCard, Suggestion
from .definition import FULL, HIGHLIGHT_FIELDS, AnalysisProfile, expand_synonyms
from .query import FUZZY_ONE_EDIT_FROM, FUZZY_PREFIX_LENGTH, FUZZY_TWO_EDITS_FROM

HIGHLIGHT_ORDER = list(HIGHLIGHT_FIELDS.values())


def _within_typo_distance(typed: str, candidate: str) -> bool:
    """The engine's fuzzy match (``query.FUZZINESS``): same first letters, few enough edits (transpositions count one)."""
    if len(typed) < FUZZY_ONE_EDIT_FROM or typed == candidate:
        return typed == candidate
    if typed[:FUZZY_PREFIX_LENGTH] != candidate[:FUZZY_PREFIX_LENGTH]:
        return False
    allowed = 2 if len(typed) >= FUZZY_TWO_EDITS_FROM else 1
    if abs(len(typed) - len(candidate)) > allowed:
        return False
    # Optimal string alignment distance, as Lucene's fuzzy query counts it.
    previous2, previous = None, list(range(len(candidate) + 1))
    for i, a in enumerate(typed, 1):
        current = [i] + [0] * len(candidate)
        for j, b in enumerate(candidate, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if previous2 is not None and i > 1 and j > 1 and a == candidate[j - 2] and typed[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1] <= allowed


def portable_highlight_terms(query: SearchQuery, card: StructureCard, synonyms) -> list[str]:
    """What to mark on a structure found through the portable profile: the engine's matches, re-found."""
    typed = query_terms(query.text)
    terms = list(typed)
    for variant in expand_synonyms(typed, synonyms):
        terms.extend(t for t in variant if t not in terms)
    texts = [card.name, card.summary, card.description, card.city]
    texts += [s.name for s in card.sectors]
    texts += [s.name for s in card.document_skills] + list(card.skill_synonyms)
    shown = {term for text in texts for term in analyze(text or "")}
    terms.extend(sorted(c for c in shown - set(terms) if any(_within_typo_distance(t, c) for t in typed)))
    return terms


def read_search(
    query: SearchQuery, response: dict, engine: str, profile: AnalysisProfile = FULL, synonyms=()
) -> SearchResult:
    """One search response -> the page's ``SearchResult`` (``synonyms``: the portable profile's rule groups)."""
    hits = []
    cards = [card_from_source(raw["_source"]) for raw in response["hits"]["hits"]]

    @functools.cache
    def page_synonyms():
        # One cache read for the page's skills, only when a hit needs them.
        return taxonomy_synonyms(sorted({skill.slug for card in cards for skill in card.document_skills}))

    for raw, card in zip(response["hits"]["hits"], cards, strict=True):
        found = raw.get("highlight") or {}
        if profile.analyzed_by_engine:
            highlights = [
                Highlight(field=HIGHLIGHT_FIELDS[field], fragments=fragments)
                for field, fragments in found.items()
                if field in HIGHLIGHT_FIELDS
            ]
            mark_skills_by_synonym(card, highlights, found.get("skill_synonyms") or [], page_synonyms)
        elif words(query.text):
            terms = portable_highlight_terms(query, card, synonyms)
            highlights = structure_highlights(card, terms, skills=card_skill_sources(card, page_synonyms()))
        else:
            highlights = []
        highlights.sort(key=lambda h: HIGHLIGHT_ORDER.index(h.field))
        hits.append(
            SearchHit(
                structure=card,
                score=raw.get("_score"),
                distance_km=distance_km(query, card),
                highlights=highlights,
            )
        )
    counts = {
        name: {b["key"]: b["doc_count"] for b in response["aggregations"][name]["values"]["buckets"]}
        for name in FACET_NAMES
    }
    return SearchResult(
        total=response["hits"]["total"]["value"],
        page=query.page,
        per_page=query.per_page,
        engine=engine,
        hits=hits,
        facets=build_facets(counts, query),
        suggestion=read_spelling_suggestion(response, query),
    )


def read_spelling_suggestion(response: dict, query: SearchQuery) -> str | None:
    """The « did you mean », unless it only changes plurals (« menuisiers » -> « menuisier »)."""
    for entry in (response.get("suggest") or {}).get("did_you_mean", []):
        for option in entry.get("options", []):
            if option["text"] != " ".join(words(query.text)) and query_terms(option["text"]) != query_terms(query.text):
                return option["text"]
    return None


def read_structure_suggestions(response: dict) -> list[Suggestion]:
    return [
        Suggestion(kind="structure", label=h["_source"].get("label") or h["_source"]["name"], slug=h["_source"]["slug"])
        for h in response["hits"]["hits"]
    ]


def mark_skills_by_synonym(
    card: StructureCard, highlights: list[Highlight], synonym_fragments: list[str], page_synonyms
) -> None:
    """Mark, whole, the skills a synonym matched (« responsabilité sociétale » marks « RSE »).

    The engine highlights the synonym text itself, which is not shown to
    visitors; the database marks the skill's name, and so do we.
    """
    if not synonym_fragments:
        return

    def plain(fragment: str) -> str:
        return fold(html.unescape(re.sub(r"</?mark>", "", fragment))).strip()

    matched = {plain(f) for f in synonym_fragments}
    skills = next((h for h in highlights if h.field == "skills"), None)
    already = {plain(f) for f in (skills.fragments if skills else [])}
    added = [
        f"<mark>{escape(skill['name'])}</mark>"
        for skill in card_skill_sources(card, page_synonyms())
        if fold(skill["name"]).strip() not in already and any(fold(s).strip() in matched for s in skill["synonyms"])
    ]
    if not added:
        return
    if skills is None:
        highlights.append(Highlight(field="skills", fragments=added))
    else:
        skills.fragments.extend(added)
