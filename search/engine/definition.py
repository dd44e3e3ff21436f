"""The directory index: French analysis, synonyms from the skills, fields for text, facets, sorting and geo.

Pure functions producing dicts: unit-tested without a server. Two analysis
profiles, one per kind of node (``choose_profile``):

- ``full``: the engine analyses French itself (elision, ASCII folding, light
  stemming, stop words, synonym graph, edge n-grams), which needs the
  ``analysis-common`` module — OpenSearch and packaged Elasticsearch have it;
- ``portable``: for nodes without it (Elastic's minimal distribution, restricted
  managed services). LaGrappe analyses the text itself with the same French
  analysis as the database backend (``search.text``), indexes the resulting
  words with the built-in ``whitespace`` analyzer, expands synonyms at query
  time (``expand_synonyms``) and asks the engine only for fuzziness, prefixes
  (``index_prefixes``), phrases, facets, geo and sorting; highlights are marked
  on the displayed text by LaGrappe (``search.highlight``, ``results``).

In the full profile, synonyms live only in the *search* analyzer (``french_search``): the rules are
written inline in the index settings when an index is built. New rules mean a
new versioned index swapped behind the alias by the worker
(``search.sync.rebuild_index``): the live index is never closed, so searches
never fail during a synonym edit (``_reload_search_analyzers`` only reloads
file- or synonym-set-based rules, which OpenSearch 2/3 and Elasticsearch 8/9 do
not share). Documents also carry their skills' synonyms as text, so a freshly
edited synonym finds its structures as soon as they are reindexed, seconds
before the new index is in place.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text import (
    ELISION_PREFIXES,
    MIN_PREFIX_LENGTH,
    PLURAL_RULES,
    STOP_WORDS,
    analyze,
    document_text,
    fold,
    folded_words,
    words,
)

SYNONYM_FILTER = "directory_synonyms"
# A synonym_graph filter needs at least one rule: this harmless one stands in while no skill has synonyms.
PLACEHOLDER_SYNONYM_RULES = ["lagrappe, la grappe"]

# A skill says what a structure does, a name only sometimes: skills weigh more than the
# name (« ruches » finds beekeepers before « La Ruche … »; issue 12).
TEXT_FIELDS = {  # field -> boost in the main query
    "name": 3,
    "skill_names": 5,
    "skill_synonyms": 4,
    "skill_domains": 2,
    "domain_synonyms": 2,
    "sector_names": 2,
    "sector_synonyms": 2,
    "summary": 2,
    "city": 2,
    "description": 1,
}
EXACT_FIELDS = {"name.exact": 3, "skill_names.exact": 6}
FACET_FIELDS = {
    "categories": "category",
    "memberships": "memberships",
    "skills": "skills",
    "sectors": "sectors",
    "cities": "city.keyword",
}
# What a word being typed is matched against as a prefix (``all_prefix``): the short texts and the
# summary. A description (about 35 words, three times the rest) is left out: its words match whole,
# stemmed or with a typo; their prefixes added 13 % to the index for no measured relevance
# (issue 10, ``bench/relevance.py``; docs/search.md « Rebuild throughput »). Both profiles send the
# same words (``prefix_words``): each folded word once, stop words out (a query never asks for them).
PREFIX_FIELDS = (
    "name",
    "skill_names",
    "skill_synonyms",
    "skill_domains",
    "domain_synonyms",
    "sector_names",
    "sector_synonyms",
    "summary",
    "city",
)
# Prefixes from MIN_PREFIX_LENGTH letters (shorter ones are never asked for) to PREFIX_MAX_LENGTH;
# a longer typed word is cut to that length, so it still meets the words it starts.
PREFIX_MAX_LENGTH = 15
HIGHLIGHT_FIELDS = {  # index field -> Highlight.field
    "name": "name",
    "summary": "summary",
    "description": "description",
    "city": "city",
    "skill_names": "skills",
    "sector_names": "sectors",
}


def _one_pattern(rules) -> tuple[str, str]:
    """``PLURAL_RULES`` as one ``pattern_replace`` (one regex per token instead of one per rule).

    Each rule reads ``^(stem)suffix$ -> \\1ending`` with the same ending: the alternation keeps each
    rule's stem in its own group, and a group that did not match is replaced by nothing, in Java as
    in Python. No rule's output ends like another rule's input, so their order never mattered.
    """
    endings = {replacement.removeprefix("\\1") for _, replacement in rules}
    if len(endings) != 1 or any(not r.startswith("\\1") for _, r in rules):
        raise ValueError("PLURAL_RULES: every rule must read ^(stem)suffix$ -> \\1<the same ending>")
    alternatives = "|".join(pattern.removeprefix("^").removesuffix("$") for pattern, _ in rules)
    groups = "".join(f"${i}" for i in range(1, len(rules) + 1))
    return f"^(?:{alternatives})$", groups + endings.pop()


PLURAL_PATTERN, PLURAL_REPLACEMENT = _one_pattern(PLURAL_RULES)
PLURAL_FILTERS = ["plural_fold"]
# Words run together (« tierslieu », « zerodechet ») match here in the full profile; the portable
# profile's analysed terms already hold them (``search.text.document_text``).
GLUED_FIELD = "glued"
GLUED_BOOST = 4


def synonym_rules(skills) -> list[str]:
    """``Photovoltaïque, panneaux solaires`` for each skill, domain or sector with synonyms (equivalence rules).

    Commas and ``=>`` typed by editors would be rule syntax: they are turned into spaces.
    """
    rules = []
    for row in skills:
        terms = [row.name, *row.synonym_list]
        cleaned = [" ".join(t.replace(",", " ").replace("=>", " ").replace("#", " ").split()) for t in terms]
        cleaned = [t for t in dict.fromkeys(cleaned) if t]
        if len(cleaned) > 1:
            rules.append(", ".join(cleaned))
    return rules


def synonym_filter(rules: list[str]) -> dict:
    """The synonym filter's definition, at index creation and when the rules change."""
    return {"type": "synonym_graph", "synonyms": rules or PLACEHOLDER_SYNONYM_RULES, "lenient": True}


