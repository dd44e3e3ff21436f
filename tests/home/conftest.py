"""Fixtures of the editorial site: a small page tree on the default Site, an image, a document."""

import io
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from home.models import (
    ContactSettings,
    ContentPage,
    EventIndexPage,
    EventPage,
    FormField,
    FormPage,
    HomePage,
    NavigationSettings,
    NewsIndexPage,
    NewsPage,
)

IMAGE_ALT = "Trois personnes autour d’une table de travail"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The GraphQL endpoint rate-limits anonymous callers through the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


def make_image(title="Atelier", size=(800, 450)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (91, 42, 110)).save(buffer, format="PNG")
    image = get_image_model()(title=title, description="Description de la médiathèque")
    image.file = ImageFile(buffer, name=f"{title.lower()}.png")
    image.save()
    return image


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def make_document(title="Dossier de candidature"):
    doc = get_document_model()(title=title)
    doc.file.save("dossier.pdf", ContentFile(b"%PDF-1.4 dossier"), save=False)
    doc.save()
    return doc


def build_tree():
    """Home page as the default site's root, one page of each type, settings filled.

    Returns the primary keys, so each test re-reads fresh objects.
    """
    image = make_image()
    document = make_document()
    root = Page.get_first_root_node()
    home = HomePage(
        title="LaGrappe",
        slug="accueil",
        hero_title="Un lieu partagé",
        hero_text="Des projets qui coopèrent.",
        hero_image=image,
        hero_image_alt="Une grappe de raisin",
        social_image=image,
        seo_title="LaGrappe, lieu partagé",
        search_description="Lieu partagé à Lille.",
        introduction="<p>Bienvenue à LaGrappe.</p>",
    )
    publish(root, home)
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()

    form = FormPage(
        title="Devenir locataire permanent",
        slug="devenir-locataire-permanent",
        introduction="<p>Présentez votre projet.</p>",
        thank_you_text="<p>Merci pour votre candidature !</p>",
        to_address="candidatures@lagrappe.example",
        from_address="ne-pas-repondre@lagrappe.example",
        subject="Nouvelle candidature",
        form_fields=[
            FormField(sort_order=0, label="Nom et prénom", field_type="singleline", required=True),
            FormField(sort_order=1, label="Adresse e-mail", field_type="email", required=True),
            FormField(
                sort_order=2,
                label="Type de projet",
                field_type="radio",
                required=True,
                choices="Projet individuel\nProjet collectif\nProjet de territoire",
            ),
            FormField(sort_order=3, label="Présentez votre projet", field_type="multiline", required=False),
        ],
    )
    publish(home, form)

    content = ContentPage(
        title="Coopération plutôt que concurrence",
        slug="cooperation",
        introduction="Partager rend chaque projet plus solide.",
        search_description="Le principe de coopération.",
        body=json.dumps(
            [
                {"type": "heading", "value": {"heading_text": "Concrètement", "size": "h2"}},
                {
                    "type": "paragraph",
                    "value": {"rich_text": f'<p>Voir <a linktype="page" id="{form.pk}">le formulaire</a>.</p>'},
                },
                {"type": "image", "value": {"image": image.pk, "alt_text": IMAGE_ALT, "caption": "Un atelier"}},
                {"type": "quote", "value": {"quote": "Ensemble on va plus loin.", "attribution": "Un membre"}},
                {
                    "type": "call_to_action",
                    "value": {
                        "title": "Envie de nous rejoindre ?",
                        "text": "Candidatez.",
                        "link": {"link_text": "Je candidate", "page": form.pk, "url": ""},
                    },
                },
                {"type": "embed", "value": {"embed": "https://video.example/v/123", "caption": "Notre lieu"}},
                {"type": "document", "value": {"document": document.pk, "link_text": ""}},
                {
                    "type": "faq",
                    "value": {
                        "title": "Questions fréquentes",
                        "items": [{"question": "Combien ça coûte ?", "answer": "<p>Ça dépend de l’espace.</p>"}],
                    },
                },
            ]
        ),
    )
    publish(home, content)
    home.highlights = json.dumps(
        [
            {
                "type": "highlight",
                "value": {
                    "title": "Des espaces à partager",
                    "text": "Au cœur de Lille.",
                    "image": image.pk,
                    "page": content.pk,
                },
            }
        ]
    )
    home.calls_to_action = json.dumps(
        [
            {
                "type": "call_to_action",
                "value": {
                    "title": "Devenir locataire",
                    "text": "",
                    "link": {"link_text": "Candidater", "page": form.pk, "url": ""},
                },
            }
        ]
    )
    home.save_revision().publish()

    events = publish(home, EventIndexPage(title="Agenda", slug="agenda", introduction="<p>Nos rendez-vous.</p>"))
    now = timezone.now()
    upcoming = EventPage(
        title="Petit-déjeuner des locataires",
        slug="petit-dejeuner",
        start=now + timedelta(days=3),
        end=now + timedelta(days=3, hours=2),
        registration_url="https://lagrappe.example/inscription",
        introduction="Un moment convivial.",
    )
    publish(events, upcoming)
    upcoming.tags.add("rencontre")
    upcoming.save_revision().publish()
    later = publish(events, EventPage(title="Forum", slug="forum", start=now + timedelta(days=30), place="Wazemmes"))
    past = publish(
        events,
        EventPage(
            title="Portes ouvertes",
            slug="portes-ouvertes",
            start=now - timedelta(days=10),
            end=now - timedelta(days=10, hours=-3),
        ),
    )

    news = publish(home, NewsIndexPage(title="Actualités", slug="actualites"))
    article = NewsPage(
        title="Trois nouveaux locataires",
        slug="trois-nouveaux-locataires",
        date=timezone.localdate() - timedelta(days=2),
        author="Camille Dupont",
        introduction="Bienvenue à eux.",
    )
    publish(news, article)
    older = publish(
        news,
        NewsPage(title="Le bilan de l’année", slug="bilan", date=timezone.localdate() - timedelta(days=40)),
    )

    contact = ContactSettings.for_site(site)
    contact.email = "contact@lagrappe.example"
    contact.phone = "03 20 00 00 00"
    contact.street_address = "12 rue des Coopérateurs"
    contact.postal_code = "59000"
    contact.mastodon_url = "https://mastodon.social/@lagrappe"
    contact.save()
    navigation = NavigationSettings.for_site(site)
    navigation.main_menu = json.dumps(
        [
            {"type": "link", "value": {"link_text": "Coopération", "page": content.pk, "url": ""}},
            {"type": "link", "value": {"link_text": "Agenda", "page": events.pk, "url": ""}},
        ]
    )
    navigation.footer_links = json.dumps(
        [
            {
                "type": "link",
                "value": {"link_text": "initiativesETcité", "page": None, "url": "https://initiativesetcite.example/"},
            }
        ]
    )
    navigation.footer_text = "Un lieu porté par initiativesETcité."
    navigation.save()

    pages = dict(
        site=site,
        home=home,
        form=form,
        content=content,
        events=events,
        upcoming=upcoming,
        later=later,
        past=past,
        news=news,
        article=article,
        older=older,
        image=image,
        document=document,
    )
    return {name: obj.pk for name, obj in pages.items()}


