"""The engine's request bodies, checked as dicts (no server needed)."""

from search.engine.definition import analysis, index_body, synonym_rules
from search.engine.query import search_body, spelling_body, suggest_body, text_query, wants_spelling
from search.types import GeoPoint, SearchQuery


def test_empty_or_syntax_only_text_matches_all():
    assert text_query("") is None
    assert text_query("(( * : ))") is None
    assert search_body(SearchQuery(text="*"))["query"]["bool"]["must"] == [{"match_all": {}}]


def test_text_is_never_query_syntax():
    body = search_body(SearchQuery(text="(RSE a:b*"))
    serialized = repr(body)

    assert "query_string" not in serialized
    assert "simple_query_string" not in serialized
    cross = body["query"]["bool"]["must"][0]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]
    assert cross["query"] == "rse b"
    assert cross["type"] == "cross_fields"


def test_every_word_counts_with_fuzzy_and_prefix_alternatives():
    must = text_query("menuisier roubaix")["bool"]["must"][0]["bool"]["should"]
    literal, synonyms, per_word = must[0]["multi_match"], must[1]["multi_match"], must[2]["bool"]

    assert literal["minimum_should_match"] == synonyms["minimum_should_match"] == "3<-25%"
    assert [clause["bool"]["should"][0]["multi_match"]["query"] for clause in per_word["must"]] == [
        "menuisier",
        "roubaix",
    ]
    fuzzy = per_word["must"][0]["bool"]["should"][0]["multi_match"]
    assert (fuzzy["fuzziness"], fuzzy["prefix_length"], fuzzy["analyzer"]) == ("AUTO:5,9", 2, "french_index")
    assert per_word["must"][0]["bool"]["should"][1] == {
        "match": {"glued": {"query": "menuisier", "analyzer": "french_index", "boost": 4}}
    }
    assert per_word["must"][0]["bool"]["should"][2] == {"match": {"all_prefix": {"query": "menuisier"}}}
    # typed words > their synonyms > typos and prefixes
    assert (literal["analyzer"], synonyms["analyzer"]) == ("french_index", "french_search")
    assert literal["boost"] > synonyms["boost"] > per_word["boost"]


def test_a_one_letter_word_is_no_prefix_and_stop_words_alone_match_nothing():
    per_word = text_query("a:b*")["bool"]["must"][0]["bool"]["should"][2]["bool"]["must"]

    assert [len(clause["bool"]["should"]) for clause in per_word] == [2]  # fuzzy and glued, no all_prefix
    assert text_query("CETTE") == {"match_none": {}}
    assert text_query("*") is None  # no words at all: the listing


def test_city_and_phrase_clauses_only_add_score():
    should = text_query("économie circulaire")["bool"]["should"]

    assert should[1] == {"match": {"city": {"query": "economie circulaire", "analyzer": "french_index", "boost": 8}}}
    assert should[2]["multi_match"]["type"] == "phrase"
    assert [clause.get("multi_match", {}).get("type") for clause in text_query("bois")["bool"]["should"]] == [
        "best_fields",
        None,
    ]


def test_boosts_put_skills_above_name_and_name_above_description():
    cross = text_query("bois")["bool"]["must"][0]["bool"]["should"][0]["multi_match"]
    exact = text_query("bois")["bool"]["should"][0]["multi_match"]

    assert cross["fields"][:3] == ["name^3", "skill_names^5", "skill_synonyms^4"]
    assert cross["fields"][-1] == "description^1"
    assert exact["fields"] == ["name.exact^3", "skill_names.exact^6"]


