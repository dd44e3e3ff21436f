"""From « Rejoindre l’annuaire » to the map: a phone visitor submits an address, the team
approves, and the structure is on the map and in the GeoJSON — offline, through the
shipped table of communes (tests have no address service: GEOCODER_BAN_URL is empty)."""

import json

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from .conftest import chromium_missing_reason
from .test_directory_browser import DEAD_TILES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

SLUG = "t-jardins-de-la-deule"


@pytest.fixture(scope="module")
def approved_submission(browser, site_url, directory_data, django_db_blocker):
    """Submitted in Chromium, then approved — outside any test transaction, so that both
    commit as on the real site (the live server has its own connection on PostgreSQL)."""
    from django.contrib.auth import get_user_model

    from directory.models import Structure

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    with override_settings(GEOCODER_BAN_URL=""):
        page.goto(f"{site_url}/annuaire/rejoindre/")
        page.locator("#id_name").fill("T Jardins de la Deûle")
        page.locator("#id_category").select_option("collectif")
        page.locator("#id_summary").fill("Jardins partagés au bord de la Deûle.")
        page.locator("#id_address").fill("2 quai de l’Ouest")
        page.locator("#id_postcode").fill("59000")
        page.locator("#id_city").fill("Lille")
        expect(page.locator("[data-geocode-status]")).to_contain_text("Adresse complète")
        page.get_by_role("combobox", name="Rechercher une compétence").fill("compost")
        page.get_by_role("option", name="Compostage").click()
        page.locator("#id_contact_first_name").fill("Nadia")
        page.locator("#id_contact_last_name").fill("Haddad")
        page.locator("#id_contact_email").fill("nadia@jardins.example")
        page.locator("label[for=id_accept]").click()
        page.get_by_role("button", name="Envoyer ma demande").click()
        expect(page).to_have_url(f"{site_url}/annuaire/rejoindre/merci/")
        before = json.loads(page.request.get(f"{site_url}/annuaire/donnees/structures.geojson").text())
        context.close()

        with django_db_blocker.unblock():
            structure = Structure.objects.get(name="T Jardins de la Deûle")
            Structure.objects.filter(pk=structure.pk).update(slug=SLUG)
            structure.refresh_from_db()
            moderator = get_user_model().objects.create_superuser("t-moderatrice", "mod@example.org", "x")
            task_state = structure.current_workflow_task_state
            task_state.task.specific.on_action(task_state, moderator, "approve")
            structure.refresh_from_db()
    yield {"structure": structure, "before": before}
    with django_db_blocker.unblock():
        Structure.objects.filter(slug=SLUG).delete()
        get_user_model().objects.filter(username="t-moderatrice").delete()


def test_nothing_is_public_while_in_moderation(approved_submission):
    assert SLUG not in [f["id"] for f in approved_submission["before"]["features"]]
    assert "T Jardins" not in json.dumps(approved_submission["before"], ensure_ascii=False)


def test_approval_publishes_the_submission_with_the_communes_centre(approved_submission):
    structure = approved_submission["structure"]
    assert structure.live is True
    # No address service here: Lille's centre from the table of communes, flagged approximate.
    assert abs(structure.latitude - 50.63) < 0.05 and abs(structure.longitude - 3.06) < 0.05
    assert structure.location_precision != "address"


def test_the_approved_structure_is_on_the_map_and_in_the_geojson(page, site_url, approved_submission, settings):
    settings.MAP_TILES_URL = DEAD_TILES
    structure = approved_submission["structure"]
    page.goto(f"{site_url}/annuaire/?view=map&q=Deûle")
    expect(page.locator("#dir-results-title")).to_have_text("1 structure trouvée.")
    expect(page.locator(".leaflet-marker-icon:not(.marker-cluster)")).to_have_count(1)
    page.locator("[data-dir-locate]").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("T Jardins de la Deûle")
    geojson = json.loads(page.request.get(f"{site_url}/annuaire/donnees/structures.geojson").text())
    feature = next(f for f in geojson["features"] if f["id"] == SLUG)
    assert feature["geometry"] == {"type": "Point", "coordinates": [structure.longitude, structure.latitude]}
