"""The structure admin in gendered French, with its map and its point's origin."""

import pytest
from django.contrib.auth.models import User
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from directory.models import Structure
from lagrappe.typography import french_html as typeset  # pages are typeset (French spacing)

LISTING = "/admin/snippets/directory/structure/"


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("coordinatrice", "coord@example.org", "x"))
    return client


def add_form(**fields):
    return nested_form_data(
        {
            "name": "Atelier Vélo de Wazemmes",
            "slug": "atelier-velo-wazemmes",
            "category": "collectif",
            "address": "12 rue des Sarrazins",
            "postcode": "59000",
            "city": "Lille",
            "people": inline_formset([]),
            **fields,
        }
    )


@pytest.mark.django_db
def test_listing_and_add_view_use_the_right_gender(admin_client, make_structure):
    make_structure()
    listing = admin_client.get(LISTING).content.decode()
    assert "Ajouter une structure" in listing
    assert "un(e)" not in listing
    add = admin_client.get(LISTING + "add/").content.decode()
    assert "Nouvelle structure" in add
    assert "Nouvel(le)" not in add
    skills = admin_client.get("/admin/snippets/directory/skill/").content.decode()
    assert "Ajouter une compétence" in skills
    sectors = admin_client.get("/admin/snippets/directory/sector/").content.decode()
    assert "Ajouter un secteur" in sectors


@pytest.mark.django_db
def test_success_message_agrees_with_the_noun(admin_client):
    response = admin_client.post(LISTING + "add/", add_form(), follow=True)
    messages = [str(m).split("\n")[0] for m in response.context["messages"]]
    assert messages == ["Structure « Atelier Vélo de Wazemmes » créée."]


@pytest.mark.django_db
def test_edit_form_has_a_map_and_says_an_offline_point_is_approximate(admin_client, make_structure):
    structure = make_structure(location_source="communes", location_precision="municipality")
    html = admin_client.get(f"{LISTING}edit/{structure.pk}/").content.decode()
    assert "data-location-picker" in html
    assert "vendor/leaflet/leaflet.js" in html and "directory/admin/location-picker.js" in html
    assert (
        typeset("Position au centre de la commune (approximative) — origine : table des communes (hors ligne).") in html
    )
    assert typeset("Position approximative :") in html
    assert "En degrés décimaux, par exemple 50.6329 pour Lille." in html  # the fields' help
    listing = admin_client.get(LISTING).content.decode()
    assert "Approximative" in listing


@pytest.mark.django_db
def test_a_point_placed_on_the_map_is_kept_as_manual(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(LISTING + "add/", add_form(latitude="50.62871", longitude="3.04512"))
    structure = Structure.objects.get()
    assert (structure.latitude, structure.longitude) == (50.62871, 3.04512)
    assert (structure.location_source, structure.location_precision) == ("manual", "")


@pytest.mark.django_db
def test_an_address_without_a_point_is_geocoded_on_save(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(LISTING + "add/", add_form())
    structure = Structure.objects.get()
    assert (structure.latitude, structure.longitude, structure.location_source) == (50.6339, 3.0551, "communes")
    assert structure.latest_revision.content["location_precision"] == "municipality"


@pytest.mark.django_db
def test_dashboard_counts_read_as_french(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Aucun document" in html
    assert "Aucune image" in html
    assert "0 Document" not in html and "0 Image" not in html


def test_french_dates_say_premier():
    import datetime as dt

    from django.utils import translation

    from directory.templatetags.french import date_fr

    with translation.override("fr"):
        assert date_fr(dt.date(2026, 12, 1)) == "1er décembre 2026"
        assert date_fr(dt.date(2026, 3, 15)) == "15 mars 2026"
        assert date_fr(dt.date(2026, 3, 1), False) == "1er mars"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "slug", "name"),
    [
        ("sector", "economie-circulaire", "Économie circulaire"),
        ("skilldomain", "artisanat-reemploi", "Artisanat & réemploi"),
    ],
)
def test_sectors_and_domains_take_synonyms_and_acronyms_in_the_admin(admin_client, taxonomy, model, slug, name):
    from directory.models import Sector, SkillDomain

    row = {"sector": Sector, "skilldomain": SkillDomain}[model].objects.get(slug=slug)
    edit = f"/admin/snippets/directory/{model}/edit/{row.pk}/"
    assert "Synonymes et sigles" in admin_client.get(edit).content.decode()

    form = {"name": name, "slug": slug, "synonyms": "zéro déchet ; ZD\nrecyclage"}
    if model == "skilldomain":
        form["sort_order"] = "0"
    response = admin_client.post(edit, form)

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.synonym_list == ["zéro déchet", "ZD", "recyclage"]
