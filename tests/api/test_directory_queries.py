"""The directory contract: queries, fields, visibility, argument errors."""

from types import SimpleNamespace

import pytest

from api.graphql.directory.dataloaders import AbsoluteUrlByPathLoader

STRUCTURE_FIELDS = """
  slug name category categoryLabel legalForm summary description website email phone
  address postcode city latitude longitude founded joined url
  memberships { slug name }
  skills { slug name domain { slug } synonyms structureCount }
  sectors { slug name }
  people { firstName lastName fullName role email }
  logo { title rendition(width: 320) { url width } srcSet(sizes: [320, 640]) }
"""


def test_structure_by_slug_exposes_contract_fields_and_public_people_only(directory, gql):
    status, body = gql(f'{{ structure(slug: "soleil-coop") {{ {STRUCTURE_FIELDS} }} }}')

    assert status == 200, body
    s = body["data"]["structure"]
    assert s["name"] == "Soleil Coop"
    assert s["categoryLabel"] == "Projet collectif"
    assert s["url"] == "http://testserver/annuaire/structures/soleil-coop/"
    assert [m["slug"] for m in s["memberships"]] == ["cluster", "locataire"]
    assert [p["fullName"] for p in s["people"]] == ["Alice Martin"]
    assert [k["slug"] for k in s["skills"]] == ["photovoltaique", "renovation"]
    assert s["skills"][0]["synonyms"] == ["panneaux solaires", "solaire"]
    # The draft also has Photovoltaïque: it is not counted.
    assert s["skills"][0]["structureCount"] == 1
    assert s["logo"]["rendition"]["width"] == 64  # width-320 never upscales a 64px logo
    assert s["logo"]["srcSet"] == (
        "http://testserver/media/images/soleil.width-320.png 64w, http://testserver/media/images/soleil.width-640.png 64w"
    )
    assert "Bruno" not in str(body) and "Secret" not in str(body)


def test_draft_structure_is_null(directory, gql):
    status, body = gql('{ structure(slug: "brouillon-secret") { name people { fullName } } }')

    assert (status, body) == (200, {"data": {"structure": None}})


def test_structures_lists_published_by_name_with_pagination(directory, gql):
    status, body = gql(
        "{ structures(perPage: 1, page: 2) { items { slug } pagination { total page perPage totalPages } } }"
    )

    assert status == 200, body
    assert body["data"]["structures"] == {
        "items": [{"slug": "soleil-coop"}],
        "pagination": {"total": 2, "page": 2, "perPage": 1, "totalPages": 2},
    }


@pytest.mark.parametrize(
    "arguments, expected",
    [
        pytest.param('categories: ["territoire"]', ["panier-local"], id="category"),
        pytest.param('memberships: ["locataire"]', ["soleil-coop"], id="membership"),
        pytest.param('skills: ["photovoltaique"]', ["soleil-coop"], id="skill-excludes-draft"),
        pytest.param('sectors: ["alimentation"]', ["panier-local"], id="sector"),
        pytest.param('city: "roubaix"', ["panier-local"], id="city-case-insensitive"),
    ],
)
def test_structures_filters(directory, gql, arguments, expected):
    status, body = gql(f"{{ structures({arguments}) {{ items {{ slug }} }} }}")

    assert status == 200, body
    assert [i["slug"] for i in body["data"]["structures"]["items"]] == expected


@pytest.mark.parametrize(
    "query, argument",
    [
        pytest.param(
            '{ structures(categories: ["inconnue"]) { items { slug } } }', "categories", id="unknown-category"
        ),
        pytest.param('{ structures(memberships: ["vip"]) { items { slug } } }', "memberships", id="unknown-membership"),
        pytest.param("{ structures(perPage: 101) { items { slug } } }", "perPage", id="per-page-over-100"),
        pytest.param("{ structures(page: 0) { items { slug } } }", "page", id="page-zero"),
        pytest.param(
            "{ directorySearch(near: {latitude: 50, longitude: 3, radiusKm: 0}) { total } }",
            "near.radiusKm",
            id="radius-zero",
        ),
        pytest.param("{ directorySearch(perPage: 500) { total } }", "perPage", id="search-per-page"),
        pytest.param('{ directorySuggest(prefix: "so", limit: 50) { label } }', "limit", id="suggest-limit"),
    ],
)
def test_bad_arguments_are_graphql_errors_naming_the_argument(directory, gql, query, argument):
    status, body = gql(query)

    assert status == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert error["message"].startswith(f"Argument « {argument} » invalide : ")


def test_skills_count_published_structures_and_filter_by_domain(directory, gql):
    status, body = gql('{ skills(domain: "energie-climat") { slug structureCount domain { name } } }')

    assert status == 200, body
    assert body["data"]["skills"] == [
        {"slug": "photovoltaique", "structureCount": 1, "domain": {"name": "Énergie & climat"}},
        {"slug": "renovation", "structureCount": 1, "domain": {"name": "Énergie & climat"}},
    ]


