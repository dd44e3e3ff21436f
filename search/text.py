"""French text analysis for the database fallback (and for highlights).

A small, predictable imitation of the engine's analyzer: elision (l', d', qu'…),
lowercase, ASCII folding (accents, œ, æ), French stop words and a light plural
folding. The same function analyses documents and queries, so whatever it does
to a word it does on both sides; prefix matching covers the rest.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import compress, filterfalse
from operator import ne

# The engine's French stop words (``_french_``: Lucene's copy of Snowball's list, which
# keeps « son », « été », « est », « as », « aura »… as homonyms of nouns), folded: the
# engine folds accents *before* its stop filter, so it is given this folded list too
# (``search.engine.definition``) and both backends drop exactly the same words.
FRENCH_STOP_WORDS = """
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi mon ne nos notre nous
on ou par pas pour qu que qui sa se ses sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y
étée étées étant suis es êtes sont serai seras sera serons serez seront serais serait serions seriez seraient
étais était étions étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez soient fusse fusses fussions
fussiez fussent ayant eu eue eues eus ai avons avez ont aurai aurons aurez auront aurais aurait aurions auriez
auraient avais avait aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût eussions
eussiez eussent ceci cela celà cet cette ici ils les leurs quel quels quelle quelles sans soi
""".split()

ELISION_PREFIXES = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "quoiqu", "lorsqu", "puisqu")
# ``(?<!\w)`` rather than ``\b``: the same here (every prefix starts with a letter) and about twice as fast
# to scan a description with (``re`` tries a match at each character).
_ELISION = re.compile(r"(?<!\w)(?:" + "|".join(ELISION_PREFIXES) + r")['’‘`]", re.IGNORECASE)
_WORD = re.compile(r"[0-9a-z]+")
# An elided word as visitors also type it, without the apostrophe: « d'Ascq » -> « dascq ».
_GLUED = re.compile(r"(?<!\w)(" + "|".join(ELISION_PREFIXES) + r")'([0-9a-z]+)")
# Typo tolerance, the same on every backend (the engine's fuzziness ``AUTO:5,9`` and the
# correction of words that match nothing, ``search.base.closest_word``): one edit from 5
# letters, two from 9; the first two letters are never a typo.
TYPO_ONE_EDIT_FROM, TYPO_TWO_EDITS_FROM = 5, 9
TYPO_FIXED_PREFIX = 2
# Below this length a query word only matches whole words: « b » as a prefix would match
# half the directory (« a:b* » is just the words « a » and « b »).
MIN_PREFIX_LENGTH = 2
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'"})


class _FoldTable(dict):
    """Each character's folded form for ``str.translate``: ligatures first, then NFKD without marks.

    A character is learnt the first time ``translate`` asks for it (``__missing__``): documents are
    folded by the thousand, and looking for a text's unknown characters first (a set of the text's
    characters each time) cost a quarter of ``fold``. ASCII maps to itself: every character of a
    text is then found in the table, which halves the time ``translate`` takes.
    """

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        folded = self[code] = "".join(c for c in decomposed if not unicodedata.combining(c))
        return folded


_FOLD_TABLE = _FoldTable({code: code for code in range(128)})
_FOLD_TABLE.update(_LIGATURES)


def fold(text: str) -> str:
    """Lowercase, strip accents and ligatures: « Énergie & Cœur » -> « energie & coeur »."""
    text = text or ""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE).lower()


STOP_WORDS = frozenset(fold(w) for w in FRENCH_STOP_WORDS)


# Singular -au / -ail folded as Savoy folds the plural -aux (« travaux » -> « traval »):
# « matériau », « tuyau », « travail » then meet their plurals. The engine runs the same
# two rules before its stemmer (``PLURAL_RULES`` in ``search.engine.definition``).
PLURAL_RULES = ((r"^(.{2,}[^e])au$", r"\1al"), (r"^(.{2,})ail$", r"\1al"))
_PLURAL_RULES = tuple(
    (re.compile(pattern), replacement.replace("\\1", r"\g<1>")) for pattern, replacement in PLURAL_RULES
)


def _ends(word: str, suffix: str, longer_than: int) -> bool:
    return len(word) > longer_than and word.endswith(suffix)


def light_stem(w: str) -> str:
    """Savoy's light French stemmer as Lucene's ``FrenchLightStemmer`` runs it (``light_french``).

    A port rather than a package: PyPI has Snowball's French stemmer (far more
    aggressive: « menuiserie » and « menuisier » both -> « menuis ») but no
    maintained light stemmer, and what matters here is to cut words exactly
    where the engine does. Input is folded (the engine folds before stemming),
    so the original's rules on accented endings (« ère », « ième », « ète ») never
    fire there and are left out here.
    """
    n = len(w)
    if n > 5 and w.endswith("x"):
        if w[-3] == "a" and w[-2] == "u" and w[-4] != "e":
            w = w[:-2] + "l" + w[-1]
        w = w[:-1]
    if len(w) > 3 and w.endswith("x"):
        w = w[:-1]
    if len(w) > 3 and w.endswith("s"):
        w = w[:-1]
    if _ends(w, "issement", 9):
        return _norm(w[:-7] + "r")
    if _ends(w, "issant", 8):
        return _norm(w[:-5] + "r")
    if _ends(w, "ement", 6):
        w = w[:-4]
        if len(w) > 3 and w.endswith("ive"):
            w = w[:-2] + "f"
        return _norm(w)
    if _ends(w, "ficatrice", 11):
        return _norm(w[:-7] + "er")
    if _ends(w, "ficateur", 10):
        return _norm(w[:-6] + "er")
    if _ends(w, "catrice", 9):
        return _norm(w[:-7] + "quer")
    if _ends(w, "cateur", 8):
        return _norm(w[:-6] + "quer")
    if _ends(w, "atrice", 8):
        return _norm(w[:-6] + "er")
    if _ends(w, "ateur", 7):
        return _norm(w[:-5] + "er")
    if _ends(w, "trice", 6):
        w = w[:-5] + "teur"
    if _ends(w, "teuse", 7):
        return _norm(w[:-3] + "r")
    if _ends(w, "teur", 6):
        return _norm(w[:-2] + "r")
    if _ends(w, "euse", 5):
        return _norm(w[:-2])
    if _ends(w, "ive", 7):
        return _norm(w[:-2] + "f")
    if len(w) > 4 and (w.endswith("folle") or w.endswith("molle")):
        return _norm(w[:-3] + "u")
    if _ends(w, "nnelle", 9):
        return _norm(w[:-5])
    if _ends(w, "nnel", 9):
        return _norm(w[:-3])
    if _ends(w, "ique", 8):
        w = w[:-4]
    if _ends(w, "esse", 8):
        return _norm(w[:-3])
    if _ends(w, "inage", 7):
        return _norm(w[:-3])
    if _ends(w, "isation", 9):
        w = w[:-7]
        if len(w) > 5 and w.endswith("ual"):
            w = w[:-2] + "el"
        return _norm(w)
    if _ends(w, "isateur", 9):
        return _norm(w[:-7])
    if _ends(w, "ation", 8) or _ends(w, "ition", 8):
        return _norm(w[:-5])
    return _norm(w)


def _norm(w: str) -> str:
    if len(w) > 4:
        # Doubled letters collapse (« ll » -> « l »), as in Lucene (letters only).
        out = w[0]
        for ch in w[1:]:
            if not (ch == out[-1] and ch.isalpha()):
                out += ch
        w = out
    if len(w) > 4 and w.endswith("ie"):
        w = w[:-2]
    if len(w) > 4:
        if w.endswith("r"):
            w = w[:-1]
        if w.endswith("e"):
            w = w[:-1]
        if w.endswith("e"):
            w = w[:-1]
        if len(w) > 1 and w[-1] == w[-2] and w[-1].isalpha():
            w = w[:-1]
    return w


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A folded word's stem, the same on documents, queries and the engine.

    The -au/-ail rules, then Savoy's light stemmer: « menuisiers » and
    « menuisier » -> « menuisi », « matériaux » and « matériau » -> « material ».
    Digits are left alone.
    """
    if word.isdigit():
        return word
    for pattern, replacement in _PLURAL_RULES:
        word = pattern.sub(replacement, word)
    return light_stem(word)


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
    if "'" not in folded:  # no apostrophe, no elision (most texts: skip the regex)
        return []
    return [stem(a + b) for a, b in _GLUED.findall(folded)]


