"""What the server alone renders for visitors: chips, out-of-range pages, hints, open data."""

import re

import pytest

# French typography turns some spaces into non-breaking ones (U+00A0, U+202F): compare words, not spaces.
FRENCH_SPACES = {0xA0: " ", 0x202F: " "}

pytestmark = pytest.mark.usefixtures("directory_data")


def chips(html: str) -> list[tuple[str, str]]:
    """(href, visible label) of each active-filter chip."""
    found = re.findall(r'<a class="dir-chip" href="([^"]*)" data-dir-nav>(.*?)</a>', html)
    return [(href.replace("&amp;", "&"), re.sub(r"<span[^>]*>.*?</span>", "", label)) for href, label in found]


def test_active_filters_are_chips_with_labels_and_removal_links(client, db):
    html = (
        client.get("/annuaire/", {"q": "atelier", "skills": "reemploi", "memberships": "partenaire", "city": "Roubaix"})
        .content.decode()
        .translate(FRENCH_SPACES)
    )
    assert chips(html) == [
        ("?q=atelier&skills=reemploi&city=Roubaix", "Partenaire"),
        ("?q=atelier&memberships=partenaire&city=Roubaix", "Réemploi"),
        ("?q=atelier&memberships=partenaire&skills=reemploi", "Roubaix"),
    ]
    assert "Retirer le filtre Compétences : </span>Réemploi" in html
    assert '<a class="dir-chip-reset" href="/annuaire/?q=atelier" data-dir-nav>Retirer tous les filtres</a>' in html


def test_no_chip_without_filters_nor_for_a_page_prefilter(client, db):
    assert chips(client.get("/annuaire/", {"q": "atelier"}).content.decode().translate(FRENCH_SPACES)) == []
    html = client.get("/locataires/", {"categories": "collectif"}).content.decode().translate(FRENCH_SPACES)
    assert chips(html) == [("?", "Projet collectif")]  # « Locataire permanent » is the page's own


def test_out_of_range_page_redirects_to_the_last_page(client, db):
    response = client.get("/annuaire/", {"q": "atelier", "categories": "collectif", "page": "99"})
    assert response.status_code == 302
    assert response["Location"] == "/annuaire/?q=atelier&categories=collectif"  # one page: page 1
    response = client.get("/annuaire/", {"page": "99"})
    assert response["Location"] == "/annuaire/?page=2"
    html = client.get(response["Location"]).content.decode().translate(FRENCH_SPACES)
    assert "24 structures trouvées, page 2 sur 2." in html
    assert "Aucune structure ne correspond" not in html


def test_out_of_range_fragment_follows_to_the_last_page(client, db):
    response = client.get("/annuaire/", {"page": "7"}, HTTP_X_DIRECTORY_FRAGMENT="1", follow=True)
    html = response.content.decode().translate(FRENCH_SPACES)
    assert response.redirect_chain == [("/annuaire/?page=2", 302)]
    assert 'data-dir-state data-url="/annuaire/?page=2"' in html


def test_out_of_range_embed_redirects_and_stays_frameable(client, db, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://partenaire.example"]
    response = client.get("/embed/annuaire/", {"page": "5"})
    assert response.status_code == 302
    assert response["Location"] == "/embed/annuaire/?page=2"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self' https://partenaire.example"


def test_an_empty_search_page_one_is_not_redirected(client, db):
    response = client.get("/annuaire/", {"q": "zzzzzz", "page": "3"})
    assert response.status_code == 200
    assert "Aucune structure ne correspond à « zzzzzz »." in response.content.decode().translate(FRENCH_SPACES)


def test_no_result_hints_name_skills_and_sectors_by_their_labels(client, db):
    html = (
        client.get("/annuaire/", {"skills": "photovoltaique", "sectors": "t-alimentation", "city": "Arras"})
        .content.decode()
        .translate(FRENCH_SPACES)
    )
    assert "Aucune structure ne correspond" in html
    assert "Retirer le filtre « Photovoltaïque »" in html
    assert "Retirer le filtre « Alimentation »" in html
    assert "« photovoltaique »" not in html and "« t-alimentation »" not in html


def test_directory_page_links_open_data_with_its_licence(client, db):
    html = client.get("/annuaire/").content.decode().translate(FRENCH_SPACES)
    assert '<a href="/annuaire/donnees/structures.csv" download>fichier CSV (tableur)</a>' in html
    assert '<a href="/annuaire/donnees/structures.geojson" download>fichier GeoJSON (cartographie)</a>' in html
    assert 'rel="license">Licence Ouverte 2.0 (Etalab)</a>' in html


def test_map_view_lets_each_listed_structure_be_found_on_the_map(client, db):
    html = (
        client.get("/annuaire/", {"view": "map", "memberships": "locataire"}).content.decode().translate(FRENCH_SPACES)
    )
    ids = re.findall(r'data-dir-locate="(\d+)"', html)
    data = re.search(r'<script id="dir-map-data" type="application/json">(.*?)</script>', html).group(1)
    assert len(ids) == 3
    assert all(f'"id": {pk}' in data for pk in ids)
    assert "Voir les 3 résultats" in html
