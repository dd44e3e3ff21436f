"""The search contract, run on the database fallback and on the real engine (marked ``engine``).

Expectations are read off the dataset in ``conftest.py``.
"""

import pytest

from search.service import suggest
from search.types import GeoPoint, InvalidSearchQuery, SearchQuery
from tests.search.search_dataset import LILLE, PUBLISHED, slugs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("coproprietes", ["soleil-du-nord"], id="accents"),
        pytest.param("energie solaire", ["photon-coop", "soleil-du-nord"], id="accents-skill-domain"),
        pytest.param("ÉNERGIE", ["photon-coop", "soleil-du-nord"], id="case"),
        pytest.param("l'énergie", ["photon-coop", "soleil-du-nord"], id="elision"),
        pytest.param("menuisiers", ["atelier-bois-roubaix", "menuiserie-lilloise"], id="plural"),
        pytest.param("panneaux solaires", ["photon-coop", "soleil-du-nord"], id="synonyms"),
        pytest.param("RSE", ["compta-solidaire"], id="acronym"),
        pytest.param("compost", ["terres-de-compost"], id="prefix"),
        pytest.param("compostage", ["terres-de-compost"], id="public-person-skill"),
        pytest.param("climat", ["photon-coop", "soleil-du-nord"], id="skill-domain"),
    ],
)
def test_text_finds_expected_structures(search, text, expected):
    result = search(text=text)

    assert sorted(slugs(result)) == expected
    assert result.total == len(expected)


def test_a_town_ranks_its_structures_first_and_hides_none(search):
    result = search(text="menuisier roubaix")

    assert slugs(result) == ["atelier-bois-roubaix", "menuiserie-lilloise"]


def test_a_query_naming_only_a_town_keeps_to_it(search):
    assert slugs(search(text="roubaix")) == ["atelier-bois-roubaix"]


def test_typo_is_tolerated_on_every_backend(search, backend):
    # The engine's fuzziness finds it; the database corrects the word from the known words.
    result = search(text="comptabilté")

    assert slugs(result) == ["compta-solidaire"]
    assert result.searched_text == (None if backend == "engine" else "comptabilité")


@pytest.mark.parametrize(
    "text",
    ["(RSE", "RSE)", "a:b*", '"rse', "rse~", "name:RSE OR 1=1", "{[()]}", "\\", "*", "AND", "compta/solidaire", "rse^"],
)
def test_hostile_strings_are_just_words(search, text):
    result = search(text=text)

    assert set(slugs(result)) <= set(PUBLISHED)
    assert result.total == len(result.hits)
    if "rse" in text.lower() and "1=1" not in text:
        assert slugs(result) == ["compta-solidaire"]


def test_name_match_outranks_description_match(search):
    result = search(text="menuiserie")

    # « Menuiserie Lilloise » has it in its name, « Atelier Bois Roubaix » through its skill only.
    assert slugs(result) == ["menuiserie-lilloise", "atelier-bois-roubaix"]


def test_empty_text_lists_every_published_structure_by_name(search):
    result = search()

    assert slugs(result) == [
        "atelier-bois-roubaix", "compta-solidaire", "menuiserie-lilloise", "photon-coop", "soleil-du-nord",
        "terres-de-compost",
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["brouillon", "jamais publié", "Zébulon", "Mystère", "cryptozoologie", "yéti"])
def test_private_data_never_surfaces(search, text):
    assert search(text=text).total == 0


def test_private_person_skill_is_not_a_facet_nor_a_suggestion(search, backend):
    result = search(text="compost")

    assert [f.value for f in result.facets["skills"]] == ["compostage"]
    assert "cryptozoologie" not in {f.value for f in search().facets["skills"]}
    assert suggest("crypto") == []
    assert suggest("yet") == []
    assert all("Zébulon" not in frag for hit in result.hits for h in hit.highlights for frag in h.fragments)


@pytest.mark.parametrize(
    "filters, expected",
    [
        pytest.param({"categories": ["collectif"]}, ["menuiserie-lilloise", "soleil-du-nord"], id="category"),
        pytest.param({"categories": ["collectif", "individuel"]}, ["atelier-bois-roubaix", "menuiserie-lilloise", "soleil-du-nord", "terres-de-compost"], id="categories-or"),
        pytest.param({"memberships": ["partenaire"]}, ["menuiserie-lilloise", "terres-de-compost"], id="membership"),
        pytest.param({"skills": ["menuiserie"]}, ["atelier-bois-roubaix", "menuiserie-lilloise"], id="skill"),
        pytest.param({"skills": ["compostage"]}, ["terres-de-compost"], id="skill-of-public-person"),
        pytest.param({"skills": ["cryptozoologie"]}, [], id="skill-of-private-person"),
        pytest.param({"sectors": ["energie"]}, ["photon-coop", "soleil-du-nord"], id="sector"),
        pytest.param({"city": "lille"}, ["menuiserie-lilloise", "soleil-du-nord"], id="city-folded"),
        pytest.param({"city": "Villeneuve-d'Ascq"}, ["compta-solidaire"], id="city-punctuation"),
        pytest.param({"categories": ["collectif"], "sectors": ["batiment"]}, ["menuiserie-lilloise"], id="and-across-facets"),
        pytest.param({"text": "solaire", "memberships": ["reseau"]}, ["photon-coop"], id="text-and-filter"),
    ],
)  # fmt: skip
def test_filters(search, filters, expected):
    result = search(**filters)

    assert sorted(slugs(result)) == expected
    assert result.total == len(expected)


def _counts(result, facet):
    return {f.value: f.count for f in result.facets[facet]}