def document_text(*parts: str) -> str:
    """Terms of several texts as one space-delimited string, with a leading and trailing space.

    The padding makes « starts a word » a plain substring test (`` ' ' + term``),
    which LIKE can evaluate on SQLite and PostgreSQL alike. After each part's
    stems come its variants (``_variants``), so they never split a phrase of the text.
    """
    terms = []
    for part in parts:
        terms.extend(_part_terms(part or ""))
    return joined_terms(terms)


# A part of at most this many words (a skill, a synonym, a sector, a name, a city) also
# indexes its adjacent words glued: « repair café » is found as « repaircafé ».
SHORT_PART_WORDS = 4
# A match can only start where a word starts (``(?<!…)``: the same matches, but a word not followed by
# a hyphen is tried once, not once per letter).
_HYPHENATED = re.compile(r"(?<![0-9a-z])([0-9a-z]+)-(?=([0-9a-z]+))")


def _variants(part: str) -> list[str]:
    """What visitors type for the same words: unstemmed words, glued compounds, glued elisions.

    - a word whose stem is shorter than itself, as written (folded), so a prefix
      still finds it while being typed (« cérami » -> « céramique », stem « ceram »);
    - hyphenated words glued (« éco-construction » -> « ecoconstruction »), and every
      pair of adjacent words of a short part (« zéro déchet » -> « zerodechet »).
    """
    folded = fold(_ELISION.sub(" ", part))
    found = _WORD.findall(folded)
    raw = [w for w in found if w not in STOP_WORDS and stem(w) != w]
    glued = [stem(a + b) for a, b in _HYPHENATED.findall(folded)]
    content = [w for w in found if w not in STOP_WORDS]
    if 1 < len(content) <= SHORT_PART_WORDS:
        glued += [stem(a + b) for a, b in zip(content, content[1:], strict=False)]
    return [*raw, *dict.fromkeys(glued)]


