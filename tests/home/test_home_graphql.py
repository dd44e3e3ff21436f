"""GraphQL queries a partner site sends for the editorial content (POST /graphql/)."""

import re

import pytest
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageViewRestriction
from wagtail.search.backends import get_search_backend

from home.models import ContentPage

pytestmark = pytest.mark.django_db

CONTENT_PAGE_QUERY = """
query ContentPage($path: String!) {
  page(urlPath: $path) {
    id
    title
    url
    seoTitle
    searchDescription
    ... on ContentPage {
      introduction
      body {
        blockType
        field
        ... on HeadingBlock { headingText size }
        ... on ParagraphBlock { richText }
        ... on CaptionedImageBlock {
          altText
          caption
          image { width rendition(width: 480) { url width } srcSet(sizes: [320, 640]) }
        }
        ... on QuoteBlock { quote attribution }
        ... on CallToActionBlock {
          title
          text
          link { ... on LinkBlock { linkText href url page { title } } }
        }
        ... on VideoEmbedBlock { caption embed { url } }
        ... on DocumentLinkBlock { linkText document { title url } }
        ... on FaqBlock { title items { ... on FaqItemBlock { question answer } } }
      }
    }
  }
}
"""


def test_content_page_by_url_path_with_every_block(graphql, tree):
    result = graphql(CONTENT_PAGE_QUERY, {"path": "/cooperation/"})

    assert "errors" not in result, result
    page = result["data"]["page"]
    assert page["id"] == str(tree.content.pk)
    assert page["title"] == "Coopération plutôt que concurrence"
    assert page["introduction"] == "Partager rend chaque projet plus solide."
    blocks = page["body"]
    assert [b["field"] for b in blocks] == [
        "heading",
        "paragraph",
        "image",
        "quote",
        "call_to_action",
        "embed",
        "document",
        "faq",
    ]
    heading, paragraph, image, quote, cta, embed, document, faq = blocks
    assert heading == {"blockType": "HeadingBlock", "field": "heading", "headingText": "Concrètement", "size": "h2"}
    # Internal links come out resolved to the page's URL.
    assert paragraph["richText"] == f'<p>Voir <a href="{tree.form.url}">le formulaire</a>.</p>'
    assert image["altText"] == "Trois personnes autour d’une table de travail"
    assert image["caption"] == "Un atelier"
    assert image["image"]["width"] == 800
    assert image["image"]["rendition"]["width"] == 480
    assert re.fullmatch(r"\S+\.width-320\.png 320w, \S+\.width-640\.png 640w", image["image"]["srcSet"])
    assert quote == {
        "blockType": "QuoteBlock",
        "field": "quote",
        "quote": "Ensemble on va plus loin.",
        "attribution": "Un membre",
    }
    assert cta["link"] == {
        "linkText": "Je candidate",
        "href": tree.form.url,
        "url": "",
        "page": {"title": "Devenir locataire permanent"},
    }
    assert embed["embed"] == {"url": "https://video.example/v/123"}
    assert document["document"]["title"] == "Dossier de candidature"
    assert document["document"]["url"].endswith("dossier.pdf")
    assert faq["items"] == [{"question": "Combien ça coûte ?", "answer": "<p>Ça dépend de l’espace.</p>"}]


def test_home_page_by_slug_with_hero_highlights_and_seo(graphql, tree):
    result = graphql(
        """
        query { page(slug: "accueil") {
          seoTitle searchDescription
          ... on HomePage {
            heroTitle heroText heroImageAltText introduction
            heroImage { srcSet(sizes: [480, 800]) }
            socialImage { rendition(fill: "1200x630") { width height } }
            highlights { ... on HighlightBlock { title text page { url } image { width } } }
            callsToAction { ... on CallToActionBlock { title link { ... on LinkBlock { href } } } }
          }
        } }
        """
    )

    assert "errors" not in result, result
    home = result["data"]["page"]
    assert home["seoTitle"] == "LaGrappe, lieu partagé"
    assert home["searchDescription"] == "Lieu partagé à Lille."
    assert home["heroTitle"] == "Un lieu partagé"
    assert home["heroImageAltText"] == "Une grappe de raisin"
    assert home["introduction"] == "<p>Bienvenue à LaGrappe.</p>"
    assert re.fullmatch(r"\S+ 480w, \S+ 800w", home["heroImage"]["srcSet"])
    assert home["socialImage"]["rendition"] == {"width": 800, "height": 420}
    assert home["highlights"] == [
        {
            "title": "Des espaces à partager",
            "text": "Au cœur de Lille.",
            "page": {"url": "/cooperation/"},
            "image": {"width": 800},
        }
    ]
    assert home["callsToAction"] == [{"title": "Devenir locataire", "link": {"href": tree.form.url}}]


