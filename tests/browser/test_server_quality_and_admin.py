"""The directory page feeds the search-quality log, and editors get the embed snippet."""

import re

import pytest
from django.utils.html import escape

from search.models import SearchClickLog, SearchQueryLog
from search.web.admin import iframe_snippet

pytestmark = pytest.mark.usefixtures("directory_data")


@pytest.fixture(autouse=True)
def empty_logs(db):
    """Browser tests log searches through the live server (committed on PostgreSQL): start clean.
    The deletion is inside this test's transaction and rolled back with it."""
    SearchClickLog.objects.all().delete()
    SearchQueryLog.objects.all().delete()


def test_a_search_is_logged_and_its_result_links_ping_the_click_endpoint(client, db, ingest_search_log):
    html = client.get("/annuaire/", {"q": "compostage"}).content.decode()
    assert SearchQueryLog.objects.count() == 0  # nothing written on the GET: the worker writes the log
    href, ping = re.search(r'<a href="([^"]+)" ping="([^"]+)" data-dir-hit', html).groups()
    assert href == "/annuaire/structures/compost-roubaix/"
    token = re.fullmatch(r"/annuaire/clic/\?structure=compost-roubaix&amp;q=([0-9a-f]{32})&amp;position=1", ping)[1]
    response = client.post(ping.replace("&amp;", "&"), "PING", content_type="text/ping")
    assert response.status_code == 204
    ingest_search_log()
    log = SearchQueryLog.objects.get()
    assert (log.query, log.result_count, len(token)) == ("compostage", 1, 32)
    click = SearchClickLog.objects.get()
    assert (click.search_id, click.structure.slug, click.position) == (log.pk, "compost-roubaix", 1)


def test_typing_fetches_and_blank_listings_are_not_logged(client, db, ingest_search_log):
    html = client.get(
        "/annuaire/", {"q": "compo"}, HTTP_X_DIRECTORY_FRAGMENT="1", HTTP_X_DIRECTORY_LOG="0"
    ).content.decode()
    client.get("/annuaire/")
    assert ingest_search_log()["searches"] == 0
    assert SearchQueryLog.objects.count() == 0
    assert 'href="/annuaire/structures/compost-roubaix/" data-dir-hit' in html


def test_editors_get_an_iframe_snippet_for_the_chosen_filters(client, db, django_user_model, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://partenaire.example"]
    editor = django_user_model.objects.create_superuser("editrice", "editrice@example.org", "x")
    client.force_login(editor)
    response = client.get(
        "/admin/annuaire/integration/", {"categories": "collectif", "memberships": "locataire", "height": "600"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    url = "http://testserver/embed/annuaire/?categories=collectif&memberships=locataire"
    assert escape(iframe_snippet(url, 600)) in html
    assert "<code>https://partenaire.example</code>" in html


def test_the_snippet_screen_is_for_admin_users_only(client, db):
    response = client.get("/admin/annuaire/integration/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
