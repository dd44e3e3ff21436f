"""Highlights shared by both backends' conventions: HTML-escaped text, ``<mark>`` around matched words.

The engine's full profile highlights with its own analyzer. The database
backend marks, on the displayed text, every word whose analysed form starts
with one of the query's terms; the engine's portable profile does the same with
the analysed terms the engine reports as matched (typos and synonyms included).
"""

import re

from django.utils.html import escape

from .text import MIN_PREFIX_LENGTH, fold, stem
from .types import Highlight, StructureCard

_WORD = re.compile(r"\w+", re.UNICODE)
FRAGMENT_SIZE = 180


def _matches(word: str, terms: list[str]) -> bool:
    folded = fold(word)
    analysed = stem(folded)
    return any(
        (analysed.startswith(t) or folded.startswith(t)) if len(t) >= MIN_PREFIX_LENGTH else t in (analysed, folded)
        for t in terms
    )


def mark(text: str, terms: list[str], fragment_size: int | None = None) -> str | None:
    """``text`` escaped, matched words wrapped in ``<mark>``; None when nothing matches.

    With ``fragment_size``, long texts are cut to a window around the first match.
    """
    if not text or not terms:
        return None
    spans = [m.span() for m in _WORD.finditer(text) if _matches(m.group(), terms)]
    if not spans:
        return None
    start, end = 0, len(text)
    if fragment_size and len(text) > fragment_size:
        start = max(0, spans[0][0] - fragment_size // 4)
        # Start on a word boundary so the fragment never opens mid-word.
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < spans[0][0] else spans[0][0]
        end = min(len(text), start + fragment_size)
        if end < len(text):
            space = text.rfind(" ", spans[0][1], end)
            end = space if space > 0 else end
    pieces = ["…" if start > 0 else ""]
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        pieces.append(escape(text[cursor:a]))
        pieces.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    pieces.append(escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return "".join(pieces)


def mark_skills(skill_sources: list[dict], terms: list[str]) -> list[str]:
    """Skill names that matched the query, directly or through one of their synonyms.

    A synonym is the skill's other name: the whole skill is marked. A match on
    the skill's domain (« Économie sociale ») marks nothing: the visitor would
    see « Comptabilité » marked for « économie » and not know why.
    """
    fragments = []
    for skill in skill_sources:
        marked = mark(skill["name"], terms)
        if marked is None and any(mark(other, terms) for other in skill["synonyms"]):
            marked = f"<mark>{escape(skill['name'])}</mark>"
        if marked is not None:
            fragments.append(marked)
    return fragments


def structure_highlights(card: StructureCard, terms: list[str], skills: list[dict]) -> list[Highlight]:
    """Highlights of a hit's card, from what it shows (never from non-public people).

    ``skills``: the card's skills with their synonyms (``base.card_skill_sources``).
    """
    if not terms:
        return []
    highlights = []
    for field, text, size in (
        ("name", card.name, None),
        ("summary", card.summary, None),
        ("description", card.description, FRAGMENT_SIZE),
        ("city", card.city, None),
    ):
        marked = mark(text, terms, size)
        if marked is not None:
            highlights.append(Highlight(field=field, fragments=[marked]))
    skills = mark_skills(skills, terms)
    if skills:
        highlights.append(Highlight(field="skills", fragments=skills))
    sectors = [m for m in (mark(s.name, terms) for s in card.sectors) if m]
    if sectors:
        highlights.append(Highlight(field="sectors", fragments=sectors))
    return highlights
