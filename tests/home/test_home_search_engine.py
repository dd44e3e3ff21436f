"""A page published in the admin is found by GraphQL `search` on the real engine (OpenSearch in CI).

Runs when ELASTICSEARCH_URL is set; use SEARCH_INDEX_PREFIX to keep the test's indexes apart, e.g.
ELASTICSEARCH_URL=http://127.0.0.1:9200 SEARCH_INDEX_PREFIX=t_home pytest tests/home -m engine
"""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Page, Site
from wagtail.search.backends import get_search_backend

from home.models import ContentPage, HomePage

pytestmark = [pytest.mark.engine, pytest.mark.django_db]


@pytest.fixture
def home_site(db):
    home = HomePage(title="LaGrappe", slug="accueil-moteur", hero_title="Un lieu partagé")
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    # Fresh indexes with Wagtail's mappings for this test's prefix.
    call_command("update_index", stdout=StringIO())
    return home


def test_page_published_in_the_admin_is_found_by_graphql_search(admin_client, client, home_site):
    backend_name = type(get_search_backend()).__module__
    assert backend_name.split(".")[-1] in {"opensearch2", "opensearch3", "elasticsearch8", "elasticsearch9"}
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"].startswith(settings.SEARCH_INDEX_PREFIX)

    response = admin_client.post(
        f"/admin/pages/add/home/contentpage/{home_site.pk}/",
        {
            "title": "Atelier de permaculture urbaine",
            "slug": "atelier-permaculture",
            "introduction": "Cultiver ensemble sur les toits de Lille.",
            "body-count": "0",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = ContentPage.objects.get(slug="atelier-permaculture")
    assert page.live is True
    draft = ContentPage(title="Permaculture en brouillon", slug="brouillon-permaculture", live=False)
    home_site.add_child(instance=draft)
    get_search_backend().refresh_indexes()

    result = client.post(
        "/graphql/",
        data=json.dumps({"query": 'query { search(query: "permaculture") { ... on ContentPage { title url } } }'}),
        content_type="application/json",
    ).json()

    assert result == {
        "data": {"search": [{"title": "Atelier de permaculture urbaine", "url": "/atelier-permaculture/"}]}
    }