def test_image_rendition_outside_the_allowed_filters_is_refused(graphql, tree):
    result = graphql("query($id: ID!) { image(id: $id) { rendition(width: 333) { url } } }", {"id": tree.image.pk})

    assert result["data"]["image"]["rendition"] is None
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "width"}
    assert "'width-333' non autorisé" in result["errors"][0]["message"]


def test_event_index_and_event_page_by_id(graphql, tree):
    result = graphql(
        """
        query($index: ID!, $event: ID!) {
          index: page(id: $index) { ... on EventIndexPage {
            introduction upcomingEvents { title } pastEvents { title }
          } }
          event: page(id: $event) { ... on EventPage {
            start end place address registrationUrl introduction isPast tags { name }
          } }
        }
        """,
        {"index": tree.events.pk, "event": tree.upcoming.pk},
    )

    assert "errors" not in result, result
    index = result["data"]["index"]
    assert index["upcomingEvents"] == [{"title": "Petit-déjeuner des locataires"}, {"title": "Forum"}]
    assert index["pastEvents"] == [{"title": "Portes ouvertes"}]
    event = result["data"]["event"]
    assert event["start"] == tree.upcoming.start.isoformat()
    assert event["end"] == tree.upcoming.end.isoformat()
    assert event["place"] == "LaGrappe"
    assert event["address"] == ""
    assert event["registrationUrl"] == "https://lagrappe.example/inscription"
    assert event["isPast"] is False
    assert event["tags"] == [{"name": "rencontre"}]


def test_news_index_and_article(graphql, tree):
    result = graphql(
        """
        query { page(urlPath: "/actualites/") { ... on NewsIndexPage {
          articles { title ... on NewsPage { date author introduction } }
        } } }
        """
    )

    assert "errors" not in result, result
    assert result["data"]["page"]["articles"] == [
        {
            "title": "Trois nouveaux locataires",
            "date": tree.article.date.isoformat(),
            "author": "Camille Dupont",
            "introduction": "Bienvenue à eux.",
        },
        {"title": "Le bilan de l’année", "date": tree.older.date.isoformat(), "author": "", "introduction": ""},
    ]


def test_form_page_exposes_its_fields_but_not_its_mail_settings(graphql, tree):
    result = graphql(
        """
        query { page(slug: "devenir-locataire-permanent") { ... on FormPage {
          introduction thankYouText formFields { label cleanName fieldType required choices }
        } } }
        """
    )

    assert "errors" not in result, result
    form = result["data"]["page"]
    assert form["thankYouText"] == "<p>Merci pour votre candidature !</p>"
    assert [f["cleanName"] for f in form["formFields"]] == [
        "nom_et_prenom",
        "adresse_e_mail",
        "type_de_projet",
        "presentez_votre_projet",
    ]
    assert form["formFields"][2] == {
        "label": "Type de projet",
        "cleanName": "type_de_projet",
        "fieldType": "radio",
        "required": True,
        "choices": "Projet individuel\nProjet collectif\nProjet de territoire",
    }

    private = graphql(
        'query { page(slug: "devenir-locataire-permanent") { ... on FormPage { toAddress } } }', status=400
    )
    assert private["errors"][0]["message"] == "Cannot query field 'toAddress' on type 'FormPage'."


def test_pages_listing_by_content_type(graphql, tree):
    result = graphql('query { pages(contentType: "home.EventPage", order: "title") { title } }')

    assert result == {
        "data": {
            "pages": [{"title": "Forum"}, {"title": "Petit-déjeuner des locataires"}, {"title": "Portes ouvertes"}]
        }
    }