def destroy_tree(ids, original_root_id):
    """Leave the database as the other test areas expect it."""
    site = Site.objects.get(pk=ids["site"])
    site.root_page_id = original_root_id
    site.save()
    ContactSettings.objects.filter(site=site).delete()
    NavigationSettings.objects.filter(site=site).delete()
    Page.objects.get(pk=ids["home"]).delete()
    get_image_model().objects.filter(pk=ids["image"]).delete()
    get_document_model().objects.filter(pk=ids["document"]).delete()


@pytest.fixture(scope="module")
def module_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_in_tmp_dir(settings, module_media_root):
    """Overrides the shared fixture: the module's tree has its files in the module's media dir."""
    settings.MEDIA_ROOT = str(module_media_root)


@pytest.fixture(scope="module")
def tree_ids(django_db_setup, django_db_blocker, module_media_root):
    """Built once per test module (publishing pages is slow here); each test's changes roll back."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(module_media_root)):
        original_root_id = Site.objects.get(is_default_site=True).root_page_id
        ids = build_tree()
    yield ids
    with django_db_blocker.unblock():
        destroy_tree(ids, original_root_id)


@pytest.fixture
def tree(db, tree_ids):
    """Fresh objects of the module's tree (a test may change them; the transaction rolls back)."""
    loaded = {}
    for name, pk in tree_ids.items():
        if name == "site":
            loaded[name] = Site.objects.get(pk=pk)
        elif name == "image":
            loaded[name] = get_image_model().objects.get(pk=pk)
        elif name == "document":
            loaded[name] = get_document_model().objects.get(pk=pk)
        else:
            loaded[name] = Page.objects.get(pk=pk).specific
    return SimpleNamespace(**loaded)


@pytest.fixture
def graphql(client):
    """POST a query to /graphql/ as a partner site would; returns the decoded JSON body."""

    def run(query, variables=None, status=200):
        response = client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
        )
        assert response.status_code == status, response.content
        return response.json()

    return run