def test_filters_go_to_post_filter_and_each_facet_ignores_its_own():
    body = search_body(SearchQuery(categories=["collectif"], skills=["rse"], city="Villeneuve-d'Ascq"))

    assert body["post_filter"] == {
        "bool": {
            "filter": [
                {"terms": {"category": ["collectif"]}},
                {"terms": {"skills": ["rse"]}},
                {"term": {"city.folded": "villeneuve-d'ascq"}},
            ]
        }
    }
    assert body["aggs"]["categories"]["filter"] == {
        "bool": {"filter": [{"terms": {"skills": ["rse"]}}, {"term": {"city.folded": "villeneuve-d'ascq"}}]}
    }
    assert body["aggs"]["memberships"]["filter"]["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
    assert body["aggs"]["cities"]["aggs"]["values"]["terms"] == {"field": "city.keyword", "size": 50}


def test_no_filter_means_no_post_filter_and_match_all_facets():
    body = search_body(SearchQuery())

    assert "post_filter" not in body
    assert {name: agg["filter"] for name, agg in body["aggs"].items()} == {
        name: {"match_all": {}} for name in ["categories", "memberships", "skills", "sectors", "cities"]
    }
    assert "highlight" not in body and "suggest" not in body


def test_geo_filter_and_distance_sort():
    body = search_body(SearchQuery(near=GeoPoint(50.63, 3.06, 12.5), sort="distance"))

    assert body["query"]["bool"]["filter"] == [
        {"geo_distance": {"distance": "12.5km", "distance_type": "arc", "location": {"lat": 50.63, "lon": 3.06}}}
    ]
    assert body["sort"][0] == {
        "_geo_distance": {"location": {"lat": 50.63, "lon": 3.06}, "order": "asc", "unit": "km", "distance_type": "arc"}
    }


def test_sorts_and_pagination():
    assert search_body(SearchQuery(sort="newest"))["sort"][0] == {"joined": {"order": "desc", "missing": "_last"}}
    assert search_body(SearchQuery(sort="name"))["sort"] == [
        {"name.sort": {"order": "asc"}},
        {"slug": {"order": "asc"}},
    ]
    assert search_body(SearchQuery(text="x"))["sort"][0] == "_score"
    body = search_body(SearchQuery(page=3, per_page=20))
    assert (body["from"], body["size"], body["track_total_hits"]) == (40, 20, True)


def test_highlights_in_the_search_request_and_did_you_mean_apart_when_few_hits():
    query = SearchQuery(text="comptabilté")
    body = search_body(query)

    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert body["highlight"]["encoder"] == "html"
    assert set(body["highlight"]["fields"]) == {
        "name", "summary", "description", "city", "skill_names", "sector_names", "skill_synonyms",
    }  # fmt: skip
    assert "suggest" not in body
    spelling = spelling_body(query)
    assert (spelling["size"], spelling["suggest"]["text"]) == (0, "comptabilte")
    assert spelling["suggest"]["did_you_mean"]["phrase"]["field"] == "spell"
    # Only a page with few hits asks; never the relaxation's counting runs, nor while documents are hidden.
    assert [wants_spelling(query, total) for total in (0, 9, 10, 500)] == [True, True, False, False]
    assert wants_spelling(SearchQuery(text="comptabilté", per_page=1), 0) is False
    assert wants_spelling(SearchQuery(text="comptabilté", hidden_ids=(3,)), 0) is False
    assert wants_spelling(SearchQuery(categories=["collectif"]), 0) is False


def test_suggest_body_uses_edge_ngrams_of_the_name():
    assert suggest_body("Menui", 5) == {
        "query": {"match": {"name.autocomplete": {"query": "menui", "operator": "and"}}},
        "sort": [{"name.sort": {"order": "asc"}}, {"slug": {"order": "asc"}}],
        "size": 5,
        "_source": ["name", "slug"],
    }


class _Skill:
    def __init__(self, name, synonyms):
        self.name, self.synonym_list = name, synonyms


def test_synonym_rules_from_skills_strip_rule_syntax():
    rules = synonym_rules([_Skill("Photovoltaïque", ["panneaux solaires", "PV, solaire"]), _Skill("Seul", [])])

    assert rules == ["Photovoltaïque, panneaux solaires, PV solaire"]


def test_french_analysis_chain():
    chain = analysis(["a, b"])

    assert chain["analyzer"]["french_search"]["filter"] == [
        "french_elision", "lowercase", "asciifolding", "directory_synonyms", "french_stop",
        "plural_fold", "french_stemmer",
    ]  # fmt: skip
    assert "directory_synonyms" not in chain["analyzer"]["french_index"]["filter"]
    assert chain["filter"]["french_stemmer"] == {"type": "stemmer", "language": "light_french"}
    body = index_body([])
    assert body["mappings"]["properties"]["location"] == {"type": "geo_point"}
    assert body["settings"]["analysis"]["filter"]["directory_synonyms"]["synonyms"] == ["lagrappe, la grappe"]


def test_a_town_word_ranks_and_never_filters():
    query = text_query("menuisier roubaix", town_words=("roubaix",))
    per_word = query["bool"]["must"][0]["bool"]["should"][2]["bool"]["must"]

    assert [clause["bool"]["should"][0]["multi_match"]["query"] for clause in per_word] == ["menuisier"]
    assert query["bool"]["must"][0]["bool"]["should"][0]["multi_match"]["query"] == "menuisier"
    assert {"match": {"city": {"query": "menuisier roubaix", "analyzer": "french_index", "boost": 8}}} in query["bool"][
        "should"
    ]


def test_a_query_of_town_words_only_filters_by_them():
    per_word = text_query("roubaix", town_words=("roubaix",))["bool"]["must"][0]["bool"]["should"][2]["bool"]["must"]

    assert [clause["bool"]["should"][0]["multi_match"]["query"] for clause in per_word] == ["roubaix"]


def test_each_named_skill_held_adds_the_same_score():
    should = text_query("menuiserie réemploi", named_skills=("menuiserie", "reemploi"))["bool"]["should"]

    assert [clause for clause in should if "constant_score" in clause] == [
        {"constant_score": {"filter": {"term": {"skills": "menuiserie"}}, "boost": 10.0}},
        {"constant_score": {"filter": {"term": {"skills": "reemploi"}}, "boost": 10.0}},
    ]
