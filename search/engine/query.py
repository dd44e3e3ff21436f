"""Query builders: ``SearchQuery`` -> one request body (dicts only, unit-tested on what they produce).

One round trip answers everything: hits, highlights, disjunctive facets
(``post_filter`` narrows the hits; each facet aggregation is filtered by every
*other* facet's filter), and a « did you mean » phrase suggestion.

Visitor text never reaches a query parser: it goes into ``multi_match`` /
``match`` queries, which analyse it as plain text (no ``query_string``).
"""

from ..highlight import FRAGMENT_SIZE
from ..text import MIN_PREFIX_LENGTH, fold, only_stop_words, words
from ..types import FACET_NAMES, FACET_SIZES, SearchQuery
from .definition import EXACT_FIELDS, FACET_FIELDS, HIGHLIGHT_FIELDS, TEXT_FIELDS

# Up to three words, all must match; beyond, a quarter may be missing.
MINIMUM_SHOULD_MATCH = "3<-25%"
# Highlighted only to learn which skill matched through one of its synonyms: the
# skill's name is then marked (``EngineBackend.parse_search``), as on the database.
SKILL_ALIAS_FIELDS = ("skill_synonyms",)
# AUTO with thresholds: one typo from 5 letters, two from 9 (plain AUTO lets
# « compost » reach the stem « compt » of « comptes »).
FUZZINESS = "AUTO:5,9"


def _fields(mapping: dict[str, int]) -> list[str]:
    return [f"{name}^{boost}" for name, boost in mapping.items()]


