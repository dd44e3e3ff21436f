"""A profile worth sharing: social cards, skills as search links, badges, « Structures proches »."""

import re

import pytest

# French typography turns some spaces into non-breaking ones (U+00A0, U+202F): compare words, not spaces.
FRENCH_SPACES = {0xA0: " ", 0x202F: " "}

pytestmark = pytest.mark.django_db


def meta(html: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def test_profile_has_open_graph_and_twitter_cards(client, make_structure):
    make_structure()
    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode().translate(FRENCH_SPACES)
    assert meta(html, "og:title") == "Soleil du Nord"
    assert meta(html, "og:description") == "Des toits solaires citoyens à Lille."
    assert meta(html, "og:url") == "http://testserver/annuaire/structures/soleil-du-nord/"
    assert meta(html, "og:image") == "http://testserver/static/img/og-default.png"  # no logo: the site's image
    assert meta(html, "og:site_name") == "LaGrappe"
    assert meta(html, "og:locale") == "fr_FR"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:title") == "Soleil du Nord"
    assert '<link rel="canonical" href="http://testserver/annuaire/structures/soleil-du-nord/">' in html
    assert html.count('property="og:title"') == 1


def test_profile_skills_and_sectors_link_to_the_directory_search(client, make_structure):
    make_structure(skills=("pv", "menuiserie"), sectors=("energie",))
    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode().translate(FRENCH_SPACES)
    links = re.findall(r'<a class="skill-link[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert links == [
        ("/annuaire/?skills=menuiserie", "Menuiserie"),
        ("/annuaire/?skills=photovoltaique", "Photovoltaïque"),
        ("/annuaire/?sectors=energie", "Énergie"),
    ] or links == [
        ("/annuaire/?skills=photovoltaique", "Photovoltaïque"),
        ("/annuaire/?skills=menuiserie", "Menuiserie"),
        ("/annuaire/?sectors=energie", "Énergie"),
    ]


def test_memberships_are_badges_apart_from_the_contact_card(client, make_structure):
    make_structure(memberships=("cluster", "locataire"))
    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode().translate(FRENCH_SPACES)
    badges = re.findall(r'<li class="badge-membership badge-membership--(\w+)">', html)
    assert sorted(badges) == ["cluster", "locataire"]
    card = re.search(r'<section class="card contact-card".*?</section>', html, re.S).group(0)
    assert "12 rue Pierre Legrand" in card and "Projet collectif" not in card  # category lives in « En bref »
    assert 'data-profile-map data-lat="50.631000" data-lon="3.084000"' in card


def test_profile_without_coordinates_has_no_map(client, make_structure):
    make_structure(latitude=None, longitude=None)
    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode().translate(FRENCH_SPACES)
    assert "data-profile-map" not in html
    assert "directory/profile.js" not in html


def test_nearby_structures_share_skills_most_first_and_are_published(client, make_structure):
    make_structure(skills=("pv", "renov"))
    make_structure(slug="un-seul", name="Un seul point commun", skills=("pv",), city="Arras")
    make_structure(slug="deux", name="Deux points communs", skills=("pv", "renov"), city="Arras")
    make_structure(slug="meme-ville", name="Même ville", skills=("renov",), city="Lille")
    make_structure(slug="sans-rapport", name="Sans rapport", skills=("menuiserie",))
    make_structure(slug="brouillon", name="Brouillon caché", skills=("pv", "renov"), live=False)
    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode().translate(FRENCH_SPACES)
    section = re.search(r'<section class="container nearby".*?</section>', html, re.S).group(0)
    names = re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', section)
    assert names == ["Deux points communs", "Même ville", "Un seul point commun"]
    assert "2 compétences en commun" in section
    assert "Brouillon caché" not in html and "Sans rapport" not in html


def test_a_structure_without_skills_has_no_nearby_section(client, make_structure):
    make_structure(skills=())
    make_structure(slug="autre", name="Autre", skills=("pv",))
    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode().translate(FRENCH_SPACES)
    assert "Structures proches" not in html
