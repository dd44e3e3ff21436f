"""Media: documents only through Wagtail's serve view, which enforces collection privacy."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction

pytestmark = pytest.mark.django_db


def document_in(collection, title):
    document = Document(title=title, collection=collection)
    document.file.save(f"{title}.pdf", ContentFile(b"%PDF-1.4 " + title.encode()), save=False)
    document.save()
    return document


@pytest.fixture
def documents():
    root = Collection.get_first_root_node()
    private = root.add_child(name="Conseil d’administration")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    return document_in(root, "programme"), document_in(private, "proces-verbal")


def test_document_links_go_through_the_serve_view(documents):
    public, private = documents

    assert public.url == f"/documents/{public.pk}/programme.pdf"
    assert private.url == f"/documents/{private.pk}/proces-verbal.pdf"


def test_a_private_collection_document_is_not_served_to_visitors(client, documents):
    public, private = documents

    assert client.get(public.url).status_code == 200
    refused = client.get(private.url)
    assert (refused.status_code, refused["Location"].split("?")[0]) == (302, "/_util/login/")


def test_the_site_never_serves_uploaded_files_at_their_storage_path(client, documents):
    # In production the proxy serves /media/images/ only (README); Django serves no /media/ path.
    _, private = documents

    assert client.get(f"/media/{private.file.name}").status_code == 404
