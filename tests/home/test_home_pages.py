"""Editorial pages rendered as HTML: each type, the base layout, forms, 404, robots, sitemap."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError
from wagtail.contrib.forms.models import FormSubmission
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from home.blocks import LinkBlock
from home.models import EventPage
from lagrappe.typography import french_html as typeset  # pages are typeset (French spacing)

IMAGE_ALT = "Trois personnes autour d’une table de travail"  # as in conftest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cached_embed(db):
    """The network is closed here: Wagtail reads oEmbed results from its cache table first."""
    Embed.objects.create(
        url="https://video.example/v/123",
        max_width=None,
        hash=get_embed_hash("https://video.example/v/123", None),
        type="video",
        html='<iframe title="Visite de LaGrappe" src="https://video.example/embed/123"></iframe>',
        provider_name="Exemple",
    )


def assert_accessible_layout(html):
    assert '<html lang="fr">' in html
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in html
    assert '<nav class="site-nav" aria-label="Menu principal">' in html
    assert '<main id="contenu" tabindex="-1">' in html
    assert '<footer class="site-footer">' in html
    assert html.count("<h1") == 1
    # Every image says something (or is explicitly decorative).
    for tag in re.findall(r"<img [^>]*>", html):
        assert " alt=" in tag, tag


@pytest.mark.parametrize(
    "attr, expected",
    [
        ("home", "Un lieu partagé"),
        ("content", "Coopération plutôt que concurrence"),
        ("events", "Agenda"),
        ("upcoming", "Petit-déjeuner des locataires"),
        ("news", "Actualités"),
        ("article", "Trois nouveaux locataires"),
        ("form", "Devenir locataire permanent"),
    ],
    ids=["home", "content", "event-index", "event", "news-index", "news", "form"],
)
def test_each_page_type_renders_accessible_french_html(client, tree, attr, expected):
    page = getattr(tree, attr)

    response = client.get(page.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_layout(html)
    assert f">{expected}</h1>" in html


def test_base_layout_shows_navigation_and_contact_settings(client, tree):
    html = client.get(tree.content.url).content.decode()

    assert '<a href="/cooperation/" aria-current="page">Coopération</a>' in html
    assert '<a href="/agenda/">Agenda</a>' in html
    assert '<a href="https://initiativesetcite.example/">initiativesETcité</a>' in html
    assert "12 rue des Coopérateurs" in html
    assert '<a href="mailto:contact@lagrappe.example">contact@lagrappe.example</a>' in html
    assert '<a href="https://mastodon.social/@lagrappe" rel="me noopener">Mastodon</a>' in html
    assert "Un lieu porté par initiativesETcité." in html


def test_menu_link_to_an_unpublished_page_disappears(client, tree):
    tree.events.unpublish()

    html = client.get(tree.content.url).content.decode()

    assert ">Agenda</a>" not in html


def test_content_page_renders_every_block(client, tree):
    html = client.get(tree.content.url).content.decode()

    assert "<h2>Concrètement</h2>" in html
    assert f'Voir <a href="{tree.form.url}">le formulaire</a>.' in html
    assert f'alt="{IMAGE_ALT}"' in html
    assert "srcset=" in html
    assert "<figcaption>Un atelier</figcaption>" in html
    assert "<blockquote><p>Ensemble on va plus loin.</p></blockquote>" in html
    assert f'<a class="button" href="{tree.form.url}">Je candidate</a>' in html
    assert '<iframe title="Visite de LaGrappe" src="https://video.example/embed/123"></iframe>' in html
    assert f'<a href="{tree.document.url}">Dossier de candidature</a>' in html
    assert typeset("<summary>Combien ça coûte ?</summary>") in html


def test_seo_and_sharing_metadata(client, tree):
    html = client.get(tree.home.url).content.decode()

    assert "<title>LaGrappe, lieu partagé — LaGrappe</title>" in html
    assert '<meta name="description" content="Lieu partagé à Lille.">' in html
    assert re.search(r'<meta property="og:image" content="http://testserver/media/images/[^"]+fill-1200x630', html)


def test_event_index_lists_upcoming_then_past(client, tree):
    assert list(tree.events.upcoming_events()) == [tree.upcoming, tree.later]
    assert list(tree.events.past_events()) == [tree.past]

    html = client.get(tree.events.url).content.decode()

    assert (
        html.index("Petit-déjeuner")
        < html.index("Forum")
        < html.index("Événements passés")
        < html.index("Portes ouvertes")
    )


def test_event_page_defaults_to_lagrappe_and_shows_registration(client, tree):
    html = client.get(tree.upcoming.url).content.decode()

    assert tree.upcoming.place == "LaGrappe"
    assert "LaGrappe, 12 rue des Coopérateurs, 59000 Lille" in html
    assert '<a class="button" href="https://lagrappe.example/inscription">S’inscrire' in html
    assert '<li class="tag">rencontre</li>' in html


def test_event_end_before_start_is_refused_in_french(tree):
    event = EventPage(title="Erreur", slug="erreur", start=tree.upcoming.start, end=tree.past.start)

    with pytest.raises(ValidationError) as excinfo:
        event.clean()

    assert excinfo.value.message_dict == {"end": ["La fin de l’événement doit être postérieure à son début."]}


def test_link_block_requires_exactly_one_destination(tree):
    block = LinkBlock()

    with pytest.raises(StructBlockValidationError) as excinfo:
        block.clean(block.to_python({"link_text": "Nulle part", "page": None, "url": ""}))

    assert excinfo.value.block_errors["page"].messages == [
        "Choisissez soit une page du site, soit une adresse externe (l’un des deux, pas les deux)."
    ]


def test_news_index_lists_articles_most_recent_first(client, tree):
    html = client.get(tree.news.url).content.decode()

    assert list(tree.news.articles()) == [tree.article, tree.older]
    assert html.index("Trois nouveaux locataires") < html.index("Le bilan de l’année")


def test_form_page_stores_submission_and_emails_it(client, tree):
    response = client.post(
        tree.form.url,
        {
            "nom_et_prenom": "Alex Martin",
            "adresse_e_mail": "alex@example.org",
            "type_de_projet": "Projet collectif",
            "presentez_votre_projet": "Une recyclerie associative.",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert typeset("<p>Merci pour votre candidature !</p>") in html
    assert '<html lang="fr">' in html
    submission = FormSubmission.objects.get(page=tree.form)
    assert submission.get_data()["nom_et_prenom"] == "Alex Martin"
    assert submission.get_data()["type_de_projet"] == "Projet collectif"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["candidatures@lagrappe.example"]
    assert mail.outbox[0].subject == "Nouvelle candidature"
    assert "Nom et prénom: Alex Martin" in mail.outbox[0].body


def test_invalid_form_is_shown_again_and_nothing_is_stored(client, tree):
    response = client.post(tree.form.url, {"nom_et_prenom": "", "adresse_e_mail": "pas-une-adresse"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="form__errors" role="alert" tabindex="-1" id="form-errors">' in html
    email = re.search(r'<input [^>]*name="adresse_e_mail"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email and "id_adresse_e_mail_error" in email
    assert 'id="id_adresse_e_mail_error"' in html  # the message the field points at exists
    assert FormSubmission.objects.count() == 0
    assert mail.outbox == []


def test_404_page_is_in_french(client, tree):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Page introuvable</h1>" in html


def test_draft_and_private_pages_are_not_served(client, tree):
    from wagtail.models import PageViewRestriction

    tree.article.unpublish()
    PageViewRestriction.objects.create(page=tree.older, restriction_type="password", password="secret")

    assert client.get("/actualites/trois-nouveaux-locataires/").status_code == 404
    assert b"Le bilan de l" not in client.get("/actualites/bilan/").content


def test_robots_txt_points_to_the_sitemap(client, tree):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/\n" in response.content.decode()
    # The Site's address, as in the sitemap itself (not the request's host).
    assert "Sitemap: http://localhost/sitemap.xml\n" in response.content.decode()


def test_sitemap_lists_live_pages_only(client, tree):
    tree.older.unpublish()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    xml = response.content.decode()
    assert "<loc>http://localhost/actualites/trois-nouveaux-locataires/</loc>" in xml
    assert "/actualites/bilan/" not in xml


def test_form_submissions_export_in_lille_time(client, tree, django_user_model):
    import datetime as dt
    import io

    import openpyxl

    submission = FormSubmission.objects.create(page=tree.form, form_data={"nom_et_prenom": "Alex Martin"})
    # 19:34 UTC on 25 November is 20:34 in Lille (UTC+1 in winter).
    FormSubmission.objects.filter(pk=submission.pk).update(
        submit_time=dt.datetime(2026, 11, 25, 19, 34, 30, tzinfo=dt.UTC)
    )
    client.force_login(django_user_model.objects.create_superuser("coord", "c@example.org", "x"))
    url = f"/admin/forms/submissions/{tree.form.pk}/"

    csv_text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    assert csv_text.splitlines()[1].startswith("25/11/2026 20:34,Alex Martin")
    assert "+00:00" not in csv_text

    xlsx = b"".join(client.get(url, {"export": "xlsx"}).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet.cell(row=2, column=1).value == dt.datetime(2026, 11, 25, 20, 34, 30)
