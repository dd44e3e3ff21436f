"""Page types of the editorial site (registered with grapple through GRAPPLE["APPS"])."""

import graphene
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from grapple.models import (
    GraphQLBoolean,
    GraphQLCollection,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLImage,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
    GraphQLTag,
)
from grapple.utils import resolve_queryset
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from home import directory_links
from home.blocks import RICH_TEXT_FEATURES, CallToActionBlock, ContentStreamBlock, HighlightBlock

from .mixins import BasePage

DEFAULT_PLACE = "LaGrappe"


def _image_field(verbose_name, help_text=""):
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


class HomePage(BasePage):
    """The site's root page: what LaGrappe is, what it offers, how to join.

    Created by ``manage.py load_demo`` as the default Site's root.
    """

    hero_title = models.CharField("titre d’accroche", max_length=200, default="")
    hero_text = models.TextField("texte d’accroche", blank=True)
    hero_image = _image_field("image d’accroche", "Grande image en haut de la page d’accueil.")
    hero_image_alt = models.CharField(
        "texte alternatif de l’image d’accroche",
        max_length=200,
        blank=True,
        help_text="Décrit l’image ; par défaut, la description saisie dans la médiathèque.",
    )
    introduction = RichTextField("introduction", blank=True, features=RICH_TEXT_FEATURES)
    highlights = StreamField(
        [("highlight", HighlightBlock())], verbose_name="temps forts", blank=True, use_json_field=True
    )
    calls_to_action = StreamField(
        [("call_to_action", CallToActionBlock())], verbose_name="appels à l’action", blank=True, use_json_field=True
    )

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image"), FieldPanel("hero_image_alt")],
            heading="Accroche",
        ),
        FieldPanel("introduction"),
        FieldPanel("highlights"),
        FieldPanel("calls_to_action"),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("hero_title"),
        index.SearchField("hero_text"),
        index.SearchField("introduction"),
    ]

    graphql_fields = BasePage.graphql_fields + [
        GraphQLString("hero_title", required=True, description="Titre d’accroche."),
        GraphQLString("hero_text", description="Texte d’accroche."),
        GraphQLImage("hero_image", description="Image d’accroche."),
        GraphQLString("hero_image_alt_text", description="Texte alternatif de l’image d’accroche."),
        GraphQLRichText("introduction", description="Introduction, en HTML avec les liens résolus."),
        GraphQLStreamfield("highlights", description="Temps forts (HighlightBlock)."),
        GraphQLStreamfield("calls_to_action", description="Appels à l’action (CallToActionBlock)."),
    ]

    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["popular_skills"] = directory_links.popular_skills()
        context["recent_structures"] = directory_links.recent_structures()
        return context

    @property
    def hero_image_alt_text(self):
        if self.hero_image_alt:
            return self.hero_image_alt
        return self.hero_image.default_alt_text if self.hero_image else ""

    class Meta:
        verbose_name = "page d’accueil"
        verbose_name_plural = "pages d’accueil"


class ContentPage(BasePage):
    """A page of prose built from blocks: principles, who LaGrappe is for, tenants…"""

    introduction = models.TextField("chapeau", blank=True, help_text="Une ou deux phrases en tête de page.")
    body = StreamField(ContentStreamBlock(), verbose_name="contenu", blank=True, use_json_field=True)

    content_panels = BasePage.content_panels + [FieldPanel("introduction"), FieldPanel("body")]

    search_fields = BasePage.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    graphql_fields = BasePage.graphql_fields + [
        GraphQLString("introduction", description="Chapeau de la page."),
        GraphQLStreamfield("body", description="Contenu de la page, bloc par bloc."),
    ]

    class Meta:
        verbose_name = "page de contenu"
        verbose_name_plural = "pages de contenu"


class EventIndexPage(BasePage):
    """Lists the events held at (or by) LaGrappe: upcoming first, then past ones."""

    introduction = RichTextField("introduction", blank=True, features=RICH_TEXT_FEATURES)

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]

    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    graphql_fields = BasePage.graphql_fields + [
        GraphQLRichText("introduction", description="Introduction de l’agenda."),
        GraphQLCollection(
            GraphQLForeignKey,
            "upcoming_events",
            "home.EventPage",
            description="Événements à venir ou en cours, du plus proche au plus lointain.",
        ),
        GraphQLCollection(
            GraphQLForeignKey,
            "past_events",
            "home.EventPage",
            description="Événements passés, du plus récent au plus ancien.",
        ),
    ]

    subpage_types = ["home.EventPage"]

    def _events(self):
        return EventPage.objects.child_of(self).live().public()

    def upcoming_events(self, info=None, **kwargs):
        """Events not yet over (an event without an end is over once it has started)."""
        now = timezone.now()
        qs = self._events().filter(models.Q(end__gte=now) | models.Q(end__isnull=True, start__gte=now))
        qs = qs.order_by("start")
        return resolve_queryset(qs, info, **kwargs) if info else qs

    def past_events(self, info=None, **kwargs):
        upcoming = self.upcoming_events().values("pk")
        qs = self._events().exclude(pk__in=upcoming).order_by("-start")
        return resolve_queryset(qs, info, **kwargs) if info else qs

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["upcoming_events"] = self.upcoming_events()
        context["past_events"] = self.past_events()
        return context

    class Meta:
        verbose_name = "agenda"
        verbose_name_plural = "agendas"