def test_site_settings_and_navigation(graphql, tree):
    result = graphql(
        """
        query {
          contact: setting(name: "ContactSettings") { ... on ContactSettings {
            email phone placeName streetAddress postalCode city mastodonUrl linkedinUrl
          } }
          navigation: setting(name: "NavigationSettings") { ... on NavigationSettings {
            footerText
            mainMenu { ... on LinkBlock { linkText href } }
            footerLinks { ... on LinkBlock { linkText href url } }
          } }
        }
        """
    )

    assert "errors" not in result, result
    assert result["data"]["contact"] == {
        "email": "contact@lagrappe.example",
        "phone": "03 20 00 00 00",
        "placeName": "LaGrappe",
        "streetAddress": "12 rue des Coopérateurs",
        "postalCode": "59000",
        "city": "Lille",
        "mastodonUrl": "https://mastodon.social/@lagrappe",
        "linkedinUrl": "",
    }
    navigation = result["data"]["navigation"]
    assert navigation["footerText"] == "Un lieu porté par initiativesETcité."
    assert navigation["mainMenu"] == [
        {"linkText": "Coopération", "href": "/cooperation/"},
        {"linkText": "Agenda", "href": "/agenda/"},
    ]
    assert navigation["footerLinks"] == [
        {
            "linkText": "initiativesETcité",
            "href": "https://initiativesetcite.example/",
            "url": "https://initiativesetcite.example/",
        }
    ]


def test_documents_and_redirects(graphql, client, tree):
    Redirect.objects.create(old_path="/ancienne-cooperation", redirect_page=tree.content, site=tree.site)

    result = graphql("query { documents { title } redirects { oldPath newUrl isPermanent page { title } } }")

    assert "errors" not in result, result
    assert result["data"]["documents"] == [{"title": "Dossier de candidature"}]
    assert result["data"]["redirects"] == [
        {
            "oldPath": "/ancienne-cooperation",
            "newUrl": "/cooperation/",
            "isPermanent": True,
            "page": {"title": "Coopération plutôt que concurrence"},
        }
    ]
    response = client.get("/ancienne-cooperation")
    assert response.status_code == 301
    assert response["Location"] == "/cooperation/"


def test_search_finds_live_pages(graphql, tree):
    # Whichever backend serves page search (database, or the engine in CI), make its writes visible.
    get_search_backend().get_index_for_model(Page).refresh()
    result = graphql('query { search(query: "concurrence") { ... on ContentPage { title } } }')

    assert result == {"data": {"search": [{"title": "Coopération plutôt que concurrence"}]}}


@pytest.fixture
def draft_and_private(tree):
    draft = ContentPage(title="Projet confidentiel concurrence", slug="brouillon", live=False)
    tree.home.add_child(instance=draft)
    draft.save_revision()
    PageViewRestriction.objects.create(page=tree.older, restriction_type="password", password="secret")
    return draft


@pytest.mark.parametrize(
    "query",
    [
        'query { page(slug: "brouillon") { title } }',
        'query { page(urlPath: "/brouillon/") { title } }',
        'query { page(slug: "bilan") { title } }',
        'query { page(urlPath: "/actualites/bilan/") { title } }',
    ],
    ids=["draft-by-slug", "draft-by-path", "private-by-slug", "private-by-path"],
)
def test_draft_and_private_pages_are_not_returned(graphql, draft_and_private, query):
    assert graphql(query) == {"data": {"page": None}}


def test_draft_by_id_and_in_listings_is_not_returned(graphql, tree, draft_and_private):
    by_id = graphql("query($id: ID!) { page(id: $id) { title } }", {"id": draft_and_private.pk})
    listing = graphql("query { pages(limit: 100) { title } }")
    news = graphql('query { page(urlPath: "/actualites/") { ... on NewsIndexPage { articles { title } } } }')
    get_search_backend().get_index_for_model(Page).refresh()
    search = graphql('query { search(query: "concurrence") { ... on ContentPage { title } } }')

    assert by_id == {"data": {"page": None}}
    titles = {p["title"] for p in listing["data"]["pages"]}
    assert "Projet confidentiel concurrence" not in titles
    assert "Le bilan de l’année" not in titles
    assert "Trois nouveaux locataires" in titles
    assert news["data"]["page"]["articles"] == [{"title": "Trois nouveaux locataires"}]
    assert search == {"data": {"search": [{"title": "Coopération plutôt que concurrence"}]}}


def test_preview_token_returns_the_draft(graphql, tree, draft_and_private):
    draft_and_private.title = "Version de travail"
    preview = draft_and_private.create_page_preview()

    result = graphql(
        "query($token: String!) { page(token: $token) { title ... on ContentPage { introduction } } }",
        {"token": preview.token},
    )
    forged = graphql(
        "query($token: String!) { page(token: $token) { title } }",
        {"token": f"id={draft_and_private.pk}:forged-signature"},
    )

    assert result == {"data": {"page": {"title": "Version de travail", "introduction": ""}}}
    assert forged == {"data": {"page": None}}