def analysis(synonyms: list[str]) -> dict:
    folding = ["french_elision", "lowercase", "asciifolding"]
    index_folding = ["lowercase", "asciifolding", "elision_variants"]
    return {
        "filter": {
            "french_elision": {"type": "elision", "articles_case": True, "articles": list(ELISION_PREFIXES)},
            # ``_french_`` folded (tokens are folded before this filter): the list search.text uses.
            "french_stop": {"type": "stop", "stopwords": sorted(STOP_WORDS)},
            # « matériau », « tuyau », « travail » folded as their plurals (search.text.PLURAL_RULES).
            "plural_fold": {"type": "pattern_replace", "pattern": PLURAL_PATTERN, "replacement": PLURAL_REPLACEMENT},
            "french_stemmer": {"type": "stemmer", "language": "light_french"},
            # Rules are analysed by the filters before this one (elision, lowercase, folding).
            SYNONYM_FILTER: synonym_filter(synonyms),
            # Structure names as they are typed, from the first letter (suggestions).
            "prefix_edge": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
            "word_start_edge": {"type": "edge_ngram", "min_gram": MIN_PREFIX_LENGTH, "max_gram": PREFIX_MAX_LENGTH},
            "word_start_cut": {"type": "truncate", "length": PREFIX_MAX_LENGTH},
            # « d’Ascq » indexed as « ascq » and as « dascq », the way visitors also type it
            # (index side only: a multiplexer may not precede a synonym filter).
            "glue_apostrophe": {"type": "pattern_replace", "pattern": "['’]", "replacement": ""},
            "elision_variants": {
                "type": "multiplexer",
                "filters": ["french_elision", "glue_apostrophe"],
                "preserve_original": False,
            },
        },
        "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
        "analyzer": {
            # Elided words only as « ascq »: their glued form (« dascq ») is in ``all_prefix``
            # (``prefix_words``), where a multiplexer on every token of every text cost a fifth
            # of the engine's indexing time (issue 10).
            "french_index": {
                "tokenizer": "standard",
                "filter": [*folding, "french_stop", *PLURAL_FILTERS, "french_stemmer"],
            },
            "french_search": {
                "tokenizer": "standard",
                "filter": [*folding, SYNONYM_FILTER, "french_stop", *PLURAL_FILTERS, "french_stemmer"],
            },
            # ``glued`` holds LaGrappe's pairs of folded words (``spelling_and_glued``): split on spaces, stemmed.
            "glued_index": {"tokenizer": "whitespace", "filter": [*PLURAL_FILTERS, "french_stemmer"]},
            "folded_words": {"tokenizer": "standard", "filter": folding},
            "prefix_index": {"tokenizer": "standard", "filter": [*index_folding, "prefix_edge"]},
            "prefix_search": {"tokenizer": "standard", "filter": folding},
            # ``all_prefix`` holds LaGrappe's folded words (``prefix_words``): split on spaces, n-grammed.
            "word_start_index": {"tokenizer": "whitespace", "filter": ["word_start_edge"]},
            "word_start_search": {"tokenizer": "standard", "filter": [*folding, "word_start_cut"]},
        },
    }


