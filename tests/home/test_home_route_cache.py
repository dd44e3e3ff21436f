"""A known page address is served in one query (``home.routing``), and never past a change.

Each test warms the route with a first request, changes something the way an
editor does (or behind the signals' back), and reads the next page as a
visitor: an unpublished, moved, deleted or restricted page must be answered as
Wagtail answers it without any cache.
"""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from home.models import ContentPage
from home.site_cache import CACHE_PREFIX

PAGE_TABLES = ("wagtailcore_page", "wagtailcore_pageviewrestriction")


def routing_queries(captured) -> list[str]:
    """The queries that read the page tree or its view restrictions (the Site's own join excepted)."""
    return [
        q["sql"]
        for q in captured
        if any(table in q["sql"] for table in PAGE_TABLES) and "wagtailcore_site" not in q["sql"]
    ]


def get_twice(client, url, **extra):
    client.get(url, **extra)  # warm: the route is remembered
    return client.get(url, **extra)


def test_a_known_address_reads_its_page_once_and_no_view_restriction(client, tree):
    with CaptureQueriesContext(connection) as cold:
        client.get(tree.article.url)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(tree.article.url)

    assert response.status_code == 200 and "Trois nouveaux locataires" in response.content.decode()
    # Cold, Wagtail's walk: the home page, then per level the child by slug and its specific row, then
    # the ancestors and their restrictions (twice: once to remember whether there are any).
    assert len(routing_queries(cold.captured_queries)) >= 7
    # Warm: the home page's specific row (Wagtail's), the article in one query, no restriction read.
    warm_tree = routing_queries(warm.captured_queries)
    assert len(warm_tree) == 2
    assert not any("wagtailcore_pageviewrestriction" in sql for sql in warm_tree)


def test_the_home_page_once_known_skips_wagtails_restriction_check(client, tree):
    client.get("/")  # the layout is cached
    cache.delete(CACHE_PREFIX + "route:testserver:80:/")  # only the route is forgotten
    with CaptureQueriesContext(connection) as cold:
        client.get("/")
    with CaptureQueriesContext(connection) as warm:
        response = client.get("/")

    assert response.status_code == 200
    # Cold: Wagtail's check (the ancestors, their restrictions), and the same to remember there are none.
    assert len(cold.captured_queries) - len(warm.captured_queries) == 4


def test_an_unpublished_page_is_gone_at_once(client, tree):
    assert get_twice(client, tree.content.url).status_code == 200

    Page.objects.get(pk=tree.content.pk).unpublish()

    assert client.get(tree.content.url).status_code == 404


def test_a_page_unpublished_behind_the_signals_back_is_not_served(client, tree):
    """An entry that outlived a missed signal still cannot serve a draft: the page is read again, live only."""
    assert get_twice(client, tree.content.url).status_code == 200

    Page.objects.filter(pk=tree.content.pk).update(live=False)  # no signal: the generation stays

    assert client.get(tree.content.url).status_code == 404


def test_a_view_restriction_on_the_page_asks_for_the_password_at_once(client, tree):
    assert "Trois nouveaux locataires" in get_twice(client, tree.article.url).content.decode()

    PageViewRestriction.objects.create(page=tree.article, restriction_type="password", password="secret")

    html = client.get(tree.article.url).content.decode()
    assert 'name="password"' in html and "Bienvenue à eux." not in html


def test_a_view_restriction_on_an_ancestor_applies_to_a_known_page(client, tree):
    assert get_twice(client, tree.article.url).status_code == 200

    PageViewRestriction.objects.create(page=tree.news, restriction_type="login")

    response = client.get(tree.article.url)
    assert response.status_code == 302 and "/_util/login/" in response["Location"]


def test_a_restricted_page_stays_checked_when_its_route_is_known(client, tree):
    PageViewRestriction.objects.create(page=tree.news, restriction_type="login")

    first, second = client.get(tree.article.url), client.get(tree.article.url)

    assert (first.status_code, second.status_code) == (302, 302)


def test_a_moved_page_answers_at_its_new_address_only(client, tree):
    assert get_twice(client, tree.article.url).status_code == 200
    old_url = tree.article.url

    Page.objects.get(pk=tree.article.pk).move(tree.events, pos="last-child")

    old = client.get(old_url)
    assert (old.status_code, old["Location"]) == (301, "/agenda/trois-nouveaux-locataires/")  # Wagtail's redirect
    assert client.get("/agenda/trois-nouveaux-locataires/").status_code == 200


def test_a_deleted_page_is_gone_at_once(client, tree):
    assert get_twice(client, tree.content.url).status_code == 200

    Page.objects.get(pk=tree.content.pk).delete()

    assert client.get(tree.content.url).status_code == 404


def test_an_address_known_on_one_site_does_not_serve_another_sites_page(client, tree):
    other_home = tree.home.add_child(instance=ContentPage(title="Autre site", slug="autre-site"))
    Site.objects.create(hostname="partenaire.example", port=80, root_page=other_home, site_name="Partenaire")
    assert get_twice(client, tree.content.url).status_code == 200  # « /cooperation/ » on our Site

    theirs = client.get(tree.content.url, HTTP_HOST="partenaire.example")

    assert theirs.status_code == 404  # the partner's Site has no « cooperation » page
