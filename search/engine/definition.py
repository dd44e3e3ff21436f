"""The directory index: French analysis, synonyms from the skills, fields for text, facets, sorting and geo.

Pure functions producing dicts: unit-tested without a server.

Synonyms live only in the *search* analyzer (``french_search``): the rules are
written inline in the index settings when an index is built. New rules mean a
new versioned index swapped behind the alias by the worker
(``search.sync.rebuild_index``): the live index is never closed, so searches
never fail during a synonym edit (``_reload_search_analyzers`` only reloads
file- or synonym-set-based rules, which OpenSearch 2/3 and Elasticsearch 8/9 do
not share). Documents also carry their skills' synonyms as text, so a freshly
edited synonym finds its structures as soon as they are reindexed, seconds
before the new index is in place.
"""

from ..text import ELISION_PREFIXES

SYNONYM_FILTER = "directory_synonyms"
# A synonym_graph filter needs at least one rule: this harmless one stands in while no skill has synonyms.
PLACEHOLDER_SYNONYM_RULES = ["lagrappe, la grappe"]

TEXT_FIELDS = {  # field -> boost in the main query
    "name": 4,
    "skill_names": 4,
    "skill_synonyms": 3,
    "skill_domains": 2,
    "sector_names": 2,
    "summary": 2,
    "city": 2,
    "description": 1,
}
EXACT_FIELDS = {"name.exact": 6, "skill_names.exact": 4}
FACET_FIELDS = {
    "categories": "category",
    "memberships": "memberships",
    "skills": "skills",
    "sectors": "sectors",
    "cities": "city.keyword",
}
HIGHLIGHT_FIELDS = {  # index field -> Highlight.field
    "name": "name",
    "summary": "summary",
    "description": "description",
    "city": "city",
    "skill_names": "skills",
    "sector_names": "sectors",
}


def synonym_rules(skills) -> list[str]:
    """``Photovoltaïque, panneaux solaires`` for each skill with synonyms (equivalence rules).

    Commas and ``=>`` typed by editors would be rule syntax: they are turned into spaces.
    """
    rules = []
    for skill in skills:
        terms = [skill.name, *skill.synonym_list]
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
            "french_stop": {"type": "stop", "stopwords": "_french_"},
            "french_stemmer": {"type": "stemmer", "language": "light_french"},
            # Rules are analysed by the filters before this one (elision, lowercase, folding).
            SYNONYM_FILTER: synonym_filter(synonyms),
            "prefix_edge": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
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
            "french_index": {"tokenizer": "standard", "filter": [*index_folding, "french_stop", "french_stemmer"]},
            "french_search": {
                "tokenizer": "standard",
                "filter": [*folding, SYNONYM_FILTER, "french_stop", "french_stemmer"],
            },
            "folded_words": {"tokenizer": "standard", "filter": folding},
            "prefix_index": {"tokenizer": "standard", "filter": [*index_folding, "prefix_edge"]},
            "prefix_search": {"tokenizer": "standard", "filter": folding},
        },
    }


def _french(**extra) -> dict:
    return {"type": "text", "analyzer": "french_index", "search_analyzer": "french_search", **extra}


def mappings() -> dict:
    prefix = {"type": "text", "analyzer": "prefix_index", "search_analyzer": "prefix_search"}
    to_prefix_and_spell = {"copy_to": ["all_prefix", "spell"]}
    return {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "slug": {"type": "keyword"},
            "name": _french(
                **to_prefix_and_spell,
                fields={
                    "exact": {"type": "text", "analyzer": "folded_words"},
                    "sort": {"type": "keyword", "normalizer": "folded"},
                    "autocomplete": prefix,
                },
            ),
            "summary": _french(**to_prefix_and_spell),
            # In the spelling dictionary too: a word of a description is a real word (« graphiste »).
            "description": _french(**to_prefix_and_spell),
            "city": _french(
                **to_prefix_and_spell,
                fields={"keyword": {"type": "keyword"}, "folded": {"type": "keyword", "normalizer": "folded"}},
            ),
            "category": {"type": "keyword"},
            "memberships": {"type": "keyword"},
            "skills": {"type": "keyword"},
            "skill_names": _french(
                **to_prefix_and_spell, fields={"exact": {"type": "text", "analyzer": "folded_words"}}
            ),
            "skill_domains": _french(**to_prefix_and_spell),
            "skill_synonyms": _french(**to_prefix_and_spell),
            "sectors": {"type": "keyword"},
            "sector_names": _french(**to_prefix_and_spell),
            "location": {"type": "geo_point"},
            "joined": {"type": "date", "format": "strict_date"},
            "all_prefix": prefix,
            "spell": {"type": "text", "analyzer": "folded_words"},
        },
    }


def index_body(synonyms: list[str]) -> dict:
    """Settings and mappings of a new versioned index (one shard: tens of thousands of documents)."""
    return {
        "settings": {
            "index": {"number_of_shards": 1, "number_of_replicas": 0, "max_ngram_diff": 20},
            "analysis": analysis(synonyms),
        },
        "mappings": mappings(),
    }