def text_query(text: str) -> dict | None:
    """Relevance: typed words > their synonyms > typo-tolerant or prefix words; adjacent words add.

    - two cross-field ``multi_match`` clauses let « menuisier roubaix » match a
      skill and a city together: one on the typed words (stemmed, boost 3), one
      through the synonym graph (boost 1) — a multi-word synonym (« gouvernance
      coopérative » for « coopérative ») sums several terms, so without the
      literal clause a synonym-only match would outrank the typed word;
    - the per-word clause makes every word count while tolerating typos
      (fuzziness AUTO, first two letters fixed) or a word still being typed
      (edge n-grams, from two letters); it is boosted low so it never outranks
      an exact match;
    - the exact clause (folded words, no stemming, no fuzziness), the city
      clause and, for several words, the phrase clause (the words side by side in one field:
      « économie circulaire ») only add score.
    """
    query_words = words(text)
    if not query_words:
        return {"match_none": {}} if only_stop_words(text) else None
    cleaned = " ".join(query_words)
    per_word = []
    for word in query_words:
        alternatives = [
            {
                "multi_match": {
                    "query": word,
                    "type": "best_fields",
                    "fields": _fields(TEXT_FIELDS),
                    "analyzer": "french_index",  # no synonym graph under fuzziness
                    "fuzziness": FUZZINESS,
                    "prefix_length": 2,
                    "max_expansions": 20,
                }
            }
        ]
        if len(word) >= MIN_PREFIX_LENGTH:
            alternatives.append({"match": {"all_prefix": {"query": word}}})
        per_word.append({"bool": {"should": alternatives, "minimum_should_match": 1}})

    def cross_fields(analyzer: str, boost: float) -> dict:
        return {
            "multi_match": {
                "query": cleaned,
                "type": "cross_fields",
                "fields": _fields(TEXT_FIELDS),
                "analyzer": analyzer,
                "minimum_should_match": MINIMUM_SHOULD_MATCH,
                "boost": boost,
            }
        }

    should = [
        {
            "multi_match": {
                "query": cleaned,
                "type": "best_fields",
                "fields": _fields(EXACT_FIELDS),
                "operator": "and",
                "boost": 3,
            }
        }
    ]
    # A word naming the structure's city means « there »: those structures come first
    # (« rse lille » before one named « …du Vieux-Lille » elsewhere), like the fallback's city weight.
    should.append({"match": {"city": {"query": cleaned, "analyzer": "french_index", "boost": 8}}})
    if len(query_words) > 1:
        should.append(
            {
                "multi_match": {
                    "query": cleaned,
                    "type": "phrase",
                    "fields": _fields(TEXT_FIELDS),
                    "analyzer": "french_index",
                    "boost": 2,
                }
            }
        )
    return {
        "bool": {
            "must": [
                {
                    "bool": {
                        "should": [
                            cross_fields("french_index", 3),
                            cross_fields("french_search", 0.5),
                            {"bool": {"must": per_word, "boost": 0.2}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            ],
            "should": should,
        }
    }


def highlight_query(text: str) -> dict:
    """What the highlighter marks: the same words, synonyms, typos and prefixes, field by field.

    The main query's cross-field clause blends terms across fields, which the
    highlighter cannot take apart; this simpler query can.
    """
    query_words = words(text)
    should = [
        {
            "multi_match": {
                "query": " ".join(query_words),
                "type": "best_fields",
                "fields": [*HIGHLIGHT_FIELDS, *SKILL_ALIAS_FIELDS],
                "analyzer": "french_search",
            }
        },
    ]
    for word in query_words:
        should.append(
            {
                "multi_match": {
                    "query": word,
                    "fields": [*HIGHLIGHT_FIELDS, *SKILL_ALIAS_FIELDS],
                    "analyzer": "french_index",
                    "fuzziness": FUZZINESS,
                    "prefix_length": 2,
                }
            }
        )
        if len(word) >= MIN_PREFIX_LENGTH:
            should.extend({"prefix": {field: {"value": word}}} for field in [*HIGHLIGHT_FIELDS, *SKILL_ALIAS_FIELDS])
    return {"bool": {"should": should}}


def facet_filters(query: SearchQuery) -> dict[str, dict]:
    """The filter clause of each facet that has selected values (values OR'ed inside a facet)."""
    filters = {}
    for name, values in query.selected_facets().items():
        if not values:
            continue
        if name == "cities":
            filters[name] = {"term": {"city.folded": fold(values[0])}}
        else:
            filters[name] = {"terms": {FACET_FIELDS[name]: values}}
    return filters


def _all_of(clauses: list[dict]) -> dict:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def geo_filter(query: SearchQuery) -> dict | None:
    if query.near is None:
        return None
    return {
        "geo_distance": {
            "distance": f"{query.near.radius_km}km",
            "distance_type": "arc",
            "location": {"lat": query.near.latitude, "lon": query.near.longitude},
        }
    }


def sort_clause(query: SearchQuery) -> list:
    by_name = [{"name.sort": {"order": "asc"}}, {"slug": {"order": "asc"}}]
    if query.sort == "name":
        return by_name
    if query.sort == "newest":
        return [{"joined": {"order": "desc", "missing": "_last"}}, *by_name]
    if query.sort == "distance":
        point = {"lat": query.near.latitude, "lon": query.near.longitude}
        return [{"_geo_distance": {"location": point, "order": "asc", "unit": "km", "distance_type": "arc"}}, *by_name]
    return ["_score", *by_name]


def search_body(query: SearchQuery) -> dict:
    """The single request answering a search page."""
    text = text_query(query.text)
    main = {"bool": {"must": [text] if text else [{"match_all": {}}], "filter": []}}
    geo = geo_filter(query)
    if geo:
        main["bool"]["filter"].append(geo)
    hidden = hidden_clause(query.hidden_ids)
    if hidden:
        # In the query, not the post_filter: hidden documents count in no facet and get no highlight.
        main["bool"]["must_not"] = [hidden]
    filters = facet_filters(query)
    aggregations = {}
    for name in FACET_NAMES:
        others = [clause for other, clause in filters.items() if other != name]
        aggregations[name] = {
            "filter": _all_of(others),
            "aggs": {"values": {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZES[name]}}},
        }
    body = {
        "query": main,
        "from": (query.page - 1) * query.per_page,
        "size": query.per_page,
        "sort": sort_clause(query),
        "track_total_hits": True,
        "_source": ["id", "slug"],
        "aggs": aggregations,
    }
    if filters:
        body["post_filter"] = _all_of(list(filters.values()))
    if text and words(query.text):
        body["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "highlight_query": highlight_query(query.text),
            "fields": {
                field: (
                    {"fragment_size": FRAGMENT_SIZE, "number_of_fragments": 1}
                    if field == "description"
                    else {"number_of_fragments": 0}
                )
                for field in [*HIGHLIGHT_FIELDS, *SKILL_ALIAS_FIELDS]
            },
        }
    if text and words(query.text) and not hidden:
        # The phrase suggester reads the whole index's terms: none while some documents are hidden.
        body["suggest"] = {
            "text": " ".join(words(query.text)),
            "did_you_mean": {
                "phrase": {
                    "field": "spell",
                    "gram_size": 1,
                    "max_errors": 2,
                    "size": 1,
                    "direct_generator": [{"field": "spell", "suggest_mode": "missing", "min_word_length": 4}],
                }
            },
        }
    return body


def hidden_clause(ids) -> dict | None:
    """Documents to leave out (structures whose last change is not indexed yet)."""
    return {"ids": {"values": [str(i) for i in ids]}} if ids else None


def suggest_body(prefix: str, limit: int, hidden_ids=()) -> dict:
    """Structure names whose words start with the typed words (edge n-grams on the name)."""
    match = {"match": {"name.autocomplete": {"query": " ".join(words(prefix)), "operator": "and"}}}
    hidden = hidden_clause(hidden_ids)
    return {
        "query": {"bool": {"must": [match], "must_not": [hidden]}} if hidden else match,
        "sort": [{"name.sort": {"order": "asc"}}, {"slug": {"order": "asc"}}],
        "size": limit,
        "_source": ["name", "slug"],
    }
