"""A block or a menu linking to a page of another Site never renders that page (HTML and GraphQL)."""

import json

import pytest
from wagtail.models import Page, Site

from home.models import ContentPage, NavigationSettings
from tests.home.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(tree):
    """A published page of a second Site, linked from the default Site's blocks and menu."""
    home_b = publish(Page.get_first_root_node(), ContentPage(title="Accueil B", slug="accueil-b"))
    Site.objects.create(hostname="autre.example", port=80, root_page=home_b, site_name="B")
    page_b = publish(home_b, ContentPage(title="Coulisses de B", slug="coulisses-b"))
    link = {"link_text": "Chez B", "page": page_b.pk, "url": ""}
    tree.content.body = json.dumps(
        [{"type": "call_to_action", "value": {"title": "Ailleurs", "text": "", "link": link}}]
    )
    tree.content.save_revision().publish()
    tree.home.highlights = json.dumps(
        [{"type": "highlight", "value": {"title": "Temps fort B", "text": "", "page": page_b.pk}}]
    )
    tree.home.save_revision().publish()
    navigation = NavigationSettings.for_site(tree.site)
    navigation.main_menu = json.dumps([{"type": "link", "value": link}])
    navigation.save()
    return page_b


def test_html_blocks_and_menu_leave_out_another_sites_page(client, tree, elsewhere):
    content = client.get(tree.content.url).content.decode()
    home = client.get(tree.home.url).content.decode()

    for html in (content, home):
        assert "coulisses-b" not in html
        assert "autre.example" not in html
    assert "Chez B" not in content  # a link without a target is not drawn
    assert "Temps fort B" in home  # the card stays, without its « En savoir plus »


def test_graphql_links_leave_out_another_sites_page(graphql, tree, elsewhere):
    result = graphql(
        """query ($id: ID) {
          page(id: $id) { ... on ContentPage { body { ... on CallToActionBlock {
            link { ... on LinkBlock { href page { title } } } } } } }
          navigation: setting(name: "NavigationSettings") { ... on NavigationSettings {
            mainMenu { ... on LinkBlock { linkText href page { title } } } } }
        }""",
        {"id": tree.content.pk},
    )

    assert "errors" not in result, result
    assert result["data"]["page"]["body"] == [{"link": {"href": None, "page": None}}]
    assert result["data"]["navigation"]["mainMenu"] == [{"linkText": "Chez B", "href": None, "page": None}]


def test_a_page_of_the_same_site_is_still_linked(client, tree):
    html = client.get(tree.content.url).content.decode()

    assert f'href="{tree.form.url}">Je candidate</a>' in html
