"""Abstract building blocks shared by every page type of the editorial site."""

from django.db import models
from grapple.models import GraphQLImage
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin

from home.preview import preview_token_status
from home.routing import CachedRouteMixin


class SeoMixin(models.Model):
    """SEO and social sharing: Wagtail's own SEO title and description, plus a sharing image.

    ``seo_title`` and ``search_description`` live on Wagtail's ``Page`` and grapple's
    page interface already exposes them (``seoTitle``, ``searchDescription``).
    """

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="image de partage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Image montrée quand la page est partagée sur un réseau social (idéalement 1200 × 630).",
    )

    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel("slug"),
                FieldPanel("seo_title"),
                FieldPanel("search_description"),
                FieldPanel("social_image"),
            ],
            heading="Référencement et partage",
        ),
        MultiFieldPanel([FieldPanel("show_in_menus")], heading="Menus"),
    ]

    graphql_fields = [
        GraphQLImage("social_image", description="Image de partage sur les réseaux sociaux (Open Graph)."),
    ]

    class Meta:
        abstract = True

    @property
    def meta_description(self):
        return self.search_description


class HeadlessPreviewPageMixin(HeadlessPreviewMixin):
    """Two previews for editors: the site's own HTML, and the partner front end (headless).

    The partner front end receives a signed token and asks ``page(token: …)`` over
    GraphQL. wagtail-headless-preview signs tokens without an expiry and lets a bad
    signature escape as an error; here a token is checked by ``home.preview``
    (``PREVIEW_TOKEN_MAX_AGE``) and any invalid or expired token simply yields no page.
    """

    preview_modes = [("", "Site LaGrappe"), ("headless", "Site partenaire (aperçu headless)")]

    @classmethod
    def get_page_from_preview_token(cls, token):
        if preview_token_status(token) != "valid":
            return None
        return super().get_page_from_preview_token(token)

    def serve_preview(self, request, preview_mode):
        if preview_mode == "headless":
            return HeadlessPreviewMixin.serve_preview(self, request, preview_mode)
        # Skip wagtail-headless-preview's override: the page's own preview (HTML, form landing…).
        return super(HeadlessPreviewMixin, self).serve_preview(request, preview_mode)


class BasePage(CachedRouteMixin, HeadlessPreviewPageMixin, SeoMixin, Page):
    """Every editorial page: SEO fields, sharing image, headless preview, known paths routed in one query."""

    promote_panels = SeoMixin.promote_panels
    graphql_fields = SeoMixin.graphql_fields

    class Meta:
        abstract = True
