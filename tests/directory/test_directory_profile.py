"""The public profile page: public fields, public people only, JSON-LD, drafts 404."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def jsonld_of(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_profile_shows_public_fields_skills_and_public_people(client, make_structure):
    make_structure(people=[("Alice", "Publique", True), ("Bruno", "Secret", False)], skills=("pv", "menuiserie"))

    response = client.get("/annuaire/structures/soleil-du-nord/")

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Soleil du Nord",
        "Des toits solaires citoyens à Lille.",
        "Photovoltaïque",
        "Menuiserie",
        "Énergie",
        "Membre du cluster initiativesETcité",
        "12 rue Pierre Legrand",
        "59800 Lille",
        "SCIC SAS",
        "Alice Publique",
        "alice.publique@soleil-du-nord.example",
        "openstreetmap.org/?mlat=50.63100&amp;mlon=3.08400",
    ):
        assert text in html, text
    for secret in ("Bruno", "Secret", "bruno.secret@", "06 00 00 00 01"):
        assert secret not in html, secret


@pytest.mark.django_db
def test_profile_carries_schema_org_organization(client, make_structure):
    make_structure(people=[("Bruno", "Secret", False)], skills=("pv", "renov"))

    data = jsonld_of(client.get("/annuaire/structures/soleil-du-nord/").content.decode())

    assert data["@type"] == "Organization"
    assert data["name"] == "Soleil du Nord"
    assert data["url"] == "http://testserver/annuaire/structures/soleil-du-nord/"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 rue Pierre Legrand",
        "postalCode": "59800",
        "addressLocality": "Lille",
        "addressCountry": "FR",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 50.631, "longitude": 3.084}
    assert sorted(data["knowsAbout"]) == ["Photovoltaïque", "Rénovation énergétique"]
    assert "Bruno" not in json.dumps(data)


@pytest.mark.django_db
def test_draft_structure_answers_404(client, make_structure):
    make_structure(live=False)

    assert client.get("/annuaire/structures/soleil-du-nord/").status_code == 404


@pytest.mark.django_db
def test_unknown_slug_answers_404(client, taxonomy):
    assert client.get("/annuaire/structures/inconnue/").status_code == 404


@pytest.mark.django_db
def test_html_in_fields_is_rendered_escaped(client, make_structure):
    attack = '<script>alert("x")</script></script><!--'
    make_structure(name=f"Coop {attack}", summary=attack, description=attack, people=[(attack[:90], "Nom", True)])

    html = client.get("/annuaire/structures/soleil-du-nord/").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # Inside JSON-LD the markup is \u-escaped, so the script element cannot be closed early.
    assert "\\u003Cscript\\u003Ealert" in html
    assert jsonld_of(html)["name"] == f"Coop {attack}"


@pytest.mark.django_db
def test_profile_page_query_count_does_not_grow_with_people_or_skills(client, make_structure):
    make_structure(slug="petite", people=[("Alice", "Publique", True)], skills=("pv",))
    make_structure(
        slug="grande",
        people=[
            ("Alice", "Publique", True),
            ("Chloé", "Aussi", True),
            ("Denis", "Encore", True),
            ("Eve", "Non", False),
        ],
        skills=("pv", "renov", "menuiserie"),
        sectors=("energie", "circulaire"),
        memberships=("cluster", "locataire", "reseau"),
    )
    client.get("/annuaire/structures/petite/")  # warm the site and settings caches

    counts = []
    for slug in ("petite", "grande"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/annuaire/structures/{slug}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_admin_preview_renders_the_profile_of_a_draft_without_private_people(make_structure):
    structure = make_structure(live=False, people=[("Alice", "Publique", True), ("Bruno", "Secret", False)])

    html = structure.make_preview_request().render().content.decode()

    assert "Soleil du Nord" in html
    assert "Alice Publique" in html
    assert "Bruno" not in html
    assert '<meta name="robots" content="noindex">' in html
