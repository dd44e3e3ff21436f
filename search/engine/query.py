"""Query builders: ``SearchQuery`` -> one request body (dicts only, unit-tested on what they produce).

One round trip answers a page: hits (what they show, from ``_source``),
highlights, disjunctive facets (``post_filter`` narrows the hits; each facet
aggregation is filtered by every *other* facet's filter). A « did you mean »
phrase suggestion is a second, size-0 request, made only when the page found
few hits (``wants_spelling``).

Visitor text never reaches a query parser: it goes into ``multi_match`` /
``match`` queries, which analyse it as plain text (no ``query_string``).
"""

from ..highlight import FRAGMENT_SIZE
from ..text import (
    MIN_PREFIX_LENGTH,
    TYPO_FIXED_PREFIX,
    TYPO_ONE_EDIT_FROM,
    TYPO_TWO_EDITS_FROM,
    analyze,
    fold,
    only_stop_words,
    words,
)
from ..types import FACET_NAMES, FACET_SIZES, SearchQuery
from .definition import (
    FULL,
    GLUED_BOOST,
    GLUED_FIELD,
    HIGHLIGHT_FIELDS,
    HIT_KEYS,
    TEXT_FIELDS,
    AnalysisProfile,
    expand_synonyms,
)

# Up to three words, all must match; beyond, a quarter may be missing.
MINIMUM_SHOULD_MATCH = "3<-25%"
# Highlighted only to learn which skill matched through one of its synonyms: the
# skill's name is then marked (``EngineBackend.parse_search``), as on the database.
SKILL_ALIAS_FIELDS = ("skill_synonyms",)
# AUTO with thresholds: one typo from 5 letters, two from 9 (plain AUTO lets
# « compost » reach the stem « compt » of « comptes »); shared with the correction of
# words that match nothing (``search.text``).
FUZZY_ONE_EDIT_FROM, FUZZY_TWO_EDITS_FROM = TYPO_ONE_EDIT_FROM, TYPO_TWO_EDITS_FROM
FUZZINESS = f"AUTO:{FUZZY_ONE_EDIT_FROM},{FUZZY_TWO_EDITS_FROM}"
FUZZY_PREFIX_LENGTH = TYPO_FIXED_PREFIX  # the first two letters are never a typo


# What a hit shows and how it is checked (``search.base.card_from_source``), per profile:
# the portable index keeps the text as written under « shown » and the name as « label ».
HIT_SOURCE = {
    "full": [*HIT_KEYS, "name", "summary", "description", "city", "skill_names", "skill_synonyms", "sector_names"],
    "portable": [*HIT_KEYS, "label", "shown"],
}


def _fields(mapping: dict[str, int]) -> list[str]:
    return [f"{name}^{boost}" for name, boost in mapping.items()]


def _analyzer(profile: AnalysisProfile, name: str) -> dict:
    """The full profile names its French analyzers; the portable one's fields hold analysed terms already."""
    return {"analyzer": name} if profile.analyzed_by_engine else {}


def _analysed(profile: AnalysisProfile, word: str) -> str:
    """What a query word is matched as: itself (the engine analyses it) or LaGrappe's analysis of it."""
    if profile.analyzed_by_engine:
        return word
    return " ".join(analyze(word)) or word


# A named skill a structure holds (``SearchQuery.boost_skills``) adds this much: several outrank one.
NAMED_SKILL_BOOST = 10.0
# A town named beside other words: its structures first, whatever the town's frequency (a constant,
# not BM25, where a town as common as Lille would weigh next to nothing).
TOWN_BOOST = 20.0