def _french(**extra) -> dict:
    return {"type": "text", "analyzer": "french_index", "search_analyzer": "french_search", **extra}


# Facet fields: their global ordinals are built when a refresh opens a segment, not by the
# first aggregation after it (a blank listing at 200k paid them on the request path).
FACET_KEYWORD = {"type": "keyword", "eager_global_ordinals": True}
# Kept in ``_source`` only (neither indexed nor in doc values).
CHECK_FIELDS = {
    "updated_at": {"type": "keyword", "index": False, "doc_values": False},
    "people": {"type": "long", "index": False, "doc_values": False},
}
# The portable profile indexes analysed terms: what a hit shows, as written, is kept apart.
SHOWN_FIELDS = ("summary", "description", "city", "skill_names", "skill_synonyms", "sector_names")


# Fields no query reads positions from (no phrase: match, fuzzy, prefix and the phrase suggester read
# terms and their frequencies): positions there were a quarter of the index for nothing (issue 10).
# Scores are unchanged (BM25 reads frequencies and norms). The phrase clause and the highlighter read
# the French fields themselves, which keep them.
NO_POSITIONS = {"index_options": "freqs"}


def mappings() -> dict:
    prefix = {"type": "text", "analyzer": "prefix_index", "search_analyzer": "prefix_search", **NO_POSITIONS}
    word_start = {
        "type": "text", "analyzer": "word_start_index", "search_analyzer": "word_start_search", **NO_POSITIONS
    }  # fmt: skip
    exact = {"type": "text", "analyzer": "folded_words", **NO_POSITIONS}
    # Each text is analysed once by the engine, as a French field: ``spell`` and ``glued`` come from
    # LaGrappe (``spelling_and_glued``), split already. Copied by the engine (``copy_to``), every short
    # text went through three analysis chains and every description through two; leaving ``spell``
    # or ``glued`` out priced them at a third of the engine's indexing CPU each (issue 10).
    return {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "slug": {"type": "keyword"},
            "name": _french(
                fields={
                    "exact": exact,
                    "sort": {"type": "keyword", "normalizer": "folded"},
                    "autocomplete": prefix,
                },
            ),
            "summary": _french(),
            "description": _french(),
            "city": _french(
                fields={"keyword": FACET_KEYWORD, "folded": {"type": "keyword", "normalizer": "folded"}},
            ),
            "category": FACET_KEYWORD,
            "memberships": FACET_KEYWORD,
            "skills": FACET_KEYWORD,
            "skill_names": _french(fields={"exact": exact}),
            "skill_domains": _french(),
            "skill_synonyms": _french(),
            "sectors": FACET_KEYWORD,
            "sector_names": _french(),
            # What visitors type for a domain or a sector (« ESS », « zéro déchet »): as its name.
            "domain_synonyms": _french(),
            "sector_synonyms": _french(),
            "location": {"type": "geo_point"},
            "joined": {"type": "date", "format": "strict_date"},
            # The words of PREFIX_FIELDS, each once, sent by LaGrappe (``prefix_words``), not copied by the
            # engine: a synonym list repeats words, and 60 % of all tokens were these n-grams (issue 10).
            "all_prefix": word_start,
            # Every folded word of the short texts, as often as written (``spelling_and_glued``). Only the phrase
            # suggester reads it (term frequencies): no length norms.
            "spell": {"type": "text", "analyzer": "whitespace", "norms": False, **NO_POSITIONS},
            # Adjacent words of the short texts glued (``spelling_and_glued``), stemmed here; a query word matches as one stem.
            GLUED_FIELD: {"type": "text", "analyzer": "glued_index", "search_analyzer": "french_index", **NO_POSITIONS},
            # Not searched: what ``search.base.check_hits`` compares with the database.
            **CHECK_FIELDS,
        },
    }


