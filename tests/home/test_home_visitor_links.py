"""The editorial site leads to the directory: search box, skills, sitemap, robots, icons, child pages."""

import re

import pytest
from wagtail.models import Site

from directory.models import Skill, Structure
from directory_pages.models import DirectorySearchPage
from home.models import ContentPage

# French typography turns some spaces into non-breaking ones (U+00A0, U+202F): compare words, not spaces.
FRENCH_SPACES = {0xA0: " ", 0x202F: " "}

pytestmark = pytest.mark.django_db


@pytest.fixture
def structures(tree):
    """Three published structures (one skill shared by two), a draft, and « L’annuaire » under home."""
    solar = Skill.objects.create(name="Photovoltaïque", slug="t-photovoltaique")
    compost = Skill.objects.create(name="Compostage", slug="t-compostage")
    made = {}
    for slug, name, live, skills in [
        ("t-soleil", "Soleil du Nord", True, [solar]),
        ("t-artois", "Artois Énergies", True, [solar]),
        ("t-compost", "Compost’Roubaix", True, [compost]),
        ("t-secret", "Projet Secret", False, [solar, compost]),
    ]:
        structure = Structure(slug=slug, name=name, category="collectif", city="Lille", live=live)
        structure.save()
        structure.skills.set(skills)
        structure.save()  # a ParentalManyToManyField is written on save
        made[slug] = structure
    directory = tree.home.add_child(instance=DirectorySearchPage(title="L’annuaire", slug="annuaire"))
    directory.save_revision().publish()
    return made


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode().translate(FRENCH_SPACES))


def test_sitemap_lists_every_public_profile_and_no_private_one(client, structures):
    locations = sitemap_locations(client)
    profiles = sorted(url for url in locations if "/annuaire/structures/" in url)
    assert profiles == [
        "http://localhost/annuaire/structures/t-artois/",
        "http://localhost/annuaire/structures/t-compost/",
        "http://localhost/annuaire/structures/t-soleil/",
    ]
    assert not any("t-secret" in url for url in locations)
    assert "http://localhost/annuaire/" in locations


def test_sitemap_and_robots_use_the_sites_own_address(client, structures, tree):
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "lagrappe.example", 443
    site.save()
    locations = sitemap_locations(client)
    assert all(url.startswith("https://lagrappe.example/") for url in locations), locations
    assert "https://lagrappe.example/annuaire/structures/t-soleil/" in locations
    robots = client.get("/robots.txt").content.decode().translate(FRENCH_SPACES)
    assert "Sitemap: https://lagrappe.example/sitemap.xml\n" in robots
    assert "testserver" not in robots


def test_unpublishing_a_structure_takes_it_out_of_the_sitemap(client, structures):
    structures["t-soleil"].live = False
    structures["t-soleil"].save()
    assert not any("t-soleil" in url for url in sitemap_locations(client))


@pytest.mark.parametrize(
    "path, target",
    [("/favicon.ico", "/static/favicon.ico"), ("/apple-touch-icon.png", "/static/img/apple-touch-icon.png")],
)
def test_site_icons_answer_at_the_root(client, path, target):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == target
    assert "max-age=86400" in response["Cache-Control"]


def test_every_page_declares_its_icons(client, tree):
    html = client.get("/").content.decode().translate(FRENCH_SPACES)
    assert '<link rel="icon" href="/static/favicon.ico" sizes="48x48">' in html
    assert '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">' in html


def test_home_page_offers_a_directory_search_popular_skills_and_newcomers(client, structures):
    html = client.get("/").content.decode().translate(FRENCH_SPACES)
    assert re.search(r'<form class="home-search" method="get" action="/annuaire/" role="search"', html)
    assert '<input id="home-q" type="search" name="q"' in html
    skills = re.findall(r'<a class="skill-link" href="([^"]+)">([^<]+) <span', html)
    # Counted over published structures only: the draft adds nothing to either skill.
    assert skills == [
        ("/annuaire/?skills=t-photovoltaique", "Photovoltaïque"),
        ("/annuaire/?skills=t-compostage", "Compostage"),
    ]
    assert '(2<span class="visually-hidden"> structures</span>)' in html
    assert "Projet Secret" not in html
    assert html.count('class="card structure-card"') == 3


def test_content_page_lists_its_child_pages(client, tree):
    child = ContentPage(
        title="Le droit à l’initiative", slug="initiative", search_description="Chacun peut lancer un projet."
    )
    tree.content.add_child(instance=child)
    child.save_revision().publish()
    draft = ContentPage(title="Brouillon caché", slug="brouillon", live=False)
    tree.content.add_child(instance=draft)
    html = client.get(tree.content.url).content.decode().translate(FRENCH_SPACES)
    assert '<h2 id="child-pages-title">Pour aller plus loin</h2>' in html
    assert '<a href="/cooperation/initiative/">Le droit à l’initiative</a>' in html
    assert "<p>Chacun peut lancer un projet.</p>" in html
    assert "Brouillon caché" not in html


def test_footer_links_have_a_heading(client, tree):
    html = client.get("/").content.decode().translate(FRENCH_SPACES)
    assert '<nav aria-labelledby="footer-links">' in html
    assert '<h2 id="footer-links" class="site-footer__title">Liens utiles</h2>' in html


def test_demo_site_takes_the_address_it_is_served_on(tree, settings):
    from home.demo import replace_default_site_root

    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8000"
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "localhost", 80  # Wagtail's placeholder
    site.save()
    replace_default_site_root(tree.home)
    site.refresh_from_db()
    assert site.root_url == "http://localhost:8000"
    site.hostname, site.port = "lagrappe.example", 443  # an address an editor chose is kept
    site.save()
    replace_default_site_root(tree.home)
    site.refresh_from_db()
    assert site.root_url == "https://lagrappe.example"
