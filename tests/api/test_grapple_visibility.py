"""More closed doors on grapple's generic queries: redirects, private collections,
nested preview tokens, and search hits that must not be written by GET requests."""

import pytest
from django.core.files.base import ContentFile
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtail.search.backends import get_search_backend

from home.models.pages import ContentPage
from tests.api.conftest import make_image

SECRETS = (
    "Brouillon secret",
    "brouillon-secret",
    "Page privée",
    "page-privee",
    "Secret de B",
    "secret-b",
    "autre.example",
    "/b-seulement/",
)


@pytest.fixture
def redirects(db, django_capture_on_commit_callbacks):
    """Site A: a live page, a draft, a private page; site B: one page. Six redirects.

    On the engine, pages are indexed after commit (Wagtail's tasks) and visible after a refresh.
    """
    with django_capture_on_commit_callbacks(execute=True):
        data = _build_redirects()
    get_search_backend().refresh_indexes()
    return data


def _build_redirects():
    site_a = Site.objects.get(is_default_site=True)
    live = site_a.root_page.add_child(instance=ContentPage(title="Ateliers ouverts", slug="ateliers"))
    draft = site_a.root_page.add_child(
        instance=ContentPage(title="Brouillon secret", slug="brouillon-secret", live=False)
    )
    private = site_a.root_page.add_child(instance=ContentPage(title="Page privée", slug="page-privee"))
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="motdepasse")
    root_b = Page.objects.get(depth=1).add_child(instance=ContentPage(title="Accueil B", slug="accueil-b"))
    Site.objects.create(hostname="autre.example", port=80, root_page=root_b, site_name="B")
    page_b = root_b.add_child(instance=ContentPage(title="Secret de B", slug="secret-b"))
    site_b = Site.objects.get(hostname="autre.example")
    Redirect.objects.create(old_path="/ancien-atelier", site=site_a, redirect_page=live)
    Redirect.objects.create(old_path="/ancien-brouillon", site=site_a, redirect_page=draft)
    Redirect.objects.create(old_path="/ancienne-privee", site=site_a, redirect_page=private, is_permanent=False)
    Redirect.objects.create(old_path="/vers-b", site=None, redirect_page=page_b)
    Redirect.objects.create(old_path="/b-seulement", site=site_b, redirect_page=page_b)
    Redirect.objects.create(old_path="/externe", site=None, redirect_link="https://initiativesetcite.example/")
    return {"live": live, "draft": draft, "private": private, "page_b": page_b}


REDIRECTS_QUERY = """{ redirects { oldPath newUrl isPermanent page { title } site { hostname pages { title } } } }"""


def test_redirect_targets_that_are_draft_private_or_elsewhere_are_null(redirects, gql):
    status, body = gql(REDIRECTS_QUERY)

    assert status == 200, body
    rows = [(r["oldPath"], r["newUrl"], r["isPermanent"], r["page"]) for r in body["data"]["redirects"]]
    assert rows == [
        ("/ancien-atelier", "http://localhost/ateliers/", True, {"title": "Ateliers ouverts"}),
        ("/ancien-brouillon", None, True, None),
        ("/ancienne-privee", None, False, None),
        ("/externe", "https://initiativesetcite.example/", True, None),
        ("/vers-b", None, True, None),
    ]
    assert {r["site"]["hostname"] for r in body["data"]["redirects"]} == {"localhost"}
    for secret in SECRETS:
        assert secret not in str(body)


def test_redirects_of_the_other_site_are_listed_on_that_site_only(redirects, gql):
    status, body = gql("{ redirects { oldPath newUrl page { title } } }", headers={"HTTP_HOST": "autre.example"})

    assert body == {
        "data": {
            "redirects": [
                {
                    "oldPath": "/b-seulement",
                    "newUrl": "http://autre.example/secret-b/",
                    "page": {"title": "Secret de B"},
                },
                {"oldPath": "/externe", "newUrl": "https://initiativesetcite.example/", "page": None},
                {"oldPath": "/vers-b", "newUrl": "http://autre.example/secret-b/", "page": {"title": "Secret de B"}},
            ]
        }
    }


def test_redirects_leave_the_database_untouched(redirects, gql):
    before = list(Redirect.objects.order_by("pk").values_list("site_id", "redirect_page_id", "redirect_link"))

    gql(REDIRECTS_QUERY)

    assert list(Redirect.objects.order_by("pk").values_list("site_id", "redirect_page_id", "redirect_link")) == before


@pytest.fixture
def collections(db, django_capture_on_commit_callbacks):
    """Public collection; private collection (password) and its unrestricted sub-collection."""
    with django_capture_on_commit_callbacks(execute=True):
        items = _build_collections()
    get_search_backend().refresh_indexes()
    return items


