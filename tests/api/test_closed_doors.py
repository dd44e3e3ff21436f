"""Closed doors on grapple's generic queries: order, renditions, previews, sites, snippets, search."""

import pytest
from django.core.signing import TimestampSigner
from wagtail.images.models import Rendition
from wagtail.models import Page, Site

from home.models.pages import ContentPage


@pytest.fixture
def two_sites(db):
    root = Page.objects.get(depth=1)
    site_a = Site.objects.get(is_default_site=True)
    page_a = site_a.root_page.add_child(instance=ContentPage(title="Ateliers ouverts", slug="ateliers"))
    root_b = root.add_child(instance=ContentPage(title="Accueil B", slug="accueil-b"))
    site_b = Site.objects.create(hostname="autre.example", port=80, root_page=root_b, site_name="B")
    page_b = root_b.add_child(instance=ContentPage(title="Secret de B", slug="secret-b"))
    return {"a": site_a, "b": site_b, "page_a": page_a, "page_b": page_b}


def test_order_argument_is_allowlisted(two_sites, gql):
    ok_status, ok = gql('{ pages(order: "title, -id") { title } }')
    status, body = gql('{ pages(order: "owner__password") { title } }')

    assert ok_status == 200 and ok["data"]["pages"][0]["title"] == "Ateliers ouverts"
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "order"}
    assert "'owner__password'" in body["errors"][0]["message"]


def test_rendition_filters_outside_allowlist_are_refused_and_nothing_generated(directory, gql):
    before = Rendition.objects.count()

    status, body = gql('{ structure(slug: "soleil-coop") { logo { rendition(width: 333) { url } } } }')

    assert status == 200
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "width"}
    assert "'width-333' non autorisé" in body["errors"][0]["message"]
    assert Rendition.objects.count() == before


def test_expired_preview_token_is_refused(two_sites, gql, settings):
    settings.PREVIEW_TOKEN_MAX_AGE = 60
    signer = TimestampSigner(salt="headlesspreview.token")
    signer.timestamp = lambda: "1"  # signed at the epoch, long expired
    expired = signer.sign(f"id={two_sites['page_a'].pk}")

    status, body = gql(f'{{ page(token: "{expired}") {{ title }} }}')

    assert body["data"] == {"page": None}
    assert body["errors"][0]["extensions"] == {"code": "PREVIEW_TOKEN_EXPIRED"}


def test_forged_preview_token_returns_nothing(two_sites, gql):
    status, body = gql(f'{{ page(token: "id={two_sites["page_a"].pk}:forged:sig") {{ title }} }}')

    assert (status, body) == (200, {"data": {"page": None}})


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{{ page(id: {b}) {{ title }} }}", id="page-by-id"),
        pytest.param('{{ page(slug: "secret-b") {{ title }} }}', id="page-by-slug"),
        pytest.param('{{ page(urlPath: "/secret-b/") {{ title }} }}', id="page-by-path"),
        pytest.param('{{ page(id: {b}, site: "autre.example") {{ title }} }}', id="page-site-argument"),
        pytest.param('{{ pages(site: "autre.example") {{ title }} }}', id="pages-site-argument"),
        pytest.param("{{ pages {{ title }} }}", id="pages"),
        pytest.param('{{ site(hostname: "autre.example") {{ pages {{ title }} }} }}', id="site"),
        pytest.param("{{ sites {{ hostname pages {{ title }} }} }}", id="sites"),
        pytest.param('{{ search(query: "Secret") {{ __typename }} }}', id="search"),
    ],
)
def test_pages_of_another_site_are_not_reachable(two_sites, gql, query):
    status, body = gql(query.format(b=two_sites["page_b"].pk))

    assert status == 200, body
    assert "errors" not in body
    assert "Secret de B" not in str(body) and "Accueil B" not in str(body)


def test_pages_of_the_requested_site_are_reachable(two_sites, gql):
    status, body = gql(f"{{ page(id: {two_sites['page_b'].pk}) {{ title }} }}", headers={"HTTP_HOST": "autre.example"})

    assert body == {"data": {"page": {"title": "Secret de B"}}}


def test_generic_snippets_and_search_never_return_directory_rows(directory, gql):
    status, body = gql('{ snippets { __typename } search(query: "Brouillon") { __typename } }')

    assert status == 200, body
    assert body["data"] == {"snippets": [], "search": []}