# ---------------------------------------------------------------------------- portable profile

# Terms analysed by LaGrappe are lowercase ASCII words separated by spaces: the
# built-in whitespace analyzer indexes them as they are, on every engine.
_TERMS = {"type": "text", "analyzer": "whitespace"}
# Prefix queries on these fields read precomputed prefixes (core feature, no module needed);
# a longer prefix is still answered, from the terms themselves.
_PREFIXED = {**_TERMS, "index_prefixes": {"min_chars": MIN_PREFIX_LENGTH, "max_chars": PREFIX_MAX_LENGTH}}
# Names are suggested from their first letter (``suggest_body``).
_NAME_PREFIXED = {**_TERMS, "index_prefixes": {"min_chars": 1, "max_chars": 19}}
# The same weights as EXACT_FIELDS: skills before an incidental name match (issue 12).
PORTABLE_EXACT_FIELDS = {"name_words": 3, "skill_names_words": 6}
PORTABLE_FACET_FIELDS = {**FACET_FIELDS, "cities": "city_name"}


def portable_mappings() -> dict:
    keywords = {
        name: definition
        for name, definition in mappings()["properties"].items()
        if definition.get("type") in ("long", "keyword", "geo_point", "date")
    }
    return {
        "dynamic": "strict",
        "properties": {
            **keywords,
            **{field: _TERMS for field in TEXT_FIELDS},  # analysed French terms, stemmed
            "name_words": _TERMS,  # folded words, not stemmed (the exact clause)
            "skill_names_words": _TERMS,
            "label": {"type": "keyword", "index": False, "doc_values": False},  # the name as written
            "name_sort": {"type": "keyword"},
            "name_prefix": _NAME_PREFIXED,  # autocomplete on the name's words
            "city_name": FACET_KEYWORD,  # the city as written (facet values)
            "city_folded": {"type": "keyword"},  # the city filter, compared folded
            "all_prefix": _PREFIXED,
            "spell": _TERMS,
            "shown": {"type": "object", "enabled": False},  # SHOWN_FIELDS as written, for hits
        },
    }


def _terms(values) -> list[str] | str:
    """A text (or each text of a list) -> its analysed terms, glued elisions included (« dascq »)."""
    if isinstance(values, list):
        return [document_text(v).strip() for v in values]
    return document_text(values or "").strip()


def _words(*values) -> str:
    found = []
    for value in values:
        for text in value if isinstance(value, list) else [value or ""]:
            found.extend(words(text))
    return " ".join(dict.fromkeys(found))


# A structure's own texts: too many distinct ones to be worth a cache.
OWN_TEXT_FIELDS = ("name", "summary")
_GLUED_ELISION = re.compile(r"\b(?:" + "|".join(ELISION_PREFIXES) + r")'[0-9a-z]+")


def _prefix_words(text: str) -> list[str]:
    """``words``, then each elided word as visitors also type it: « Villeneuve-d’Ascq » -> ascq, dascq."""
    found = words(text)
    if "'" in text or "’" in text or "‘" in text:
        found.extend(glued.replace("'", "") for glued in _GLUED_ELISION.findall(fold(text)))
    return found


@lru_cache(maxsize=4096)
def _shared_words(text: str) -> tuple[str, ...]:
    """``_prefix_words`` of a skill's, domain's or sector's name or synonym, or of a town: a few hundred
    texts repeated in every document, analysed once per process instead of about 25 times a document."""
    return tuple(_prefix_words(text))


@lru_cache(maxsize=16384)
def _shared_words_of(texts: tuple[str, ...]) -> tuple[str, ...]:
    """``_shared_words`` of each text in turn: a field's list (a structure's skills, its sectors…) recurs
    across documents as a whole (about 10,000 skill sets at 200,000 documents), looked up once a field."""
    return tuple(word for text in texts for word in _shared_words(text))


def prefix_words(source: dict) -> str:
    """``all_prefix`` in both profiles: the folded words of PREFIX_FIELDS, each once, no stop word,
    elided words also glued (the only field where the full profile indexes « dascq »)."""
    found = []
    for field in PREFIX_FIELDS:
        value = source[field]
        if field in OWN_TEXT_FIELDS:
            found.extend(_prefix_words(value or ""))
        else:
            found.extend(_shared_words_of(tuple(value) if isinstance(value, list) else (value or "",)))
    return " ".join(dict.fromkeys(found))


