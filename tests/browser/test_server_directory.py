"""The directory search rendered by the server alone (no browser): what no-JS visitors get."""

import re

import pytest

from lagrappe.typography import french_html as typeset  # pages are typeset (French spacing)

pytestmark = pytest.mark.usefixtures("directory_data")


def titles(html: str) -> list[str]:
    return re.findall(r'data-dir-hit data-structure="\d+" data-position="\d+"[^>]*>(.*?)</a>', html)


def plain(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def test_directory_page_lists_published_structures_alphabetically(client, db):
    response = client.get("/annuaire/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "24 structures trouvées, page 1 sur 2." in html
    assert [plain(t) for t in titles(html)][:3] == ["Accessiweb Lille", "Artois Énergies", "Atelier coopératif 01"]
    assert len(titles(html)) == 20
    assert "Projet Secret Brouillon" not in html
    assert '<html lang="fr">' in html


def test_text_search_highlights_matches_and_counts_facets(client, db):
    html = client.get("/annuaire/", {"q": "panneaux solaires"}).content.decode()
    assert [plain(t) for t in titles(html)] == ["Soleil du Nord", "Artois Énergies"] or [
        plain(t) for t in titles(html)
    ] == [
        "Artois Énergies",
        "Soleil du Nord",
    ]
    assert "<mark>" in html
    assert "Projet Secret Brouillon" not in html
    assert re.search(
        r'id="f-categories-collectif"[^>]*>\s*<label for="f-categories-collectif">Projet collectif <span class="dir-count">\(1<',
        html,
    )


def test_facet_filter_keeps_other_values_and_checks_the_chosen_one(client, db):
    html = client.get("/annuaire/", {"memberships": "locataire"}).content.decode()
    assert "3 structures trouvées." in html
    assert sorted(plain(t) for t in titles(html)) == ["Accessiweb Lille", "Recyclerie des Flandres", "Soleil du Nord"]
    assert re.search(r'name="memberships" value="locataire" checked', html)


def test_prefiltered_page_hides_its_locked_facet_and_ignores_the_query_string(client, db):
    html = client.get("/locataires/", {"memberships": "partenaire"}).content.decode()
    assert sorted(plain(t) for t in titles(html)) == ["Accessiweb Lille", "Recyclerie des Flandres", "Soleil du Nord"]
    assert 'data-facet="memberships"' not in html
    assert 'data-facet="categories"' in html


def test_pagination_links_keep_the_search(client, db):
    html = client.get("/annuaire/", {"q": "atelier"}).content.decode()
    assert "19 structures trouvées." in html  # 18 ateliers + the recyclerie's « ateliers de réparation »
    assert "dir-pagination" not in html  # 19 < 20: one page only
    html = client.get("/annuaire/", {"categories": "collectif"}).content.decode()
    assert "20 structures trouvées." in html
    html = client.get("/annuaire/").content.decode()
    assert 'href="?page=2" data-dir-nav rel="next"' in html
    page2 = client.get("/annuaire/", {"page": "2"}).content.decode()
    assert len(titles(page2)) == 4
    assert "24 structures trouvées, page 2 sur 2." in page2


def test_no_result_page_offers_ways_out(client, db):
    html = client.get("/annuaire/", {"q": "compostage", "memberships": "cluster"}).content.decode()
    assert typeset("Aucune structure ne correspond à « compostage ».") in html
    assert (
        typeset('href="?q=compostage" data-dir-nav>Retirer le filtre « Membre du cluster initiativesETcité »</a>')
        in html
    )
    assert typeset('href="?memberships=cluster" data-dir-nav>Retirer le texte « compostage »</a>') in html


def test_bad_parameters_are_explained_not_fatal(client, db):
    response = client.get(
        "/annuaire/", {"categories": "inconnue", "page": "x", "sort": "hasard", "lat": "500", "lon": "3"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert typeset("Catégorie inconnue ignorée : « inconnue ».") in html
    assert typeset("Numéro de page invalide : page 1 affichée.") in html
    assert typeset("Tri inconnu ignoré : « hasard ».") in html
    assert "Position invalide ignorée" in html
    assert "24 structures trouvées, page 1 sur 2." in html


def test_around_a_city_sorts_by_distance_within_the_radius(client, db):
    html = client.get("/annuaire/", {"around": "Arras", "radius": "5"}).content.decode()
    assert [plain(t) for t in titles(html)] == ["Artois Énergies"]
    assert typeset("à 0,0 km") in html


def test_fragment_request_returns_only_the_results_region(client, db):
    response = client.get("/annuaire/", {"q": "compost"}, HTTP_X_DIRECTORY_FRAGMENT="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-dir-state data-url="/annuaire/?q=compost"' in html
    assert "X-Directory-Fragment" in response["Vary"]


def test_map_view_embeds_points_of_published_structures_only(client, db):
    html = client.get("/annuaire/", {"view": "map", "q": "photovoltaique"}).content.decode()
    data = re.search(r'<script id="dir-map-data" type="application/json">(.*?)</script>', html).group(1)
    assert "Soleil du Nord" in data and "Artois" in data
    assert "Secret" not in data


def test_suggestions_return_published_names_and_skills_only(client, db):
    data = client.get("/annuaire/suggestions/", {"q": "pro"}).json()["suggestions"]
    assert all("Secret" not in s["label"] for s in data)
    data = client.get("/annuaire/suggestions/", {"q": "compo"}).json()["suggestions"]
    assert {
        "kind": "skill",
        "kind_label": "Compétence",
        "label": "Compostage",
        "slug": "compostage",
        "url": None,
    } in data
    assert client.get("/annuaire/suggestions/", {"q": "c"}).json() == {"suggestions": []}


def test_embed_is_frameable_only_by_configured_origins(client, db, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://partenaire.example", "https://autre.example/"]
    response = client.get("/embed/annuaire/", {"categories": "collectif", "memberships": "locataire"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        response["Content-Security-Policy"] == "frame-ancestors 'self' https://partenaire.example https://autre.example"
    )
    assert "X-Frame-Options" not in response
    assert sorted(plain(t) for t in titles(html)) == [
        "Recyclerie des Flandres (nouvelle fenêtre)",
        "Soleil du Nord (nouvelle fenêtre)",
    ]
    assert 'target="_blank" rel="noopener"' in html
    assert "site-header" not in html


def test_every_other_page_refuses_framing(client, db):
    for url in ("/annuaire/", "/annuaire/structures/soleil-du-nord/", "/annuaire/suggestions/?q=so"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "Content-Security-Policy" not in response, url


def test_directory_block_lists_a_prefiltered_excerpt_and_links_to_the_full_search(db, rf):
    from home.blocks import DirectoryBlock

    block = DirectoryBlock()
    value = block.to_python({"heading_text": "Nos locataires", "memberships": ["locataire"], "limit": 2})
    html = block.render(value, context={"request": rf.get("/")})
    assert re.findall(r'<a href="/annuaire/structures/([^/]+)/">', html) == [
        "accessiweb-lille",
        "recyclerie-des-flandres",
    ]
    assert '<a href="/annuaire/?memberships=locataire">Voir les 3 structures dans l’annuaire</a>' in html
    assert "Secret" not in html
    assert "<h2" in html and "Nos locataires" in html


@pytest.mark.engine
def test_directory_page_answers_from_the_real_engine(client, db):
    from search.engine import get_backend

    backend = get_backend()
    backend.rebuild(progress=False)
    backend.refresh()
    try:
        html = client.get("/annuaire/", {"q": "panneaux solaires"}).content.decode()
    finally:
        backend.drop_all()
    assert sorted(plain(t) for t in titles(html)) == ["Artois Énergies", "Soleil du Nord"]
    assert "<mark>" in html
    assert "Projet Secret Brouillon" not in html
    assert "momentanément indisponible" not in html
