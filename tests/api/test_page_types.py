"""Every Wagtail page type is queryable, and the whole demo site answers over GraphQL.

The list of page types comes from Wagtail (``get_page_models()``), not from a hand-kept
list: a page type added later without a grapple type fails here.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from grapple.registry import registry
from grapple.types.interfaces import get_page_interface
from wagtail.models import Page, Site, get_page_models
from wagtail.search.backends import get_search_backend

from api.schema import schema

PAGE_MODELS = [model for model in get_page_models() if model is not Page]


@pytest.mark.parametrize("model", PAGE_MODELS, ids=lambda model: model._meta.label)
def test_every_page_model_has_its_own_graphql_type(model):
    graphql_type = schema.graphql_schema.get_type(model.__name__)

    assert model in registry.pages, f"{model._meta.label} has no grapple type"
    assert graphql_type is not None
    assert [i.name for i in graphql_type.interfaces] == ["PageInterface"]
    # The interface resolves an instance of the model to that type (not grapple's bare `Page`).
    assert get_page_interface().resolve_type(model.__new__(model), None)._meta.name == model.__name__


def test_directory_page_exposes_its_fields_and_prefilters():
    fields = schema.graphql_schema.get_type("DirectorySearchPage").fields

    assert {
        name: str(fields[name].type)
        for name in (
            "intro",
            "prefilterCategories",
            "prefilterMemberships",
            "prefilterSkills",
            "prefilterSectors",
            "prefilterCity",
        )
    } == {
        "intro": "RichText",
        "prefilterCategories": "[String]",
        "prefilterMemberships": "[Membership!]",
        "prefilterSkills": "[Skill!]",
        "prefilterSectors": "[Sector!]",
        "prefilterCity": "String",
    }


@pytest.fixture
def demo_site(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", structures=20, stdout=StringIO())
    get_search_backend().refresh_indexes()
    return Site.objects.get(is_default_site=True)


def test_the_whole_demo_site_answers_over_graphql(demo_site, gql):
    live_pages = Page.objects.live().public().in_site(demo_site).filter(depth__gt=1).specific()
    expected_types = {type(page).__name__ for page in live_pages}

    _, listing = gql("{ pages(limit: 100) { __typename title urlPath } }")
    _, directory = gql(
        '{ page(urlPath: "/annuaire/") { __typename title'
        " ... on DirectorySearchPage { prefilterMemberships { slug } } } }"
    )
    _, tenants = gql(
        '{ pages(contentType: "directory_pages.DirectorySearchPage") { title'
        " ... on DirectorySearchPage { prefilterMemberships { slug } } } }"
    )
    _, found = gql('{ search(query: "structure") { __typename ... on PageInterface { title } } }')
    _, tree = gql('{ page(urlPath: "/") { descendants(limit: 100) { __typename title } children { title } } }')

    for body in (listing, directory, tenants, found, tree):
        assert "errors" not in body, body
    assert {page["__typename"] for page in listing["data"]["pages"]} == expected_types
    assert "DirectorySearchPage" in expected_types
    assert len(listing["data"]["pages"]) == live_pages.count()
    assert directory["data"]["page"] == {
        "__typename": "DirectorySearchPage",
        "title": "L’annuaire",
        "prefilterMemberships": [],
    }
    assert sorted(
        (p["title"], tuple(m["slug"] for m in p["prefilterMemberships"])) for p in tenants["data"]["pages"]
    ) == [
        ("Les locataires permanents", ("locataire",)),
        ("L’annuaire", ()),
    ]
    assert {"__typename": "DirectorySearchPage", "title": "L’annuaire"} in found["data"]["search"]
    descendants = tree["data"]["page"]["descendants"]
    assert {page["__typename"] for page in descendants} == expected_types - {"HomePage"}
    assert len(descendants) == live_pages.count() - 1
