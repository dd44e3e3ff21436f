"""The layout (Site, menus, footer, contact details) is cached per Site and never outlives a change.

Each test warms the cache with a first request, changes something the way an
editor does, and reads the next page as a visitor: a link to a page that became
private or unpublished must be gone, a renamed or moved one must be current.
"""

import json

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from home.models import ContactSettings, ContentPage, NavigationSettings
from home.site_cache import CACHE_PREFIX, cached_for_site, retire_all_sites


def warm_then_get(client, url, **extra):
    client.get(url, **extra)
    return client.get(url, **extra).content.decode()


def layout_queries(captured) -> list[str]:
    tables = ("home_navigationsettings", "home_contactsettings")
    return [q["sql"] for q in captured if any(table in q["sql"] for table in tables)]


def set_main_menu(site, links):
    navigation = NavigationSettings.for_site(site)
    navigation.main_menu = json.dumps(
        [{"type": "link", "value": {"link_text": text, "page": page.pk, "url": ""}} for text, page in links]
    )
    navigation.save()


def test_a_warm_page_reads_no_setting_and_no_menu_target(client, tree):
    client.get(tree.content.url)

    with CaptureQueriesContext(connection) as warm:
        html = client.get(tree.content.url).content.decode()

    assert '<a href="/agenda/">Agenda</a>' in html
    assert "12 rue des Coopérateurs" in html
    assert layout_queries(warm.captured_queries) == []


def test_the_layout_costs_the_same_with_two_or_eight_menu_links(client, tree):
    set_main_menu(tree.site, [("Coopération", tree.content), ("Agenda", tree.events)])
    client.get(tree.news.url)
    with CaptureQueriesContext(connection) as two:
        client.get(tree.news.url)
    pages = [tree.content, tree.events, tree.news, tree.form, tree.article, tree.older, tree.upcoming, tree.later]
    set_main_menu(tree.site, [(page.title, page) for page in pages])
    client.get(tree.news.url)
    with CaptureQueriesContext(connection) as eight:
        html = client.get(tree.news.url).content.decode()

    assert html.count('<li><a href="/') >= 8
    assert len(eight.captured_queries) == len(two.captured_queries)


def test_unpublishing_a_linked_page_removes_it_from_the_cached_menu(client, tree):
    assert ">Agenda</a>" in warm_then_get(client, tree.content.url)

    Page.objects.get(pk=tree.events.pk).unpublish()

    assert ">Agenda</a>" not in client.get(tree.content.url).content.decode()


def test_a_view_restriction_removes_the_link_at_once(client, tree):
    assert ">Agenda</a>" in warm_then_get(client, tree.content.url)

    restriction = PageViewRestriction.objects.create(page=tree.events, restriction_type="password", password="x")
    assert ">Agenda</a>" not in client.get(tree.content.url).content.decode()

    restriction.delete()
    assert ">Agenda</a>" in client.get(tree.content.url).content.decode()


def test_moving_a_linked_page_updates_its_address(client, tree):
    assert '<a href="/agenda/">Agenda</a>' in warm_then_get(client, tree.content.url)

    Page.objects.get(pk=tree.events.pk).move(tree.news, pos="last-child")

    assert '<a href="/actualites/agenda/">Agenda</a>' in client.get(tree.content.url).content.decode()


def test_publishing_a_new_slug_updates_its_address(client, tree):
    warm_then_get(client, tree.content.url)
    events = Page.objects.get(pk=tree.events.pk).specific
    events.slug = "rendez-vous"
    events.save_revision().publish()

    assert '<a href="/rendez-vous/">Agenda</a>' in client.get(tree.content.url).content.decode()


def test_deleting_a_linked_page_removes_it(client, tree):
    warm_then_get(client, tree.content.url)

    Page.objects.get(pk=tree.events.pk).delete()

    assert ">Agenda</a>" not in client.get(tree.content.url).content.decode()


def test_saving_the_settings_shows_them_on_the_next_page(client, tree):
    warm_then_get(client, tree.content.url)
    contact = ContactSettings.for_site(tree.site)
    contact.street_address = "3 place du Marché"
    contact.save()
    set_main_menu(tree.site, [("Nos actualités", tree.news)])

    html = client.get(tree.content.url).content.decode()

    assert "3 place du Marché" in html
    assert '<a href="/actualites/">Nos actualités</a>' in html
    assert ">Agenda</a>" not in html


def test_two_sites_never_share_an_entry(client, tree):
    other_home = tree.home.add_child(instance=ContentPage(title="Autre site", slug="autre-site"))
    other = Site.objects.create(hostname="partenaire.example", port=80, root_page=other_home, site_name="Partenaire")
    partner_page = other_home.add_child(instance=ContentPage(title="Nos ateliers", slug="ateliers"))
    set_main_menu(other, [("Chez le partenaire", partner_page)])
    contact = ContactSettings.for_site(other)
    contact.street_address = "1 rue du Partenaire"
    contact.save()

    ours = warm_then_get(client, tree.content.url)
    theirs = warm_then_get(client, "/", HTTP_HOST="partenaire.example")

    assert ">Agenda</a>" in ours and "Chez le partenaire" not in ours and "1 rue du Partenaire" not in ours
    assert "Chez le partenaire" in theirs and ">Agenda</a>" not in theirs and "1 rue du Partenaire" in theirs
    assert "<h1" in theirs and "Autre site" in theirs  # the other Site's own home page, not ours


def test_an_entry_built_before_a_change_is_never_served_after_it(rf):
    builds = []

    def build():
        builds.append(len(builds))
        return f"menus {len(builds)}"

    assert cached_for_site(rf.get("/"), "probe", build) == "menus 1"
    assert cached_for_site(rf.get("/"), "probe", build) == "menus 1"
    # A slow request read the generation, then the rows; a change lands; then it stores what it read.
    generation = cache.get(CACHE_PREFIX + "generation")
    retire_all_sites()
    cache.set(CACHE_PREFIX + "probe", (generation, "stale menus"))

    assert cached_for_site(rf.get("/"), "probe", build) == "menus 2"
    assert builds == [0, 1]
