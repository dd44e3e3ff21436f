"""Form pages built by editors with Wagtail's form builder ("Devenir locataire permanent")."""

from django.db import models
from grapple.models import GraphQLBoolean, GraphQLCollection, GraphQLForeignKey, GraphQLRichText, GraphQLString
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES

from .mixins import BasePage


class FormField(AbstractFormField):
    """One field of a form page, defined by the editor (label, type, required, choices)."""

    page = ParentalKey("home.FormPage", on_delete=models.CASCADE, related_name="form_fields")

    graphql_fields = [
        GraphQLString("label", required=True, description="Libellé du champ."),
        GraphQLString("clean_name", required=True, description="Nom technique du champ (clé de la réponse)."),
        GraphQLString("field_type", required=True, description="Type : singleline, multiline, email, checkboxes…"),
        GraphQLBoolean("required", required=True, description="Vrai si le champ est obligatoire."),
        GraphQLString("choices", description="Choix possibles, un par ligne (listes, cases à cocher)."),
        GraphQLString("default_value", description="Valeur par défaut."),
        GraphQLString("help_text", description="Aide affichée sous le champ."),
    ]


class FormPage(BasePage, AbstractEmailForm):
    """A form whose answers are stored (listed and exported in the admin) and e-mailed.

    Used for « Devenir locataire permanent »: the application to become a permanent tenant.
    """

    introduction = RichTextField("introduction", blank=True, features=RICH_TEXT_FEATURES)
    thank_you_text = RichTextField(
        "message de remerciement",
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text="Affiché après l’envoi du formulaire.",
    )

    def get_submissions_list_view_class(self):
        # Imported here: Wagtail's admin views cannot be imported while models load.
        from home.views import LocalTimeSubmissionsListView

        return LocalTimeSubmissionsListView

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("introduction"),
        InlinePanel("form_fields", label="Champs du formulaire"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                HelpPanel(
                    "Les réponses sont enregistrées (menu « Formulaires », export CSV ou Excel) "
                    "et envoyées par e-mail aux adresses indiquées ici, séparées par des virgules."
                ),
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading="Notification par e-mail",
        ),
    ]

    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    # The e-mail addresses and subject stay private: they are not part of the API.
    graphql_fields = BasePage.graphql_fields + [
        GraphQLRichText("introduction", description="Introduction du formulaire."),
        GraphQLRichText("thank_you_text", description="Message affiché après l’envoi."),
        GraphQLCollection(
            GraphQLForeignKey, "form_fields", "home.FormField", description="Champs du formulaire, dans l’ordre."
        ),
    ]

    preview_modes = AbstractEmailForm.preview_modes + [("headless", "Site partenaire (aperçu headless)")]
    landing_page_template = "home/form_page_landing.html"
    subpage_types = []

    class Meta:
        verbose_name = "formulaire"
        verbose_name_plural = "formulaires"