def _build_collections():
    root = Collection.get_first_root_node()
    public = root.add_child(name="Public")
    private = root.add_child(name="Privé")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="password", password="motdepasse")
    private_child = private.add_child(name="Sous-dossier privé")
    items = {}
    for key, collection in (("public", public), ("private", private), ("child", private_child)):
        image = make_image(f"image-{key}")
        image.collection = collection
        image.save()
        document = get_document_model().objects.create(
            title=f"document-{key}", collection=collection, file=ContentFile(b"%PDF-1.4 test", name=f"{key}.pdf")
        )
        items[key] = (image, document)
    return items


def test_images_and_documents_of_private_collections_are_not_listed(collections, gql):
    status, body = gql(
        "{ images { title } documents { title } collections { name descendants { name } }"
        ' found: images(searchQuery: "image") { title } }'
    )

    assert status == 200, body
    assert body["data"]["images"] == [{"title": "image-public"}]
    assert body["data"]["documents"] == [{"title": "document-public"}]
    assert body["data"]["found"] == [{"title": "image-public"}]
    assert sorted(c["name"] for c in body["data"]["collections"]) == ["Public", "Root"]
    root = next(c for c in body["data"]["collections"] if c["name"] == "Root")
    assert root["descendants"] == [{"name": "Public"}]
    assert "priv" not in str(body).lower() and "child" not in str(body)


@pytest.mark.parametrize("key", ["private", "child"])
def test_images_and_documents_of_private_collections_are_not_fetchable(collections, gql, key):
    image, document = collections[key]

    status, body = gql(
        "query($i: ID!, $d: ID!) { image(id: $i) { title url } document(id: $d) { title url } }",
        {"i": image.pk, "d": document.pk},
        method="get",
    )
    public_image, public_document = collections["public"]
    _, public = gql(
        "query($i: ID!, $d: ID!) { image(id: $i) { title } document(id: $d) { title } }",
        {"i": public_image.pk, "d": public_document.pk},
    )

    assert (status, body) == (200, {"data": {"image": None, "document": None}})
    assert public == {"data": {"image": {"title": "image-public"}, "document": {"title": "document-public"}}}


def test_nested_preview_token_expires_like_the_root_one(redirects, gql, settings):
    token = redirects["draft"].create_page_preview().token
    query = "query($t: String!) { sites { page(token: $t) { title } } }"
    _, fresh = gql(query, {"t": token})

    settings.PREVIEW_TOKEN_MAX_AGE = -1  # every token is older than that
    _, expired = gql(query, {"t": token})
    _, forged = gql(query, {"t": f"id={redirects['draft'].pk}:forged:sig"})

    assert fresh == {"data": {"sites": [{"page": {"title": "Brouillon secret"}}]}}
    assert expired["data"] == {"sites": [{"page": None}]}
    assert [e["extensions"] for e in expired["errors"]] == [{"code": "PREVIEW_TOKEN_EXPIRED"}]
    assert forged == {"data": {"sites": [{"page": None}]}}


def test_search_query_over_get_writes_nothing_and_stays_cacheable(redirects, gql):
    response = gql.client.get("/graphql/", {"query": '{ pages(searchQuery: "ateliers") { title } }'})

    assert response.json() == {"data": {"pages": [{"title": "Ateliers ouverts"}]}}
    assert response["Cache-Control"] == "public, max-age=60"
    assert (Query.objects.count(), QueryDailyHits.objects.count()) == (0, 0)


def test_search_query_over_post_counts_one_hit(redirects, gql):
    status, body = gql('{ pages(searchQuery: "Ateliers") { title } images(searchQuery: "logo") { title } }')

    assert body == {"data": {"pages": [{"title": "Ateliers ouverts"}], "images": []}}
    hits = {q.query_string: sum(d.hits for d in q.daily_hits.all()) for q in Query.objects.all()}
    assert hits == {"ateliers": 1, "logo": 1}


@pytest.mark.parametrize(
    "query", ['{ search(query: "ateliers") { __typename } }', '{ pages(searchQuery: "ateliers") { title } }']
)
def test_engine_down_is_a_clear_error_not_an_internal_one(redirects, gql, settings, query):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.opensearch2",
            "URLS": ["http://127.0.0.1:9"],
            "INDEX_PREFIX": "t_down_",
            "OPTIONS": {"max_retries": 0, "timeout": 2},
        }
    }

    status, body = gql(query)

    assert status == 200
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        (
            "La recherche est momentanément indisponible : réessayez dans quelques instants.",
            {"code": "SEARCH_UNAVAILABLE"},
        )
    ]
