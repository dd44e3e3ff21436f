"""Query builders: ``SearchQuery`` -> one request body (dicts only, unit-tested on what they produce).

One round trip answers everything: hits, highlights, disjunctive facets
(``post_filter`` narrows the hits; each facet aggregation is filtered by every
*other* facet's filter), and a « did you mean » phrase suggestion.

Visitor text never reaches a query parser: it goes into ``multi_match`` /
``match`` queries, which analyse it as plain text (no ``query_string``).
"""

from ..text import fold, words
from ..types import FACET_NAMES, SearchQuery
from .definition import EXACT_FIELDS, FACET_FIELDS, HIGHLIGHT_FIELDS, TEXT_FIELDS

FACET_SIZES = {"categories": 10, "memberships": 10, "skills": 50, "sectors": 50, "cities": 50}
# Up to three words, all must match; beyond, a quarter may be missing.
MINIMUM_SHOULD_MATCH = "3<-25%"
FRAGMENT_SIZE = 180
# AUTO with thresholds: one typo from 5 letters, two from 9 (plain AUTO lets
# « compost » reach the stem « compt » of « comptes »).
FUZZINESS = "AUTO:5,9"


def _fields(mapping: dict[str, int]) -> list[str]:
    return [f"{name}^{boost}" for name, boost in mapping.items()]


def text_query(text: str) -> dict | None:
    """Relevance: exact words > synonyms and stems across fields > typo-tolerant or prefix words.

    - the cross-field ``multi_match`` (search analyzer with synonyms and stemming)
      lets « menuisier roubaix » match a skill and a city together;
    - the per-word clause makes every word count while tolerating typos
      (fuzziness AUTO, first two letters fixed) or a word still being typed
      (edge n-grams); it is boosted low so it never outranks an exact match;
    - the exact clause (folded words, no stemming, no fuzziness) only adds score.
    """
    query_words = words(text)
    if not query_words:
        return None
    cleaned = " ".join(query_words)
    per_word = [
        {
            "bool": {
                "should": [
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
                    },
                    {"match": {"all_prefix": {"query": word}}},
                ],
                "minimum_should_match": 1,
            }
        }
        for word in query_words
    ]
    return {
        "bool": {
            "must": [
                {
                    "bool": {
                        "should": [
                            {
                                "multi_match": {
                                    "query": cleaned,
                                    "type": "cross_fields",
                                    "fields": _fields(TEXT_FIELDS),
                                    "analyzer": "french_search",
                                    "minimum_should_match": MINIMUM_SHOULD_MATCH,
                                    "boost": 2,
                                }
                            },
                            {"bool": {"must": per_word, "boost": 0.2}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            ],
            "should": [
                {
                    "multi_match": {
                        "query": cleaned,
                        "type": "best_fields",
                        "fields": _fields(EXACT_FIELDS),
                        "operator": "and",
                        "boost": 3,
                    }
                }
            ],
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
                "fields": list(HIGHLIGHT_FIELDS),
                "analyzer": "french_search",
            }
        },
    ]
    for word in query_words:
        should.append(
            {
                "multi_match": {
                    "query": word,
                    "fields": list(HIGHLIGHT_FIELDS),
                    "analyzer": "french_index",
                    "fuzziness": FUZZINESS,
                    "prefix_length": 2,
                }
            }
        )
        should.extend({"prefix": {field: {"value": word}}} for field in HIGHLIGHT_FIELDS)
    return {"bool": {"should": should}}


def facet_filters(query: SearchQuery) -> dict[str, dict]:
    """The filter clause of each facet that has selected values (values OR'ed inside a facet)."""
    filters = {}
    selected = {
        "categories": query.categories,
        "memberships": query.memberships,
        "skills": query.skills,
        "sectors": query.sectors,
    }
    for name, values in selected.items():
        if values:
            filters[name] = {"terms": {FACET_FIELDS[name]: list(values)}}
    if query.city and query.city.strip():
        filters["cities"] = {"term": {"city.folded": fold(query.city).strip()}}
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
    if text:
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
                for field in HIGHLIGHT_FIELDS
            },
        }
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


def suggest_body(prefix: str, limit: int) -> dict:
    """Structure names whose words start with the typed words (edge n-grams on the name)."""
    return {
        "query": {"match": {"name.autocomplete": {"query": " ".join(words(prefix)), "operator": "and"}}},
        "sort": [{"name.sort": {"order": "asc"}}, {"slug": {"order": "asc"}}],
        "size": limit,
        "_source": ["name", "slug"],
    }
