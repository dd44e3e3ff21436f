"""French typography on every HTML page: no sign left alone at the start of a line.

French puts a space before « : ; ! ? » and inside « », and that space must not
break. The rules come from ``french-typo`` (a maintained French typography
engine: https://pypi.org/project/french-typo/), applied here to the text between
tags only — never inside ``<script>``, ``<style>``, ``<pre>``, ``<code>``,
``<textarea>``, nor in attributes or comments, where a changed character would
change code, a URL or what a form sends back. Its non-breaking spaces become
the characters French typesetting uses: a narrow one (U+202F) before « ; ! ? »
and inside « », a full one (U+00A0) before « : » and elsewhere.
"""

from __future__ import annotations

import re

from french_typo.core.rules import add_nbsp

NBSP, NARROW_NBSP = "\u00a0", "\u202f"

# Elements whose text is code or user input, not prose.
VERBATIM = {"pre", "code", "kbd", "samp", "textarea"}
RAW_TEXT = {"script", "style"}  # their content is not HTML: skipped up to the closing tag

_TOKEN = re.compile(
    r"<!--.*?-->"  # comment
    r"|<![^>]*>"  # doctype
    r"|<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",  # tag, quoted attributes may hold '>'
    re.DOTALL,
)
_GLYPHS = [
    ("«&nbsp;", "«" + NARROW_NBSP),
    ("&nbsp;»", NARROW_NBSP + "»"),
    ("&nbsp;;", NARROW_NBSP + ";"),
    ("&nbsp;!", NARROW_NBSP + "!"),
    ("&nbsp;?", NARROW_NBSP + "?"),
    ("&nbsp;", NBSP),
]
# A cheap first look: only text holding something ``add_nbsp`` acts on is handed to it
# (double signs, guillemets, a number before a unit or a symbol, an abbreviation, « article 5 »).
_NEEDS_WORK = re.compile(
    r"[:;!?«»§=±‹›]"
    r"|\d\s*(?:[%€$]|h\d*\b|(?:cm|km|kg|min|°C|[mgLs])\b)"
    r"|\b(?:M{1,2}\.|Mmes?|Mlles?|Dr|Pr|Ste?|Cie|Éts)\s"
    r"|(?i:article|coef|partie)\s+\d"
)
_SEPARATOR = "\x00"  # between text nodes typeset in one call: no rule matches or crosses it


def _glyphs(text: str) -> str:
    for entity, glyph in _GLYPHS:
        text = text.replace(entity, glyph)
    return text


def french_text(text: str) -> str:
    """The French spacing of a piece of text (no markup inside)."""
    if not _NEEDS_WORK.search(text):
        return text
    return _glyphs(add_nbsp(text))


def _french_texts(texts: list[str]) -> list[str]:
    """``french_text`` of many text nodes in one pass of the rules (a page has thousands)."""
    todo = [i for i, text in enumerate(texts) if _SEPARATOR not in text and _NEEDS_WORK.search(text)]
    if not todo:
        return texts
    done = _glyphs(add_nbsp(_SEPARATOR.join(texts[i] for i in todo))).split(_SEPARATOR)
    if len(done) != len(todo):  # cannot happen with the rules as they are; stay correct if they change
        return [french_text(text) for text in texts]
    result = list(texts)
    for i, text in zip(todo, done, strict=True):
        result[i] = text
    return result


def french_html(html: str) -> str:
    """Apply ``french_text`` to the text nodes of an HTML document or fragment."""
    parts: list[str] = []  # markup and text, in order
    prose: list[int] = []  # indexes of the text parts to typeset
    position, verbatim_depth = 0, 0
    while True:
        match = _TOKEN.search(html, position)
        text = html[position : match.start() if match else len(html)]
        if text:
            if not verbatim_depth:
                prose.append(len(parts))
            parts.append(text)
        if match is None:
            break
        parts.append(match.group(0))
        position = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        if name in RAW_TEXT and not closing:
            end = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, position)
            stop = end.start() if end else len(html)
            parts.append(html[position:stop])
            position = stop
        elif name in VERBATIM and not match.group(0).endswith("/>"):
            verbatim_depth = max(0, verbatim_depth + (-1 if closing else 1))
    for index, text in zip(prose, _french_texts([parts[i] for i in prose]), strict=True):
        parts[index] = text
    return "".join(parts)


class FrenchTypographyMiddleware:
    """Rewrites the text of HTML responses (pages, admin, error pages); other types pass untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if (
            response.streaming
            or not content_type.startswith("text/html")
            or response.get("Content-Encoding")
            or not response.content
        ):
            return response
        charset = response.charset or "utf-8"
        response.content = french_html(response.content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
