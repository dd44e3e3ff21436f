"""manage.py load_demo: the French demo site, built once and left alone on the second run."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from directory.models import Person, Structure
from home.models import ContactSettings, EventPage, FormField, FormPage, HomePage, NavigationSettings, NewsPage

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a second run could change."""
    pages = Page.objects.order_by("pk")
    return {
        "pages": list(pages.values_list("pk", "title", "live", "last_published_at", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "images": list(get_image_model().objects.values_list("pk", "file")),
        "users": list(get_user_model().objects.values_list("pk", "password")),
        "form_fields": FormField.objects.count(),
        "tags": Tag.objects.count(),
        "settings": list(ContactSettings.objects.values_list("pk", "email"))
        + list(NavigationSettings.objects.values_list("pk", "footer_text")),
        "site": list(Site.objects.values_list("pk", "root_page_id", "site_name")),
        "structures": list(Structure.objects.order_by("pk").values_list("pk", "slug", "live", "updated_at")),
        "people": Person.objects.count(),
    }


def test_load_demo_builds_the_french_site_and_twice_changes_nothing(client):
    out = StringIO()
    call_command("load_demo", structures=20, stdout=out)

    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.title == "LaGrappe — un lieu partagé pour des projets collaboratifs"
    # Wagtail's "Welcome" page is gone: the home page is the only page under the root.
    assert list(Page.objects.filter(depth=2)) == [home.page_ptr]
    assert [p.slug for p in home.get_children()] == [
        "nos-principes",
        "devenir-locataire-permanent",
        "a-qui-s-adresse-lagrappe",
        "les-locataires-permanents",
        "agenda",
        "actualites",
        "annuaire",
    ]
    directory = home.get_children().get(slug="annuaire").specific
    tenants_page = directory.get_children().get().specific
    assert tenants_page.prefilters.memberships == ["locataire"]
    # The demo directory: the hand-written tenants plus the generated network, searchable at once.
    assert Structure.objects.filter(memberships__slug="locataire", live=True).exists()
    response = client.get(directory.url, {"q": "photovoltaïque"})
    assert response.status_code == 200
    assert "<mark>Photovoltaïque</mark>" in response.content.decode()
    principles = home.get_children().get(slug="nos-principes")
    assert [p.title for p in principles.get_children()] == [
        "Coopération plutôt que concurrence",
        "Le droit à l’initiative",
    ]
    audience = home.get_children().get(slug="a-qui-s-adresse-lagrappe").specific
    headings = [b.value["heading_text"] for b in audience.body if b.block_type == "heading"]
    assert headings == ["Les projets individuels", "Les projets collectifs", "Les projets de territoire"]
    form = FormPage.objects.get()
    assert form.title == "Devenir locataire permanent"
    assert form.form_fields.count() == 9
    assert form.to_address == "candidatures@lagrappe.example"
    events = home.get_children().get(slug="agenda").specific
    assert (len(events.upcoming_events()), len(events.past_events())) == (2, 2)
    assert EventPage.objects.live().count() == 4
    assert NewsPage.objects.live().count() == 3
    assert ContactSettings.for_site(site).email == "contact@lagrappe.example"
    assert len(NavigationSettings.for_site(site).main_menu) == 6
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("lagrappe")
    assert "compte d’administration créé : admin / lagrappe (usage local uniquement)" in out.getvalue()

    # Every demo page renders, with its images' alt texts.
    for page in Page.objects.filter(depth__gt=1).live().specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert b'<html lang="fr">' in response.content
        assert b"<img src" not in response.content  # Wagtail puts alt first: no image without alt

    before = snapshot()
    second = StringIO()
    call_command("load_demo", structures=20, stdout=second)

    assert snapshot() == before
    assert "Contenu éditorial : 0 page(s) créée(s), 18 au total." in second.getvalue()


def test_load_demo_keeps_an_existing_admin_password():
    get_user_model().objects.create_user("admin", password="mon-mot-de-passe")

    call_command("load_demo", structures=20, stdout=StringIO())

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("mon-mot-de-passe")
    assert not admin.check_password("lagrappe")