def text_query(text: str, profile: AnalysisProfile = FULL, synonyms=(), town_words=(), named_skills=()) -> dict | None:
    """Relevance: typed words > their synonyms > typo-tolerant or prefix words; adjacent words add.

    - two cross-field ``multi_match`` clauses let « menuisier roubaix » match a
      skill and a city together: one on the typed words (stemmed, boost 3), one
      through the synonyms (boost 0.5) — a multi-word synonym (« gouvernance
      coopérative » for « coopérative ») sums several terms, so without the
      literal clause a synonym-only match would outrank the typed word. The full
      profile's synonym graph expands the query inside the engine; the portable
      profile sends one clause per expansion (``synonyms``: analysed rule groups,
      ``definition.synonym_groups``);
    - the per-word clause makes every word count while tolerating typos
      (fuzziness AUTO, first two letters fixed) or a word still being typed
      (``all_prefix``: edge n-grams, or ``index_prefixes`` in the portable
      profile, from two letters, of every text but the description,
      ``definition.PREFIX_FIELDS``); it is boosted low so it never outranks an
      exact match;
    - the exact clause (folded words, no stemming, no fuzziness), the city
      clause and, for several words, the phrase clause (the words side by side in one field:
      « économie circulaire ») only add score.
    """
    all_words = words(text)
    if not all_words:
        return {"match_none": {}} if only_stop_words(text) else None
    # A town named beside other words ranks its structures first and filters nothing (``base.town_words``).
    query_words = [word for word in all_words if word not in town_words] or all_words
    cleaned = " ".join(query_words)
    terms = list(dict.fromkeys(_analysed(profile, word) for word in query_words))
    matched_as = " ".join(terms)
    everything = " ".join(dict.fromkeys(_analysed(profile, word) for word in all_words))
    per_word = []
    for word in query_words:
        alternatives = [
            {
                "multi_match": {
                    "query": _analysed(profile, word),
                    "type": "best_fields",
                    "fields": _fields(TEXT_FIELDS),
                    **_analyzer(profile, "french_index"),  # no synonym graph under fuzziness
                    "fuzziness": FUZZINESS,
                    "prefix_length": FUZZY_PREFIX_LENGTH,
                    "max_expansions": 20,
                }
            }
        ]
        if profile.analyzed_by_engine:
            # « écoconstruction » meets « Éco-construction », « zerodechet » « zéro déchet ».
            alternatives.append(
                {"match": {GLUED_FIELD: {"query": word, "analyzer": "french_index", "boost": GLUED_BOOST}}}
            )
        if len(word) >= MIN_PREFIX_LENGTH:
            if profile.analyzed_by_engine:
                alternatives.append({"match": {"all_prefix": {"query": word}}})
            else:
                alternatives.append({"prefix": {"all_prefix": {"value": word}}})
        per_word.append({"bool": {"should": alternatives, "minimum_should_match": 1}})

    def cross_fields(query: str, analyzer: str, boost: float) -> dict:
        return {
            "multi_match": {
                "query": query,
                "type": "cross_fields",
                "fields": _fields(TEXT_FIELDS),
                **_analyzer(profile, analyzer),
                "minimum_should_match": MINIMUM_SHOULD_MATCH,
                "boost": boost,
            }
        }

    if profile.analyzed_by_engine:
        by_synonyms = [cross_fields(cleaned, "french_search", 0.5)]
    else:
        by_synonyms = [
            cross_fields(" ".join(variant), "", 0.5) for variant in expand_synonyms(matched_as.split(), synonyms)
        ]
    should = [
        {
            "multi_match": {
                "query": cleaned,
                "type": "best_fields",
                "fields": _fields(profile.exact_fields),
                "operator": "and",
                "boost": 3,
                # The portable profile has no phrase-level name field: a name that also
                # matches adds to a skill match instead of being hidden by it.
                **({} if profile.analyzed_by_engine else {"tie_breaker": 0.5}),
            }
        }
    ]
    # A word naming the structure's city means « there »: those structures come first
    # (« rse lille » before one named « …du Vieux-Lille » elsewhere), like the fallback's city weight.
    should.append({"match": {"city": {"query": everything, **_analyzer(profile, "french_index"), "boost": 8}}})
    should.extend(
        {"constant_score": {"filter": {"term": {"skills": slug}}, "boost": NAMED_SKILL_BOOST}} for slug in named_skills
    )
    towns = [word for word in all_words if word in town_words]
    if towns:
        town = " ".join(_analysed(profile, word) for word in towns)
        should.append(
            {
                "constant_score": {
                    "filter": {
                        "match": {"city": {"query": town, **_analyzer(profile, "french_index"), "operator": "and"}}
                    },
                    "boost": TOWN_BOOST,
                }
            }
        )
    if len(all_words) > 1:
        should.append(
            {
                "multi_match": {
                    "query": everything,
                    "type": "phrase",
                    "fields": _fields(TEXT_FIELDS),
                    **_analyzer(profile, "french_index"),
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
                            cross_fields(matched_as, "french_index", 3),
                            *by_synonyms,
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
    fields = [*HIGHLIGHT_FIELDS, *SKILL_ALIAS_FIELDS]
    should = [
        {
            "multi_match": {
                "query": " ".join(query_words),
                "type": "best_fields",
                "fields": fields,
                "analyzer": "french_search",
            }
        },
    ]
    for word in query_words:
        should.append(
            {
                "multi_match": {
                    "query": word,
                    "fields": fields,
                    "analyzer": "french_index",
                    "fuzziness": FUZZINESS,
                    "prefix_length": FUZZY_PREFIX_LENGTH,
                }
            }
        )
        if len(word) >= MIN_PREFIX_LENGTH:
            should.extend({"prefix": {field: {"value": word}}} for field in fields)
    return {"bool": {"should": should}}


def facet_filters(query: SearchQuery, profile: AnalysisProfile = FULL) -> dict[str, dict]:
    """The filter clause of each facet that has selected values (values OR'ed inside a facet)."""
    filters = {}
    for name, values in query.selected_facets().items():
        if not values:
            continue
        if name == "cities":
            filters[name] = {"term": {profile.city_filter_field: fold(values[0])}}
        else:
            filters[name] = {"terms": {profile.facet_fields[name]: values}}
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


def sort_clause(query: SearchQuery, profile: AnalysisProfile = FULL) -> list:
    by_name = [{profile.sort_field: {"order": "asc"}}, {"slug": {"order": "asc"}}]
    if query.sort == "name":
        return by_name
    if query.sort == "newest":
        return [{"joined": {"order": "desc", "missing": "_last"}}, *by_name]
    if query.sort == "distance":
        point = {"lat": query.near.latitude, "lon": query.near.longitude}
        return [{"_geo_distance": {"location": point, "order": "asc", "unit": "km", "distance_type": "arc"}}, *by_name]
    return ["_score", *by_name]


def search_body(query: SearchQuery, profile: AnalysisProfile = FULL, synonyms=()) -> dict:
    """The request answering a search page (``synonyms``: the portable profile's analysed rule groups)."""
    text = text_query(query.text, profile, synonyms, query.town_words, query.boost_skills)
    main = {"bool": {"must": [text] if text else [{"match_all": {}}], "filter": []}}
    geo = geo_filter(query)
    if geo:
        main["bool"]["filter"].append(geo)
    hidden = hidden_clause(query.hidden_ids)
    if hidden:
        # In the query, not the post_filter: hidden documents count in no facet and get no highlight.
        main["bool"]["must_not"] = [hidden]
    filters = facet_filters(query, profile)
    aggregations = {}
    for name in FACET_NAMES:
        others = [clause for other, clause in filters.items() if other != name]
        aggregations[name] = {
            "filter": _all_of(others),
            "aggs": {"values": {"terms": {"field": profile.facet_fields[name], "size": FACET_SIZES[name]}}},
        }
    body = {
        "query": main,
        "from": (query.page - 1) * query.per_page,
        "size": query.per_page,
        "sort": sort_clause(query, profile),
        "track_total_hits": True,
        "_source": HIT_SOURCE[profile.name],
        "aggs": aggregations,
    }
    if filters:
        body["post_filter"] = _all_of(list(filters.values()))
    if text and words(query.text):
        # The portable profile's index holds analysed terms, not the text visitors see:
        # LaGrappe marks the displayed text itself (``results.portable_highlight_terms``).
        if profile.analyzed_by_engine:
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
    return body


# The « did you mean » is asked apart, and only when the page found fewer hits than
# this: many hits mean the words were understood (fuzziness did the rest), and the
# phrase suggester reads the whole index's terms on every request that carries it.
SPELLING_BELOW_HITS = 10


def wants_spelling(query: SearchQuery, total: int) -> bool:
    """Whether a search that found ``total`` hits asks for a spelling suggestion (``spelling_body``).

    Never while some documents are hidden (the suggester reads every document's
    terms), nor for the relaxation's counting runs (one hit asked, ``base.relaxed_search``).
    """
    return bool(words(query.text)) and not query.hidden_ids and query.per_page > 1 and total < SPELLING_BELOW_HITS


def spelling_body(query: SearchQuery) -> dict:
    """A « did you mean » for the query's words, alone: no hits, no aggregations (the engine caches size-0 requests)."""
    return {
        "size": 0,
        "track_total_hits": False,
        "suggest": {
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
        },
    }


def hidden_clause(ids) -> dict | None:
    """Documents to leave out (structures whose last change is not indexed yet)."""
    return {"ids": {"values": [str(i) for i in ids]}} if ids else None


def suggest_body(prefix: str, limit: int, hidden_ids=(), profile: AnalysisProfile = FULL) -> dict:
    """Structure names whose words start with the typed words (edge n-grams or ``index_prefixes`` on the name)."""
    typed = words(prefix)
    if profile.analyzed_by_engine:
        match = {"match": {profile.autocomplete_field: {"query": " ".join(typed), "operator": "and"}}}
        must = [match]
    else:
        must = [{"prefix": {profile.autocomplete_field: {"value": word}}} for word in typed]
        match = {"bool": {"must": must}}
    hidden = hidden_clause(hidden_ids)
    return {
        "query": {"bool": {"must": must, "must_not": [hidden]}} if hidden else match,
        "sort": [{profile.sort_field: {"order": "asc"}}, {"slug": {"order": "asc"}}],
        "size": limit,
        # The portable index's « name » holds analysed terms: the name as written is its « label ».
        "_source": ["name", "slug"] if profile.analyzed_by_engine else ["label", "slug"],
    }
