"""Nested fields, settings, tags and search text: what grapple's root guards did not cover."""

import pytest
from wagtail.models import Collection, CollectionViewRestriction, Page, Site

from home.models import ContactSettings
from home.models.pages import ContentPage
from tests.api.conftest import make_image


@pytest.fixture
def tree(db):
    """Site A: a draft section with a live child; site B beside A's home page."""
    site_a = Site.objects.get(is_default_site=True)
    home = site_a.root_page
    draft = home.add_child(instance=ContentPage(title="Rubrique brouillon", slug="rubrique", live=False))
    child = draft.add_child(instance=ContentPage(title="Enfant publié", slug="enfant"))
    root_b = Page.objects.get(depth=1).add_child(instance=ContentPage(title="Accueil B", slug="accueil-b"))
    site_b = Site.objects.create(hostname="autre.example", port=80, root_page=root_b, site_name="B")
    ContactSettings.objects.create(site=site_a, email="contact@a.example")
    ContactSettings.objects.create(site=site_b, email="secret@b.example")
    return {"a": site_a, "b": site_b, "home": home, "draft": draft, "child": child}


def test_parent_and_ancestors_of_a_live_child_hide_its_draft_parent(tree, gql):
    status, body = gql(f"{{ page(id: {tree['child'].pk}) {{ title parent {{ title }} ancestors {{ title }} }} }}")

    assert status == 200, body
    assert body["data"]["page"]["parent"] is None
    assert [a["title"] for a in body["data"]["page"]["ancestors"]] == [tree["home"].title]


def test_siblings_of_the_home_page_do_not_reach_another_site(tree, gql):
    status, body = gql(
        f"{{ page(id: {tree['home'].pk}) {{ siblings {{ title }} nextSiblings {{ title }} previousSiblings {{ title }}"
        " parent { title } } }"
    )

    assert body == {"data": {"page": {"siblings": [], "nextSiblings": [], "previousSiblings": [], "parent": None}}}


@pytest.mark.parametrize(
    "field",
    [
        "draftTitle",
        "hasUnpublishedChanges",
        "latestRevisionCreatedAt",
        "lockedAt",
        "numchild",
        "locked",
        "aliasOf { title }",
    ],
)
def test_draft_and_revision_fields_are_not_in_the_schema(tree, gql, field):
    status, body = gql(f"{{ pages {{ ... on ContentPage {{ {field} }} }} }}")

    assert status == 400
    assert body["errors"][0]["message"].startswith("Cannot query field")


def test_settings_are_those_of_the_request_site_even_with_two_sites(tree, gql):
    query = (
        '{ settings { ... on ContactSettings { email } } one: setting(name: "contactsettings") {'
        ' ... on ContactSettings { email } } other: setting(name: "contactsettings", site: "autre.example") {'
        " ... on ContactSettings { email } } }"
    )
    _, on_a = gql(query)
    _, on_b = gql(query, headers={"HTTP_HOST": "autre.example"})

    assert on_a == {
        "data": {"settings": [{"email": "contact@a.example"}], "one": {"email": "contact@a.example"}, "other": None}
    }
    assert on_b["data"]["one"] == {"email": "secret@b.example"}
    assert on_b["data"]["other"] == {"email": "secret@b.example"}


def test_tags_used_only_on_private_images_are_not_listed(tree, gql):
    private = Collection.get_first_root_node().add_child(name="Privé")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="password", password="x")
    hidden = make_image("cachée")
    hidden.collection = private
    hidden.save()
    hidden.tags.add("confidentiel")
    shown = make_image("montrée")
    shown.tags.add("public")

    status, body = gql("{ tags { name } images { title tags { name } } }")

    assert status == 200, body
    assert body["data"]["tags"] == [{"name": "public"}]
    assert body["data"]["images"] == [{"title": "montrée", "tags": [{"name": "public"}]}]


@pytest.mark.parametrize("text", ['"', 'atelier "', "   ", "a\u0000b", "\u0000", "'"], ids=repr)
def test_page_search_with_odd_text_answers_without_internal_error(tree, gql, text):
    status, body = gql(
        "query($q: String) { pages(searchQuery: $q) { title } search(query: $q) { __typename } }", {"q": text}
    )

    assert status == 200, body
    assert "errors" not in body, body
    assert body["data"]["search"] == [] or all(isinstance(hit, dict) for hit in body["data"]["search"])
    if not text.strip("\"' \u0000"):
        assert body["data"] == {"pages": [], "search": []}


def test_directory_block_returns_the_published_structures_it_shows(directory, gql):
    home = Site.objects.get(is_default_site=True).root_page
    page = home.add_child(
        instance=ContentPage(
            title="Nos voisins",
            slug="voisins",
            body=[
                (
                    "directory",
                    {
                        "heading_text": "Voisins",
                        "categories": [],
                        "memberships": [],
                        "skills": [],
                        "sectors": [],
                        "city": "",
                        "limit": 6,
                    },
                )
            ],
        )
    )

    status, body = gql(
        f"{{ page(id: {page.pk}) {{ ... on ContentPage {{ body {{ ... on DirectoryBlock {{ headingText limit"
        " structures { slug people { fullName } } } } } } }"
    )

    assert status == 200, body
    assert body["data"]["page"]["body"] == [
        {
            "headingText": "Voisins",
            "limit": 6,
            "structures": [
                {"slug": "panier-local", "people": [{"fullName": "Chloé Durand"}]},
                {"slug": "soleil-coop", "people": [{"fullName": "Alice Martin"}]},
            ],
        }
    ]
