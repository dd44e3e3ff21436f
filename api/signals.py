"""Signal handlers turning publications into webhook events (connected in ApiConfig.ready)."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, published, unpublished

from directory.models import Structure

from .webhooks import notify


def page_payload(page) -> dict:
    return {
        "type": "page",
        "id": page.pk,
        "slug": page.slug,
        "urlPath": page.url_path,
        "url": page.full_url if page.pk else None,
        "contentType": page._meta.label_lower,
    }


def structure_payload(structure) -> dict:
    return {
        "type": "structure",
        "id": structure.pk,
        "slug": structure.slug,
        "url": structure.get_absolute_url(),
    }


def on_page_published(sender, instance, **kwargs):
    notify("page.published", page_payload(instance))


def on_page_unpublished(sender, instance, **kwargs):
    notify("page.unpublished", page_payload(instance))


def on_page_deleted(sender, instance, **kwargs):
    # Multi-table inheritance sends post_delete for the specific model and for
    # Page; answer the base row only, once per page.
    if type(instance) is Page:
        payload = {"type": "page", "id": instance.pk, "slug": instance.slug, "urlPath": instance.url_path}
        notify("page.deleted", payload)


def on_snippet_published(sender, instance, **kwargs):
    if isinstance(instance, Structure):
        notify("structure.published", structure_payload(instance))


def on_snippet_unpublished(sender, instance, **kwargs):
    if isinstance(instance, Structure):
        notify("structure.unpublished", structure_payload(instance))


def on_structure_deleted(sender, instance, **kwargs):
    notify("structure.deleted", structure_payload(instance))


def connect():
    page_published.connect(on_page_published, dispatch_uid="api-webhooks-page-published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="api-webhooks-page-unpublished")
    post_delete.connect(on_page_deleted, sender=Page, dispatch_uid="api-webhooks-page-deleted")
    published.connect(on_snippet_published, dispatch_uid="api-webhooks-snippet-published")
    unpublished.connect(on_snippet_unpublished, dispatch_uid="api-webhooks-snippet-unpublished")
    post_delete.connect(on_structure_deleted, sender=Structure, dispatch_uid="api-webhooks-structure-deleted")
