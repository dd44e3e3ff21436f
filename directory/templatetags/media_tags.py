"""Only media an anonymous visitor may open reach a public page's HTML.

Wagtail's ``{% image %}`` tag and ``document.url`` ignore collection privacy: an image
or a document an editor chose from a private collection would have its rendition or
file address printed on a public page (GraphQL hides them through api.visibility).
``public_media`` answers the object when no view restriction covers its collection
(Wagtail's ``Collection.get_view_restrictions`` includes the ancestors' restrictions),
else None, so a template writes ``{% with image=value.image|public_media %}``.
"""

from django import template

register = template.Library()


@register.filter
def public_media(item):
    """``item`` (an image or a document) if its collection is public, else None."""
    if item is None:
        return None
    collection = getattr(item, "collection", None)
    if collection is None:
        return item
    cache = getattr(item, "_public_media", None)
    if cache is None:
        cache = not collection.get_view_restrictions().exists()
        item._public_media = cache
    return item if cache else None