def test_skill_domains_and_sectors(directory, gql):
    status, body = gql("{ skillDomains { slug skills { slug } } sectors { slug name } }")

    assert status == 200, body
    assert body["data"] == {
        "skillDomains": [
            {"slug": "energie-climat", "skills": [{"slug": "photovoltaique"}, {"slug": "renovation"}]},
            {"slug": "alimentation", "skills": [{"slug": "circuits-courts"}]},
        ],
        "sectors": [{"slug": "alimentation", "name": "Alimentation"}, {"slug": "energie", "name": "Énergie"}],
    }


def test_directory_search_returns_published_hits_with_facets(directory, gql):
    status, body = gql(
        """{ directorySearch(query: "soleil", perPage: 10) {
              total page perPage totalPages engine
              hits { structure { slug people { fullName } } score distanceKm highlights { field fragments } }
              facets { categories { value label count } memberships { value count } skills { value count }
                       sectors { value count } cities { value count } }
        } }"""
    )

    assert status == 200, body
    result = body["data"]["directorySearch"]
    assert [h["structure"]["slug"] for h in result["hits"]] == ["soleil-coop"]
    assert result["hits"][0]["structure"]["people"] == [{"fullName": "Alice Martin"}]
    assert (result["total"], result["page"], result["perPage"], result["totalPages"]) == (1, 1, 10, 1)
    assert result["engine"] == "database"  # pinned by conftest; the engine runs in test_engine.py
    assert {"value": "collectif", "label": "Projet collectif", "count": 1} in result["facets"]["categories"]
    assert "brouillon" not in str(body).lower()


def test_directory_search_names_the_words_it_left_out(directory, gql):
    # « cherche » matches nothing: the search is run without it, and says so.
    status, body = gql(
        '{ directorySearch(query: "je cherche des panneaux solaires") '
        "{ total ignoredWords searchedText hits { structure { slug } } } }"
    )

    assert status == 200, body
    assert body["data"]["directorySearch"] == {
        "total": 1,
        "ignoredWords": ["cherche"],
        "searchedText": "panneaux solaires",
        "hits": [{"structure": {"slug": "soleil-coop"}}],
    }


def test_directory_search_leaves_nothing_out_when_every_word_counts(directory, gql):
    status, body = gql('{ directorySearch(query: "panneaux solaires") { total ignoredWords searchedText } }')

    assert (status, body["data"]["directorySearch"]) == (
        200,
        {"total": 1, "ignoredWords": [], "searchedText": None},
    )


def test_taxonomy_synonyms_are_exposed(taxonomy, gql):
    taxonomy["domains"]["energie-climat"].synonyms = "transition énergétique; EnR"
    taxonomy["domains"]["energie-climat"].save()
    taxonomy["sectors"]["alimentation"].synonyms = "PAT"
    taxonomy["sectors"]["alimentation"].save()

    status, body = gql("{ skillDomains { slug synonyms } sectors { slug synonyms } }")

    assert (status, body["data"]) == (
        200,
        {
            "skillDomains": [
                {"slug": "energie-climat", "synonyms": ["transition énergétique", "EnR"]},
                {"slug": "alimentation", "synonyms": []},
            ],
            "sectors": [{"slug": "alimentation", "synonyms": ["PAT"]}, {"slug": "energie", "synonyms": []}],
        },
    )


def test_directory_search_never_returns_drafts(directory, gql):
    status, body = gql('{ directorySearch(query: "brouillon") { total hits { structure { slug } } } }')

    assert (status, body["data"]["directorySearch"]) == (200, {"total": 0, "hits": []})


def test_directory_suggest_structures_and_skills(directory, gql):
    status, body = gql('{ directorySuggest(prefix: "photo") { kind label slug } }')

    assert status == 200, body
    assert {"kind": "skill", "label": "Photovoltaïque", "slug": "photovoltaique"} in body["data"]["directorySuggest"]


@pytest.mark.parametrize(
    "path",
    [
        "/annuaire/structures/soleil-coop/",
        "/annuaire/structures/Atelier_2-bis/",
        "/a/%C3%A9t%C3%A9/~x:y@z!$&'()*+,;=/",
        "/a/./b/",
        "/a/../b/",
        "//ailleurs.example/x/",
        "/a b/é/",
        "/a?b=1#c",
        "relatif/",
    ],
)
def test_absolute_urls_are_what_django_builds(rf, path):
    request = rf.get("/graphql/", HTTP_HOST="annuaire.example.org")
    loader = AbsoluteUrlByPathLoader.for_info(SimpleNamespace(context=request))

    assert loader.load("/annuaire/") == "http://annuaire.example.org/annuaire/"
    assert loader.load(path) == request.build_absolute_uri(path)