# The short texts: a structure's name, and texts it shares with others (its skills, domains, sectors, their
# synonyms, its town), analysed once per process (``_shared_terms``).
SHORT_FIELDS = (
    "name",
    "city",
    "skill_names",
    "skill_domains",
    "skill_synonyms",
    "sector_names",
    "domain_synonyms",
    "sector_synonyms",
)


def _glued_pairs(text: str) -> list[str]:
    """Adjacent words of a text glued, as a two-word shingle with an empty filler glued them in the engine.

    « zéro déchet » -> zerodechet, « Tiers-lieu » -> tierslieu, « l’atelier d’Ascq » -> atelierascq. A stop word
    is a hole its neighbours are glued to alone (« maison de la culture » -> maison, culture; « la maison verte »
    -> maison, maisonverte), a text of one word gives nothing. A word the engine's tokenizer keeps whole
    (« aujourd’hui », « 3,5 ») is split here as a query splits it. ``tests/search/test_analysis_profiles.py``
    compares these pairs with the engine's shingle filter.
    """
    return _pairs(folded_words(text))


def _pairs(found: list[str]) -> list[str]:
    holed = [None if word in STOP_WORDS else word for word in found]
    return [(a or "") + (b or "") for a, b in zip(holed, holed[1:], strict=False) if a or b]


@lru_cache(maxsize=8192)
def _shared_terms(text: str) -> tuple[str, str]:
    """A shared text's ``spell`` words and ``glued`` pairs, each joined by spaces."""
    found = folded_words(text)
    return " ".join(found), " ".join(_pairs(found))


def spelling_and_glued(source: dict) -> tuple[str, str]:
    """``spell`` and ``glued`` in the full profile, from SHORT_FIELDS' texts (``folded_words``, ``_glued_pairs``).

    ``spell``: every folded word, as often as written (the phrase suggester reads their frequencies). The words a
    « vouliez-vous dire » may offer are those the other backends correct a query to (``search.base.vocabulary``:
    the taxonomy, the towns, the names); a summary's or a description's word is still found with a typo
    (fuzziness), and its copy in this dictionary cost a quarter of the engine's indexing CPU (issue 10,
    docs/search.md « Rebuild throughput »).
    """
    name = folded_words(source["name"] or "")
    spelled, glued = [" ".join(name)], [" ".join(_pairs(name))]
    for field in SHORT_FIELDS[1:]:
        value = source[field]
        words_of, pairs_of = _shared_terms_of((value,) if isinstance(value, str | None) else tuple(value))
        spelled.append(words_of)
        glued.append(pairs_of)
    return " ".join(filter(None, spelled)), " ".join(filter(None, glued))


@lru_cache(maxsize=16384)
def _shared_terms_of(texts: tuple[str | None, ...]) -> tuple[str, str]:
    """``_shared_terms`` of a field's texts joined (a field's list recurs across documents as a whole)."""
    terms = [_shared_terms(text) for text in texts if text]
    return " ".join(filter(None, (w for w, _ in terms))), " ".join(filter(None, (p for _, p in terms)))


# Kept in the index as they are in the source, whatever the profile: what every hit shows and is checked by
# (``search.base.card_from_source``); the query asks for them in ``_source``.
HIT_KEYS = ("id", "slug", "category", "memberships", "skills", "sectors", "location", "joined", "updated_at", "people")


def portable_document(source: dict) -> dict:
    """``structure_source`` -> what the portable index stores: LaGrappe's analysis, not the raw text."""
    texts = [source[field] for field in TEXT_FIELDS]
    document = {key: source[key] for key in HIT_KEYS if source.get(key) is not None}
    document.update({field: _terms(source[field]) for field in TEXT_FIELDS})
    document.update(
        label=source["name"],
        name_words=_words(source["name"]),
        skill_names_words=[_words(name) for name in source["skill_names"]],
        name_sort=fold(source["name"]),
        name_prefix=_words(source["name"]),
        city_name=source["city"] or None,
        city_folded=fold(source["city"]).strip() or None,
        all_prefix=prefix_words(source),
        spell=_words(*texts),
        shown={field: source[field] for field in SHOWN_FIELDS},
    )
    return {key: value for key, value in document.items() if value is not None}