class EventPageTag(TaggedItemBase):
    """Tags of an event (through model for ClusterTaggableManager)."""

    content_object = ParentalKey("home.EventPage", on_delete=models.CASCADE, related_name="tagged_items")


class EventPage(BasePage):
    """An event: a workshop, an open day, a members' meeting… often at LaGrappe itself."""

    start = models.DateTimeField("début")
    end = models.DateTimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=200, default=DEFAULT_PLACE, help_text="Par défaut, LaGrappe elle-même.")
    address = models.CharField(
        "adresse", max_length=255, blank=True, help_text="Laissez vide pour l’adresse de LaGrappe (paramètres du site)."
    )
    registration_url = models.URLField("lien d’inscription", blank=True)
    introduction = models.TextField("chapeau", blank=True)
    image = _image_field("image")
    body = StreamField(ContentStreamBlock(), verbose_name="description", blank=True, use_json_field=True)
    tags = ClusterTaggableManager(through=EventPageTag, blank=True, verbose_name="mots-clés")

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("place"), FieldPanel("address")],
            heading="Quand et où",
        ),
        FieldPanel("registration_url"),
        FieldPanel("introduction"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
        index.SearchField("place"),
        index.FilterField("start"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    graphql_fields = BasePage.graphql_fields + [
        GraphQLField("start", graphene.DateTime, required=True, description="Début (ISO 8601, fuseau inclus)."),
        GraphQLField("end", graphene.DateTime, description="Fin (ISO 8601) ; nulle si non précisée."),
        GraphQLString("place", required=True, description="Lieu de l’événement."),
        GraphQLString("address", description="Adresse ; vide quand l’événement a lieu à l’adresse de LaGrappe."),
        GraphQLString("registration_url", description="Lien d’inscription."),
        GraphQLString("introduction", description="Chapeau."),
        GraphQLImage("image", description="Image de l’événement."),
        GraphQLStreamfield("body", description="Description, bloc par bloc."),
        GraphQLTag("tags", description="Mots-clés."),
        GraphQLBoolean("is_past", required=True, description="Vrai si l’événement est terminé."),
    ]

    parent_page_types = ["home.EventIndexPage"]
    subpage_types = []

    @property
    def is_past(self):
        return (self.end or self.start) < timezone.now()

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "La fin de l’événement doit être postérieure à son début."})

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"


class NewsIndexPage(BasePage):
    """Lists the cluster's news, most recent first."""

    introduction = RichTextField("introduction", blank=True, features=RICH_TEXT_FEATURES)

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]

    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    graphql_fields = BasePage.graphql_fields + [
        GraphQLRichText("introduction", description="Introduction des actualités."),
        GraphQLCollection(
            GraphQLForeignKey,
            "articles",
            "home.NewsPage",
            description="Articles publiés, du plus récent au plus ancien.",
        ),
    ]

    subpage_types = ["home.NewsPage"]

    def articles(self, info=None, **kwargs):
        qs = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        return resolve_queryset(qs, info, **kwargs) if info else qs

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = self.articles()
        return context

    class Meta:
        verbose_name = "liste d’actualités"
        verbose_name_plural = "listes d’actualités"


class NewsPageTag(TaggedItemBase):
    """Tags of a news article (through model for ClusterTaggableManager)."""

    content_object = ParentalKey("home.NewsPage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsPage(BasePage):
    """A news article of the cluster."""

    date = models.DateField("date de publication", default=timezone.localdate)
    author = models.CharField("auteur ou autrice", max_length=120, blank=True)
    introduction = models.TextField("chapeau", blank=True)
    image = _image_field("image")
    body = StreamField(ContentStreamBlock(), verbose_name="contenu", blank=True, use_json_field=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name="mots-clés")

    content_panels = BasePage.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("author")]),
        FieldPanel("introduction"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    graphql_fields = BasePage.graphql_fields + [
        GraphQLField("date", graphene.Date, required=True, description="Date de publication (AAAA-MM-JJ)."),
        GraphQLString("author", description="Auteur ou autrice."),
        GraphQLString("introduction", description="Chapeau."),
        GraphQLImage("image", description="Image de l’article."),
        GraphQLStreamfield("body", description="Contenu de l’article, bloc par bloc."),
        GraphQLTag("tags", description="Mots-clés."),
    ]

    parent_page_types = ["home.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "actualité"
        verbose_name_plural = "actualités"