def test_facets_count_everything_without_filters(search):
    result = search()

    assert _counts(result, "categories") == {"collectif": 2, "individuel": 2, "territoire": 2}
    assert _counts(result, "memberships") == {"cluster": 2, "reseau": 2, "partenaire": 2, "locataire": 1}
    assert _counts(result, "skills") == {
        "photovoltaique": 2,
        "menuiserie": 2,
        "comptabilite": 1,
        "rse": 1,
        "compostage": 1,
    }
    assert _counts(result, "sectors") == {"energie": 2, "batiment": 2, "alimentation": 1}
    assert _counts(result, "cities") == {"Lille": 2, "Lens": 1, "Roubaix": 1, "Villeneuve-d'Ascq": 1, "Arras": 1}
    assert [f.label for f in result.facets["skills"]][:2] == ["Menuiserie", "Photovoltaïque"]


def test_facets_are_disjunctive(search):
    result = search(categories=["collectif"], sectors=["batiment"])

    # The category facet ignores the category filter but keeps the sector one, and vice versa.
    assert _counts(result, "categories") == {"collectif": 1, "individuel": 1}
    assert _counts(result, "sectors") == {"batiment": 1, "energie": 1}
    assert _counts(result, "memberships") == {"cluster": 1, "partenaire": 1}
    assert _counts(result, "cities") == {"Lille": 1}


def test_selected_value_without_results_is_still_listed(search):
    result = search(text="menuiserie", categories=["territoire"])

    assert result.total == 0
    assert _counts(result, "categories") == {"collectif": 1, "individuel": 1, "territoire": 0}


def test_geo_radius_and_distance(search):
    result = search(near=GeoPoint(LILLE[0], LILLE[1], 11), sort="distance")

    assert slugs(result) == ["menuiserie-lilloise", "soleil-du-nord", "compta-solidaire", "atelier-bois-roubaix"]
    distances = [hit.distance_km for hit in result.hits]
    assert distances == sorted(distances)
    assert 0 < distances[0] < 0.2
    assert 10.9 < distances[-1] < 11  # Roubaix, 10.98 km away


def test_geo_radius_with_text(search):
    result = search(text="photovoltaique", near=GeoPoint(LILLE[0], LILLE[1], 40))

    assert sorted(slugs(result)) == ["photon-coop", "soleil-du-nord"]
    assert search(text="photovoltaique", near=GeoPoint(LILLE[0], LILLE[1], 5)).total == 1


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("name", ["atelier-bois-roubaix", "compta-solidaire", "menuiserie-lilloise", "photon-coop", "soleil-du-nord", "terres-de-compost"]),
        ("newest", ["terres-de-compost", "atelier-bois-roubaix", "photon-coop", "soleil-du-nord", "menuiserie-lilloise", "compta-solidaire"]),
    ],
)  # fmt: skip
def test_sort_orders(search, sort, expected):
    assert slugs(search(sort=sort)) == expected


@pytest.mark.parametrize(
    "page, expected",
    [
        (1, ["atelier-bois-roubaix", "compta-solidaire", "menuiserie-lilloise", "photon-coop"]),
        (2, ["soleil-du-nord", "terres-de-compost"]),
        (3, []),
    ],
)
def test_pagination_edges(search, page, expected):
    result = search(sort="name", page=page, per_page=4)

    assert slugs(result) == expected
    assert result.total == 6
    assert result.total_pages == 2


def test_highlights_mark_matched_words_and_escape_html(search):
    result = search(text="energie solaire")
    hit = next(hit for hit in result.hits if hit.structure.slug == "soleil-du-nord")
    fields = {h.field: h.fragments for h in hit.highlights}

    # The engine marks the whole token « L’énergie », the database the word after the elision.
    assert "énergie</mark>" in fields["description"][0]
    assert "<mark>solaire</mark>" in fields["description"][0]
    assert "<script" not in "".join(fields["description"])


def test_synonym_match_highlights_the_skill(search):
    result = search(text="panneaux solaires")

    for hit in result.hits:
        fields = {h.field: h.fragments for h in hit.highlights}
        assert fields["skills"] == ["<mark>Photovoltaïque</mark>"]


def test_suggest_returns_skills_and_structures_for_a_prefix(backend):
    assert [(s.kind, s.slug) for s in suggest("menui")] == [
        ("skill", "menuiserie"),
        ("structure", "menuiserie-lilloise"),
    ]
    assert [(s.kind, s.slug) for s in suggest("solei")] == [("structure", "soleil-du-nord")]
    # « sol » starts a synonym of Photovoltaïque (« panneaux solaires ») and two structure names.
    assert [(s.kind, s.slug) for s in suggest("sol")] == [
        ("skill", "photovoltaique"), ("structure", "compta-solidaire"), ("structure", "soleil-du-nord"),
    ]  # fmt: skip
    assert suggest("zzzz") == []


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"categories": ["inconnue"]}, "categories"),
        ({"sort": "distance"}, "sort"),
        ({"per_page": 1000}, "perPage"),
        ({"page": 0}, "page"),
        ({"text": "x" * 201}, "query"),
    ],
)
def test_invalid_queries_name_the_argument(backend, kwargs, argument):
    from search.service import search_structures

    with pytest.raises(InvalidSearchQuery) as error:
        search_structures(SearchQuery(**kwargs))

    assert error.value.argument == argument


def test_engine_and_postgresql_offer_a_spelling_suggestion(search, typo_tolerant):
    if not typo_tolerant:
        pytest.skip("the database backend on SQLite makes no spelling suggestion: this check could not fail there")
    result = search(text="comptabilté")

    assert result.suggestion == "comptabilite"
    assert search(text="comptabilite").suggestion is None