_APOSTROPHES = ("'", "’", "‘", "`")


def analyse_part(part: str) -> tuple[str, ...]:
    """One text's terms as ``document_text`` lays them out, uncached (texts met once: a description).

    ``analyze(part) + glued_elisions(part) + _variants(part)``, the text folded
    once for all three; the elision and hyphen rules only run on texts holding
    an apostrophe or a hyphen (most texts hold neither).
    """
    if not part:
        return ()
    elided = any(a in part for a in _APOSTROPHES)
    folded = fold(_ELISION.sub(" ", part) if elided else part)
    # Filtered and mapped by C-level iterators (a description's words are many; no bytecode per word).
    content = list(filterfalse(STOP_WORDS.__contains__, _WORD.findall(folded)))
    stems = list(map(stem, content))
    raw = list(compress(content, map(ne, stems, content)))  # the words their stem shortened
    glued = [stem(a + b) for a, b in _HYPHENATED.findall(folded)] if "-" in folded else []
    if 1 < len(content) <= SHORT_PART_WORDS:
        glued += [stem(a + b) for a, b in zip(content, content[1:], strict=False)]
    elisions = glued_elisions(part) if elided else ()
    return (*stems, *elisions, *raw, *dict.fromkeys(glued))


# Skill names, synonyms, domains, sectors and cities recur in thousands of documents.
_part_terms = lru_cache(maxsize=32768)(analyse_part)


def part_terms(part: str) -> tuple[str, ...]:
    """``analyse_part``, remembered: for the short texts many documents share (skills, sectors, cities)."""
    return _part_terms(part or "")


def joined_terms(terms) -> str:
    """Terms as ``document_text`` writes them: space-delimited, with a leading and trailing space."""
    return " " + " ".join(terms) + " " if terms else " "


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


def query_words(text: str) -> list[tuple[str, str]]:
    """Distinct (folded word, stem) pairs of a query, stop words left out.

    A document matches a word when one of its words starts with the stem or with
    the word as typed (``_variants`` indexes both forms).
    """
    pairs = {}
    for word in words(text):
        pairs.setdefault(word, stem(word))
    return list(pairs.items())


def typed_words(text: str) -> list[tuple[str, str]]:
    """(word as typed, folded word) of a query's non-stop words, to name the ones a search left out."""
    clean = _ELISION.sub(" ", (text or "").replace("’", "'"))
    pairs = []
    for typed in re.findall(r"[^\W_]+", clean):
        folded = fold(typed)
        for word in _WORD.findall(folded):
            if word not in STOP_WORDS and all(word != w for _, w in pairs):
                pairs.append((typed if _WORD.fullmatch(folded) else word, word))
    return pairs


# A word of a folded text, an elision before it left out (« l'atelier » -> atelier): one pass, no substitution.
_FOLDED_WORD = re.compile(r"(?:\b(?:" + "|".join(ELISION_PREFIXES) + r")['`](?=[0-9a-z]))?([0-9a-z]+)")


def folded_words(text: str) -> list[str]:
    """Every word of a text folded, in order, repeats and stop words kept, elisions dropped.

    What the engine's ``folded_words`` analyzer (standard tokenizer, elision, lowercase, ASCII
    folding) makes of a text: LaGrappe sends the spelling dictionary and the glued pairs
    already split this way (``search.engine.definition``). ``fold`` turns ’ and ‘ into '.
    """
    return _FOLDED_WORD.findall(fold(text)) if text else []


def words(text: str) -> list[str]:
    """Folded words of a query without stop words and elisions, NOT stemmed (the engine stems)."""
    text = text or ""
    folded = fold(_ELISION.sub(" ", text) if any(a in text for a in _APOSTROPHES) else text)
    return list(dict.fromkeys(word for word in _WORD.findall(folded) if word not in STOP_WORDS))


def max_typos(word: str) -> int:
    """How many edits a word of this length may carry (``TYPO_ONE_EDIT_FROM``, ``TYPO_TWO_EDITS_FROM``)."""
    return 0 if len(word) < TYPO_ONE_EDIT_FROM else 1 if len(word) < TYPO_TWO_EDITS_FROM else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), or ``limit + 1`` once beyond it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
