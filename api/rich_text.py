"""Rich text renders only what an anonymous visitor of the request's Site may see.

Wagtail stores rich text with references (``<a linktype="page" id="12">``,
``<a linktype="document" id="3">``, ``<embed embedtype="image" id="7">``) and expands
them when rendering: its handlers write the target's URL whatever the target is, so a
public page's text linking to a draft, a password- or login-restricted page, another
Site's page or a private-collection document shows that page's address (its slug) or
the document's file name, and an embedded private image shows its rendition URL.

The handlers below replace Wagtail's (registered by ``api/wagtail_hooks.py`` through
the ``register_rich_text_features`` hook, after Wagtail's own): the target is checked
with ``api.visibility.Visibility``, the rules GraphQL applies everywhere else. A hidden
target is treated as a deleted one: a link keeps its text without an address
(``<a>``), an image becomes Wagtail's empty ``<img alt="">``. Every renderer goes through them: the HTML site
(``|richtext``, ``RichTextBlock``) and grapple's ``RichText`` fields alike.

The request being rendered is read from ``lagrappe.current_request``; without one
(a management command, a task) the default Site is the one the text is rendered for.
"""

from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.rich_text.pages import PageLinkHandler

from lagrappe.current_request import current_request

from .visibility import Visibility


def current_visibility() -> Visibility:
    request = current_request()
    if request is None:
        return Visibility.without_request()
    return Visibility.for_request(request)


class VisiblePageLinkHandler(PageLinkHandler):
    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list:
        visibility = current_visibility()
        # Wagtail links to the page's version in the active locale: that one must be visible.
        return [p if p is not None and visibility.page(p.localized) else None for p in super().get_many(attrs_list)]


class VisibleDocumentLinkHandler(DocumentLinkHandler):
    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list:
        visibility = current_visibility()
        return [
            d if d is not None and visibility.in_public_collection(d) else None for d in super().get_many(attrs_list)
        ]


class VisibleImageEmbedHandler(ImageEmbedHandler):
    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list:
        visibility = current_visibility()
        return [
            i if i is not None and visibility.in_public_collection(i) else None for i in super().get_many(attrs_list)
        ]
