"""French text analysis for the database fallback (and for highlights).

A small, predictable imitation of the engine's analyzer: elision (l', d', qu'…),
lowercase, ASCII folding (accents, œ, æ), French stop words and a light plural
folding. The same function analyses documents and queries, so whatever it does
to a word it does on both sides; prefix matching covers the rest.
"""

import re
import unicodedata
from functools import lru_cache

# The words the engine's French stop filter drops most often; kept short on
# purpose: a stop word in a query is simply ignored.
STOP_WORDS = frozenset(
    """
    a au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme mes moi mon ne nos notre
    nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y
    est sont ete etre
    """.split()
)

ELISION_PREFIXES = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "quoiqu", "lorsqu", "puisqu")
_ELISION = re.compile(r"\b(?:" + "|".join(ELISION_PREFIXES) + r")['’‘`]", re.IGNORECASE)
_WORD = re.compile(r"[0-9a-z]+")
# An elided word as visitors also type it, without the apostrophe: « d'Ascq » -> « dascq ».
_GLUED = re.compile(r"\b(" + "|".join(ELISION_PREFIXES) + r")'([0-9a-z]+)")
# Below this length a query word only matches whole words: « b » as a prefix would match
# half the directory (« a:b* » is just the words « a » and « b »).
MIN_PREFIX_LENGTH = 2
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'"})


# Each non-ASCII character's folded form, learnt once, applied by ``str.translate``
# (documents are folded by the thousand): ligatures first, then NFKD without marks.
_FOLD_TABLE: dict[int, str] = {code: value for code, value in _LIGATURES.items()}


def _learn(ch: str) -> None:
    decomposed = unicodedata.normalize("NFKD", ch)
    _FOLD_TABLE[ord(ch)] = "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase, strip accents and ligatures: « Énergie & Cœur » -> « energie & coeur »."""
    text = text or ""
    if text.isascii():
        return text.lower()
    for ch in set(text):
        if ord(ch) > 127 and ord(ch) not in _FOLD_TABLE:
            _learn(ch)
    return text.translate(_FOLD_TABLE).lower()


def stem(word: str) -> str:
    """Light French plural folding, the same on documents and queries.

    « menuisiers » -> « menuisier », « panneaux » -> « panneau », « locaux » -> « local ».
    Short words are left alone (« gaz », « bus »).
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("eaux"):
        return word[:-1]
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def analyze(text: str, keep_stop_words: bool = False) -> list[str]:
    """Text -> list of folded, stemmed terms (stop words dropped)."""
    folded = fold(_ELISION.sub(" ", text or ""))
    return [stem(w) for w in _WORD.findall(folded) if keep_stop_words or w not in STOP_WORDS]


def glued_elisions(text: str) -> list[str]:
    """Elided words written without their apostrophe: « Villeneuve-d’Ascq » -> [« dascq »].

    Indexed next to the elided form so « villeneuve dascq » finds the city too
    (the engine does the same with a ``multiplexer`` in ``french_index``).
    """
    folded = fold(text or "").replace("`", "'")
    return [stem(a + b) for a, b in _GLUED.findall(folded)]


def document_text(*parts: str) -> str:
    """Terms of several texts as one space-delimited string, with a leading and trailing space.

    The padding makes « starts a word » a plain substring test (`` ' ' + term``),
    which LIKE can evaluate on SQLite and PostgreSQL alike. Glued elisions come
    after each part's terms, so they never split a phrase of the text.
    """
    terms = []
    for part in parts:
        terms.extend(_part_terms(part or ""))
    return " " + " ".join(terms) + " " if terms else " "


@lru_cache(maxsize=32768)
def _part_terms(part: str) -> tuple[str, ...]:
    # Skill names, synonyms, domains, sectors and cities recur in thousands of documents.
    return (*analyze(part), *glued_elisions(part))


def only_stop_words(text: str) -> bool:
    """True when the text has words but every one is a stop word (« ÉTÉ », « les »).

    Such a query must find nothing rather than list the whole directory, as an
    empty or punctuation-only query (« * ») does.
    """
    folded = fold(_ELISION.sub(" ", text or ""))
    found = _WORD.findall(folded)
    return bool(found) and all(w in STOP_WORDS for w in found)


def query_terms(text: str) -> list[str]:
    """Distinct terms of a visitor's query, in order; punctuation and syntax are just separators."""
    seen = []
    for term in analyze(text):
        if term not in seen:
            seen.append(term)
    return seen


def words(text: str) -> list[str]:
    """Folded words of a query without stop words and elisions, NOT stemmed (the engine stems)."""
    folded = fold(_ELISION.sub(" ", text or ""))
    seen = []
    for word in _WORD.findall(folded):
        if word not in STOP_WORDS and word not in seen:
            seen.append(word)
    return seen
