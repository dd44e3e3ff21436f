"""Site-wide settings an editor changes in « Paramètres » (exposed in GraphQL by grapple)."""

from django.db import models
from grapple.models import GraphQLStreamfield, GraphQLString
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from home.blocks import NavigationStreamBlock


@register_setting(icon="site")
class ContactSettings(BaseSiteSetting):
    """How to reach LaGrappe: contact details, the address of the place, social networks."""

    email = models.EmailField("e-mail de contact", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    place_name = models.CharField("nom du lieu", max_length=120, default="LaGrappe")
    street_address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("ville", max_length=120, default="Lille")
    opening_hours = models.CharField("horaires d’ouverture", max_length=255, blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)
    facebook_url = models.URLField("Facebook", blank=True)
    instagram_url = models.URLField("Instagram", blank=True)
    mastodon_url = models.URLField("Mastodon", blank=True)
    youtube_url = models.URLField("YouTube", blank=True)

    panels = [
        MultiFieldPanel([FieldRowPanel([FieldPanel("email"), FieldPanel("phone")])], heading="Contact"),
        MultiFieldPanel(
            [
                FieldPanel("place_name"),
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("city")]),
                FieldPanel("opening_hours"),
            ],
            heading="Le lieu",
        ),
        MultiFieldPanel(
            [
                FieldPanel("linkedin_url"),
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("mastodon_url"),
                FieldPanel("youtube_url"),
            ],
            heading="Réseaux sociaux",
        ),
    ]

    graphql_fields = [
        GraphQLString("email", description="E-mail de contact."),
        GraphQLString("phone", description="Téléphone de contact."),
        GraphQLString("place_name", required=True, description="Nom du lieu."),
        GraphQLString("street_address", description="Adresse (numéro et rue)."),
        GraphQLString("postal_code", description="Code postal."),
        GraphQLString("city", description="Ville."),
        GraphQLString("opening_hours", description="Horaires d’ouverture."),
        GraphQLString("linkedin_url", description="Page LinkedIn."),
        GraphQLString("facebook_url", description="Page Facebook."),
        GraphQLString("instagram_url", description="Compte Instagram."),
        GraphQLString("mastodon_url", description="Compte Mastodon."),
        GraphQLString("youtube_url", description="Chaîne YouTube."),
    ]

    @property
    def social_links(self):
        """(label, url) of the networks that are filled in, in display order."""
        networks = [
            ("LinkedIn", self.linkedin_url),
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("Mastodon", self.mastodon_url),
            ("YouTube", self.youtube_url),
        ]
        return [(label, url) for label, url in networks if url]

    @property
    def full_address(self):
        locality = " ".join(part for part in [self.postal_code, self.city] if part)
        return ", ".join(part for part in [self.street_address, locality] if part)

    class Meta:
        verbose_name = "coordonnées et réseaux"


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The main menu and the footer links, shown on every page and offered to partner sites."""

    main_menu = StreamField(NavigationStreamBlock(), verbose_name="menu principal", blank=True, use_json_field=True)
    footer_links = StreamField(
        NavigationStreamBlock(), verbose_name="liens du pied de page", blank=True, use_json_field=True
    )
    footer_text = models.CharField(
        "texte du pied de page",
        max_length=255,
        blank=True,
        help_text="Par exemple : « Un lieu porté par initiativesETcité ».",
    )

    panels = [FieldPanel("main_menu"), FieldPanel("footer_links"), FieldPanel("footer_text")]

    graphql_fields = [
        GraphQLStreamfield("main_menu", description="Liens du menu principal (LinkBlock)."),
        GraphQLStreamfield("footer_links", description="Liens du pied de page (LinkBlock)."),
        GraphQLString("footer_text", description="Texte du pied de page."),
    ]

    class Meta:
        verbose_name = "navigation"
