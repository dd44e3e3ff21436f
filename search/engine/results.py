"""Reading the engine's answers into the search contract (``SearchResult``, ``Suggestion``).

Hits become structures loaded from the database (``search.base.load_structures``,
published only), facets go through the same ``build_facets`` as the database
backend's, highlights keep the contract's field names.
"""

import html
import re

from django.utils.html import escape

from ..base import build_facets, distance_km, load_structures
from ..documents import skill_sources
from ..text import fold, query_terms, words
from ..types import FACET_NAMES, Highlight, SearchHit, SearchQuery, SearchResult, Suggestion
from .definition import HIGHLIGHT_FIELDS

HIGHLIGHT_ORDER = list(HIGHLIGHT_FIELDS.values())


def read_search(query: SearchQuery, response: dict, engine: str) -> SearchResult:
    """One search response -> the page's ``SearchResult``."""
    raw_hits = response["hits"]["hits"]
    ids = [int(h["_source"]["id"]) for h in raw_hits]
    # Structures come from the database, restricted to published ones: a stale
    # index entry can never leak an unpublished structure.
    structures = {s.pk: s for s in load_structures(ids)}
    hits = []
    for raw in raw_hits:
        structure = structures.get(int(raw["_source"]["id"]))
        if structure is None:
            continue
        found = raw.get("highlight") or {}
        highlights = [
            Highlight(field=HIGHLIGHT_FIELDS[field], fragments=fragments)
            for field, fragments in found.items()
            if field in HIGHLIGHT_FIELDS
        ]
        mark_skills_by_synonym(structure, highlights, found.get("skill_synonyms") or [])
        highlights.sort(key=lambda h: HIGHLIGHT_ORDER.index(h.field))
        hits.append(
            SearchHit(
                structure=structure,
                score=raw.get("_score"),
                distance_km=distance_km(query, structure),
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
        Suggestion(kind="structure", label=h["_source"]["name"], slug=h["_source"]["slug"])
        for h in response["hits"]["hits"]
    ]


def mark_skills_by_synonym(structure, highlights: list[Highlight], synonym_fragments: list[str]) -> None:
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
        for skill in skill_sources(structure)
        if fold(skill["name"]).strip() not in already and any(fold(s).strip() in matched for s in skill["synonyms"])
    ]
    if not added:
        return
    if skills is None:
        highlights.append(Highlight(field="skills", fragments=added))
    else:
        skills.fragments.extend(added)