def synonym_groups(rules: list[str]) -> list[list[tuple[str, ...]]]:
    """Equivalence rules (``synonym_rules``) -> groups of analysed phrases, for query-time expansion."""
    groups = []
    for rule in rules:
        phrases = [p for p in dict.fromkeys(tuple(analyze(part)) for part in rule.split(",")) if p]
        if len(phrases) > 1:
            groups.append(phrases)
    return groups


MAX_SYNONYM_VARIANTS = 8


def expand_synonyms(terms: list[str], groups: list[list[tuple[str, ...]]]) -> list[list[str]]:
    """The query's analysed terms with one synonym phrase swapped for another, each way it can.

    « panneau solaire » with the rule « photovoltaique, panneau solaire » gives
    [« photovoltaique »]; the typed terms themselves are not repeated.
    """
    variants: list[list[str]] = []
    for group in groups:
        for phrase in group:
            size = len(phrase)
            for start in range(len(terms) - size + 1):
                if tuple(terms[start : start + size]) != phrase:
                    continue
                for other in group:
                    variant = [*terms[:start], *other, *terms[start + size :]]
                    if other != phrase and variant != terms and variant not in variants:
                        variants.append(variant)
    return variants[:MAX_SYNONYM_VARIANTS]


# ---------------------------------------------------------------------------- both profiles


@dataclass(frozen=True)
class AnalysisProfile:
    """What differs between the two index layouts, for the query builders and the indexer."""

    name: str  # "full" | "portable"
    label: str  # French, for `search_index status`
    analyzed_by_engine: bool
    exact_fields: dict[str, int]
    facet_fields: dict[str, str]
    city_filter_field: str
    sort_field: str
    autocomplete_field: str

    def index_body(self, synonyms: list[str]) -> dict:
        """Settings and mappings of a new versioned index (one shard: tens of thousands of documents)."""
        index = {"number_of_shards": 1, "number_of_replicas": 0}
        if self.analyzed_by_engine:
            settings = {"index": {**index, "max_ngram_diff": 20}, "analysis": analysis(synonyms)}
            body_mappings = mappings()
        else:
            settings = {"index": index}
            body_mappings = portable_mappings()
        # Recorded in the index so `status` and `check` can tell which profile built it.
        body_mappings["_meta"] = {"lagrappe_profile": self.name}
        return {"settings": settings, "mappings": body_mappings}

    def document(self, source: dict) -> dict:
        """What the index stores for one ``structure_source``."""
        if self.analyzed_by_engine:
            document = {k: v for k, v in source.items() if k != "location" or v is not None}
            document["all_prefix"] = prefix_words(source)
            document["spell"], document[GLUED_FIELD] = spelling_and_glued(source)
            return document
        return portable_document(source)


FULL = AnalysisProfile(
    name="full",
    label="chaîne française du moteur (module analysis-common)",
    analyzed_by_engine=True,
    exact_fields=EXACT_FIELDS,
    facet_fields=FACET_FIELDS,
    city_filter_field="city.folded",
    sort_field="name.sort",
    autocomplete_field="name.autocomplete",
)
PORTABLE = AnalysisProfile(
    name="portable",
    label="analyse française faite par LaGrappe, analyseurs intégrés du moteur",
    analyzed_by_engine=False,
    exact_fields=PORTABLE_EXACT_FIELDS,
    facet_fields=PORTABLE_FACET_FIELDS,
    city_filter_field="city_folded",
    sort_field="name_sort",
    autocomplete_field="name_prefix",
)
PROFILES = {profile.name: profile for profile in (FULL, PORTABLE)}


def choose_profile(has_analysis_common: bool, requested: str = "auto") -> tuple[AnalysisProfile, str]:
    """The profile for a node, and why (French, shown by `search_index status`)."""
    if requested == "portable":
        return PORTABLE, "imposé par SEARCH_ANALYSIS_PROFILE=portable"
    if requested == "full":
        if not has_analysis_common:
            return FULL, "imposé par SEARCH_ANALYSIS_PROFILE=full, mais le moteur n’a pas analysis-common"
        return FULL, "imposé par SEARCH_ANALYSIS_PROFILE=full"
    if has_analysis_common:
        return FULL, "le moteur a le module analysis-common"
    return PORTABLE, "le moteur n’a pas le module analysis-common"


def index_body(synonyms: list[str], profile: AnalysisProfile = FULL) -> dict:
    return profile.index_body(synonyms)
