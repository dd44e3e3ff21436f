"""Wagtail admin: the structure listing (filters, constant queries), taxonomy, import/export views, dashboard."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import ImportJob, Person, Structure
from directory.seed import seed_directory
from lagrappe.typography import french_html as typeset  # pages are typeset (French spacing)

FIXTURES = Path(__file__).parent / "fixtures"
LISTING = "/admin/snippets/directory/structure/"


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("coordinatrice", "coord@example.org", "x")
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(client, db):
    """An editor of structures without the import/export permission."""
    user = User.objects.create_user("editeur", "ed@example.org", "x")
    group = Group.objects.create(name="Éditeurs annuaire")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="directory", codename__in=["change_structure", "add_structure"]
        ),
    )
    user.groups.add(group)
    client.force_login(user)
    return client


def listing_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_listing_query_count_does_not_grow_with_rows(admin_client):
    seed_directory(5, seed=1, progress=False)
    small, _ = listing_queries(admin_client, LISTING)
    seed_directory(60, seed=2, progress=False)

    large, html = listing_queries(admin_client, LISTING)

    assert large == small
    assert html.count("data-bulk-action-checkbox") >= 50


def listing_variants():
    """Each sort, filter and search of the listing, with values the first seeded structure has."""
    first = Structure.objects.order_by("pk").first()
    return {
        "listing": "",
        "sorted by date": "?ordering=-updated_at",
        "category": f"?category={first.category}",
        "skill": f"?skill={first.skills.first().pk}",
        "membership": f"?membership={first.memberships.first().pk}",
        "sector": f"?sector={first.sectors.first().pk}",
        "city": f"?city={first.city}",
        "status": "?live=true",
        "search": f"?q={first.name.split()[0]}",
        "search + filter": f"?q={first.name.split()[0]}&category={first.category}",
    }


@pytest.mark.django_db
def test_listing_sql_is_constant_in_page_size_for_every_filter_and_search(admin_client):
    # Given a handful of structures, then more than a page of 50
    seed_directory(5, seed=1, progress=False)
    small = {name: listing_queries(admin_client, LISTING + query) for name, query in listing_variants().items()}
    seed_directory(120, seed=2, progress=False)

    # When each variant of the listing is asked again
    large = {name: listing_queries(admin_client, LISTING + query) for name, query in listing_variants().items()}

    # Then each one costs the same SQL, with rows shown both times
    assert {name: count for name, (count, _) in large.items()} == {name: count for name, (count, _) in small.items()}
    for name in small:
        assert "data-bulk-action-checkbox" in small[name][1], name
    assert large["listing"][1].count("data-bulk-action-checkbox") >= 50


@pytest.mark.django_db
def test_listing_counts_up_to_its_limit_and_says_more(admin_client, monkeypatch):
    monkeypatch.setattr("directory.wagtail_hooks.LISTING_COUNT_LIMIT", 3)
    seed_directory(5, seed=1, progress=False)

    listing = typeset(admin_client.get(LISTING).content.decode())
    searched = admin_client.get(LISTING + "?q=e&results_only=1")

    assert typeset("Plus de 3 structures") in listing
    assert "5 structures" not in listing
    assert typeset("Plus de 3 structures correspondent") in typeset(searched.content.decode())


@pytest.mark.django_db
def test_listing_counts_exactly_below_its_limit(admin_client):
    seed_directory(5, seed=1, progress=False)

    html = admin_client.get(LISTING).content.decode()

    assert "5 structures" in html
    assert "Plus de" not in html


@pytest.mark.django_db
def test_city_filter_offers_each_city_once_in_french_order(make_structure):
    from directory.wagtail_hooks import city_choices

    for slug, city in [("a", "Lille"), ("b", "Arras"), ("c", "Lille"), ("d", "Étaples"), ("e", ""), ("f", "Béthune")]:
        make_structure(slug=slug, name=slug, city=city)

    assert city_choices() == [(c, c) for c in ("Arras", "Béthune", "Étaples", "Lille")]


@pytest.mark.django_db
def test_listing_filters_and_search(admin_client, make_structure, taxonomy):
    make_structure(slug="a-lille", name="Atelier Lille", city="Lille", skills=("pv",), memberships=("cluster",))
    make_structure(slug="b-arras", name="Bois d’Arras", city="Arras", skills=("menuiserie",), memberships=("reseau",),
                   category="individuel", postcode="62000")  # fmt: skip
    make_structure(slug="c-brouillon", name="Coop brouillon", city="Lille", live=False, skills=("pv",))
    pv = taxonomy["skills"]["pv"].pk

    def names(query):
        html = admin_client.get(LISTING + query).content.decode()
        return [n for n in ("Atelier Lille", "Bois d’Arras", "Coop brouillon") if n in html]

    assert names("") == ["Atelier Lille", "Bois d’Arras", "Coop brouillon"]
    assert names("?city=Arras") == ["Bois d’Arras"]
    assert names("?category=individuel") == ["Bois d’Arras"]
    assert names("?membership=reseau") == ["Bois d’Arras"]
    assert names(f"?skill={pv}") == ["Atelier Lille", "Coop brouillon"]
    assert names(f"?skill={pv}&live=false") == ["Coop brouillon"]
    assert names(f"?sector={taxonomy['sectors']['energie'].pk}&live=true") == ["Atelier Lille", "Bois d’Arras"]
    assert names("?q=arras") == ["Bois d’Arras"]


@pytest.mark.django_db
def test_edit_view_shows_people_inline(admin_client, make_structure):
    structure = make_structure(people=[("Bruno", "Secret", False)])

    html = admin_client.get(f"/admin/snippets/directory/structure/edit/{structure.pk}/").content.decode()

    assert "Personnes contacts" in html
    assert 'value="Bruno"' in html


@pytest.mark.django_db
def test_edit_view_shows_skills_and_sectors_as_checkboxes(admin_client, make_structure, taxonomy):
    structure = make_structure(people=[("Bruno", "Secret", False)])
    pv, energie = taxonomy["skills"]["pv"], taxonomy["sectors"]["energie"]

    html = admin_client.get(f"/admin/snippets/directory/structure/edit/{structure.pk}/").content.decode()

    # A <select multiple> hid the chosen skills in a 7-line box; checkboxes show every choice.
    assert '<select name="skills"' not in html and '<select name="sectors"' not in html
    assert '<select name="people-0-skills"' not in html
    assert re.search(rf'<input type="checkbox" name="skills" value="{pv.pk}"[^>]*checked', html)
    assert re.search(rf'<input type="checkbox" name="sectors" value="{energie.pk}"[^>]*checked', html)
    assert 'type="checkbox" name="people-0-skills"' in html


@pytest.mark.django_db
def test_add_view_fills_the_slug_from_the_name(admin_client):
    html = admin_client.get("/admin/snippets/directory/structure/add/").content.decode()

    name_input = re.search(r'<input type="text" name="name"[^>]*>', html).group(0)
    slug_input = re.search(r'<input type="text" name="slug"[^>]*>', html).group(0)
    assert 'data-w-sync-target-value="#id_slug"' in name_input
    assert 'data-controller="w-slug"' in slug_input
    assert 'data-w-slug-allow-unicode-value="false"' in slug_input  # SlugField is ASCII-only


@pytest.mark.django_db
def test_bulk_unpublish_and_publish(admin_client, make_structure):
    structure = make_structure()
    url = f"/admin/bulk/directory/structure/unpublish_structures/?next={LISTING}&id={structure.pk}"

    assert admin_client.get(url).status_code == 200
    admin_client.post(url)
    structure.refresh_from_db()
    assert structure.live is False

    admin_client.post(f"/admin/bulk/directory/structure/publish_structures/?next={LISTING}&id={structure.pk}")
    structure.refresh_from_db()
    assert structure.live is True


@pytest.mark.django_db
def test_dashboard_panel_counts(admin_client, make_structure):
    make_structure(slug="un")
    make_structure(slug="deux", category="individuel", memberships=("locataire", "cluster"))
    make_structure(slug="trois", live=False)

    html = admin_client.get("/admin/").content.decode()

    assert typeset("Annuaire : 3 structures") in html
    assert "<span>2</span> Projet collectif" in html
    assert "<span>3</span> Membre du cluster initiativesETcité" in html
    assert "1 brouillon" in html


@pytest.mark.django_db
def test_import_view_previews_then_confirms(admin_client):
    files = {kind: (FIXTURES / f"{kind}.csv").open("rb") for kind in ("structures", "people", "skills", "sectors")}

    # The validation task runs inline (immediate backend in tests); the job page shows its preview.
    preview = admin_client.post("/admin/annuaire/transfert/", files, follow=True).content.decode()

    assert "Aperçu de l’import" in preview
    assert typeset("Structures : 4 créées") in preview
    assert Structure.objects.count() == 0  # nothing written before confirmation
    job = ImportJob.objects.get()

    done = admin_client.post(f"/admin/annuaire/transfert/{job.pk}/confirmer/", follow=True).content.decode()

    assert "Import terminé." in done
    assert Structure.objects.count() == 4
    assert Person.objects.count() == 6


@pytest.mark.django_db
def test_import_view_accepts_a_french_excel_semicolon_file(admin_client, taxonomy):
    # « CSV (séparateur : point-virgule) » as French Excel saves it: Windows-1252, CRLF, French formats.
    content = (
        "slug;name;category;legal_form;membership;summary;description;skills;sectors;address;postcode;city;"
        "latitude;longitude;website;email;phone;founded;joined;;\r\n"
        "energies-laon;Énergies de l’Aisne;collectif;SCIC;cluster,reseau;Résumé;;Photovoltaïque;Énergie;;2000;Laon;"
        "49,5636;3,6244;www.energies-aisne.fr;;323000000;2009.0;25/11/2026;;\r\n"
    ).encode("cp1252")
    upload = io.BytesIO(content)
    upload.name = "structures.csv"

    preview = admin_client.post("/admin/annuaire/transfert/", {"structures": upload}, follow=True).content.decode()
    assert typeset("Structures : 1 créée") in preview
    assert "1 créées" not in preview  # singular agreement
    admin_client.post(f"/admin/annuaire/transfert/{ImportJob.objects.get().pk}/confirmer/")

    values = Structure.objects.values_list("name", "postcode", "latitude", "website", "phone", "founded").get()
    assert values == ("Énergies de l’Aisne", "02000", 49.5636, "https://www.energies-aisne.fr", "03 23 00 00 00", 2009)
    assert str(Structure.objects.get().joined) == "2026-11-25"


@pytest.mark.django_db
def test_import_view_lists_every_error_and_writes_nothing(admin_client, taxonomy):
    with (FIXTURES / "structures_invalid.csv").open("rb") as structures:
        html = admin_client.post("/admin/annuaire/transfert/", {"structures": structures}, follow=True).content.decode()

    assert typeset("Import refusé : 17 erreurs. Rien n’a été enregistré.") in html
    assert typeset("identifiant « coop-solaire » déjà utilisé ligne 3 de ce fichier.") in html
    assert Structure.objects.count() == 0
    assert ImportJob.objects.get().state == ImportJob.State.INVALID
    assert ImportJob.objects.get().files["structures"]["name"] == "structures_invalid.csv"


@pytest.mark.django_db
def test_export_view_downloads_zip_of_four_files(admin_client, make_structure):
    make_structure(people=[("Bruno", "Secret", False)])

    response = admin_client.get("/admin/annuaire/transfert/export/?format=xlsx")

    assert response["Content-Type"] == "application/zip"
    names = sorted(zipfile.ZipFile(io.BytesIO(response.getvalue())).namelist())  # streamed from a temporary file
    assert names == ["people.xlsx", "sectors.xlsx", "skills.xlsx", "structures.xlsx"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/annuaire/transfert/", "/admin/annuaire/transfert/export/?format=csv"])
def test_import_export_need_their_permission(editor_client, make_structure, url):
    make_structure(people=[("Bruno", "Secret", False)])

    response = editor_client.get(url)

    assert response.status_code in (302, 403)
    assert b"Bruno" not in response.content
    assert editor_client.get(LISTING).status_code == 200  # the editor still manages structures


@pytest.mark.django_db
def test_import_form_help_names_every_accepted_format(admin_client):
    html = admin_client.get("/admin/annuaire/transfert/").content.decode()
    assert "CSV UTF-8 séparé par des virgules" not in html  # the old, too narrow wording
    assert "par des virgules ou par des points-virgules" in html
    assert "encodé en UTF-8 ou en Windows-1252, ou classeur Excel .xlsx" in html

    upload = io.BytesIO(b"slug,name\n")
    upload.name = "structures.ods"
    refused = admin_client.post("/admin/annuaire/transfert/", {"structures": upload}).content.decode()
    assert (
        typeset(
            "Format non reconnu : un fichier .csv (virgules ou points-virgules, UTF-8 ou Windows-1252) "
            "ou .xlsx est attendu."
        )
        in refused
    )
    assert "Aperçu de l’import" not in refused


@pytest.mark.django_db
def test_inspect_view_shows_content_fields_not_internal_flags(admin_client, make_structure):
    structure = make_structure()

    html = admin_client.get(f"/admin/snippets/directory/structure/inspect/{structure.pk}/").content.decode()

    assert "Soleil du Nord" in html and "12 rue Pierre Legrand" in html
    for internal in ("Verroullé", "Dernière version", "Version publiée", "Contient des changements non publiés"):
        assert internal not in html, internal
    assert re.search(r"<dd[^>]*>\s*(True|False|None)\s*</dd>", html) is None


@pytest.mark.django_db
def test_listing_status_matches_wagtail_for_every_state(admin_client, make_structure, django_user_model):
    import datetime as dt

    from django.utils import timezone

    from directory.moderation import ensure_moderation_workflow

    make_structure(slug="en-ligne", name="En ligne")
    make_structure(slug="brouillon", name="Brouillon", live=False)
    edited = make_structure(slug="modifiee", name="Modifiée")
    edited.save_revision()  # live + draft
    moderated = make_structure(slug="moderee", name="Modérée", live=False)
    moderated.save_revision()
    ensure_moderation_workflow().start(moderated, django_user_model.objects.get())
    scheduled = make_structure(slug="programmee", name="Programmée", live=False)
    revision = scheduled.save_revision()
    revision.approved_go_live_at = timezone.now() + dt.timedelta(days=3)
    revision.save()

    html = admin_client.get(LISTING).content.decode()

    expected = {
        structure.pk: str(structure.status_string)  # Wagtail's own answer, one instance (and its queries) at a time
        for structure in Structure.objects.all()
    }
    assert sorted(expected.values()) == sorted(
        ["publiée", "brouillon", "publiée + brouillon", "en cours de modération", "programmée"]
    )
    rows = {pk: next(tr for tr in html.split("<tr")[1:] if f"/structure/edit/{pk}/" in tr) for pk in expected}
    shown = {pk: re.search(r'class="w-status[^"]*"[^>]*>\s*([^<]+?)\s*<', row).group(1) for pk, row in rows.items()}
    assert shown == expected
