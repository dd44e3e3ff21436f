"""The join form's structure: fieldsets and legends, grouped skills, sectors, address, error states."""

import re

import pytest
from django.core.cache import cache

from directory.models import Structure

# French typography turns some spaces into non-breaking ones (U+00A0, U+202F): compare words, not spaces.
FRENCH_SPACES = {0xA0: " ", 0x202F: " "}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def valid(taxonomy):
    return {
        "name": "Les Jardins de la Deûle",
        "category": "collectif",
        "summary": "Jardins partagés.",
        "address": "2 quai de l’Ouest",
        "postcode": "59000",
        "city": "Lille",
        "skills": [taxonomy["skills"]["pv"].pk],
        "sectors": [taxonomy["sectors"]["energie"].pk, taxonomy["sectors"]["circulaire"].pk],
        "contact_first_name": "Nadia",
        "contact_last_name": "Haddad",
        "contact_email": "nadia@jardins-deule.example",
        "accept": "on",
    }


def test_every_label_points_at_a_field_and_lists_are_fieldsets(client, taxonomy):
    html = client.get("/annuaire/rejoindre/").content.decode().translate(FRENCH_SPACES)
    assert 'for=""' not in html
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert f'id="{target}"' in html, target
    legends = re.findall(r"<legend[^>]*>(?:<span[^>]*>)?([^<]+)<", html)
    for expected in ("Votre structure", "Adresse", "Ce que vous faites", "Compétences", "Secteurs", "Consentement"):
        assert expected in legends, expected


def test_skills_are_grouped_by_domain_in_editorial_order(client, taxonomy):
    html = client.get("/annuaire/rejoindre/").content.decode().translate(FRENCH_SPACES)
    groups = re.findall(r"<summary>([^<]+?) <span", html)
    assert groups == ["Artisanat &amp; réemploi", "Énergie &amp; climat"] or groups == [
        "Énergie &amp; climat",
        "Artisanat &amp; réemploi",
    ]
    energy = html.split("<summary>Énergie &amp; climat")[1].split("</details>")[0]
    assert re.findall(r'<label for="id_skills_\d+">([^<]+)</label>', energy) == [
        "Photovoltaïque",
        "Rénovation énergétique",
    ]
    assert "data-skills-picker hidden" in html  # the combobox exists only with JavaScript


def test_address_fields_and_geocoding_feedback_area(client, taxonomy):
    html = client.get("/annuaire/rejoindre/").content.decode().translate(FRENCH_SPACES)
    assert 'autocomplete="address-line1"' in html and 'name="address"' in html
    assert 'autocomplete="postal-code"' in html and 'inputmode="numeric"' in html
    assert 'autocomplete="address-level2"' in html
    assert re.search(r'<p class="geocode-status" role="status" aria-live="polite" data-geocode-status>', html)


def test_consent_boxes_are_inside_their_fieldset(client, taxonomy):
    html = client.get("/annuaire/rejoindre/").content.decode().translate(FRENCH_SPACES)
    consent = html.split('<span class="form__section-title">Consentement</span>')[1].split("</fieldset>")[0]
    assert 'name="accept"' in consent and 'name="contact_public"' in consent


def test_invalid_fields_are_marked_and_linked_to_their_message(client, valid):
    html = (
        client.post("/annuaire/rejoindre/", {**valid, "postcode": "ABC", "contact_email": "nadia@"})
        .content.decode()
        .translate(FRENCH_SPACES)
    )
    for name in ("postcode", "contact_email"):
        tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
        assert f"id_{name}_error" in described
        for target in described:
            assert f'id="{target}"' in html, target
    assert re.search(r'<p class="form__error" id="id_postcode_error">Le code postal doit comporter 5 chiffres', html)
    city = re.search(r'<input [^>]*name="city"[^>]*>', html).group(0)
    assert "aria-invalid" not in city
    summary = re.search(r'<div class="form__errors" role="alert".*?</div>', html, re.S).group(0)
    assert '<a href="#id_postcode">Code postal</a>' in summary
    assert '<a href="#id_contact_email">E-mail</a>' in summary


def test_missing_consent_is_reported_on_the_checkbox(client, valid):
    html = client.post("/annuaire/rejoindre/", {**valid, "accept": ""}).content.decode().translate(FRENCH_SPACES)
    tag = re.search(r'<input [^>]*name="accept"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert '<p class="form__error" id="id_accept_error">Cochez cette case pour envoyer votre demande.</p>' in html
    assert Structure.objects.count() == 0


def test_sectors_and_address_are_saved_with_the_submission(client, valid):
    response = client.post("/annuaire/rejoindre/", valid)
    assert response.status_code == 302
    structure = Structure.objects.get()
    assert sorted(structure.sectors.values_list("slug", flat=True)) == ["economie-circulaire", "energie"]
    assert (structure.address, structure.postcode, structure.city) == ("2 quai de l’Ouest", "59000", "Lille")
