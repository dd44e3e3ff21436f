"""StreamField blocks of the editorial site.

Every block is a ``StructBlock`` subclass with an icon, a template and a
description for the editor, and ``graphql_fields`` so grapple exposes it with
typed fields (``@register_streamfield_block``). Block fields are nullable in
GraphQL and a name has one type across blocks: a partner selects every block of
a body in one query, and GraphQL refuses same-named fields of different types.

Other apps extend the content body by subclassing :class:`ContentStreamBlock` or
reusing :data:`CONTENT_BLOCKS`; the directory excerpt (:class:`DirectoryBlock`) is
part of the body itself. It stores which structures to show (filters of the
directory's own vocabulary); the directory pages app renders it (its template
uses ``directory_pages``' ``directory_excerpt`` tag), so the editorial app never
imports the search.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from grapple.helpers import register_streamfield_block
from grapple.models import (
    GraphQLDocument,
    GraphQLEmbed,
    GraphQLImage,
    GraphQLInt,
    GraphQLPage,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
)
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Site

from directory.models import Sector, Skill
from directory.models.structures import CATEGORY_CHOICES, MEMBERSHIP_CHOICES
from lagrappe.current_request import current_request


# First: grapple registers block types in definition order, which orders schema.graphql.
def skill_choices():
    return [(s.slug, s.name) for s in Skill.objects.order_by("name")]


def sector_choices():
    return [(s.slug, s.name) for s in Sector.objects.order_by("name")]


@register_streamfield_block
class DirectoryBlock(blocks.StructBlock):
    """A pre-filtered list of structures (« nos locataires », « les acteurs du compost »),
    with a link to the full search. The ``directory_excerpt`` tag of the directory
    pages app renders it from the search service, so only published structures appear."""

    heading_text = blocks.CharBlock(label="Titre", max_length=120, required=False)
    categories = blocks.MultipleChoiceBlock(label="Catégories", choices=CATEGORY_CHOICES, required=False)
    memberships = blocks.MultipleChoiceBlock(label="Appartenances", choices=MEMBERSHIP_CHOICES, required=False)
    skills = blocks.MultipleChoiceBlock(label="Compétences", choices=skill_choices, required=False)
    sectors = blocks.MultipleChoiceBlock(label="Secteurs", choices=sector_choices, required=False)
    city = blocks.CharBlock(label="Ville", max_length=120, required=False)
    limit = blocks.IntegerBlock(label="Nombre de structures affichées", default=6, min_value=1, max_value=24)

    graphql_fields = [
        GraphQLString("heading_text", description="Titre de l’extrait d’annuaire."),
        GraphQLString("categories", is_list=True, description="Catégories pré-filtrées (identifiants)."),
        GraphQLString("memberships", is_list=True, description="Appartenances pré-filtrées (identifiants)."),
        GraphQLString("skills", is_list=True, description="Compétences pré-filtrées (identifiants)."),
        GraphQLString("sectors", is_list=True, description="Secteurs pré-filtrés (identifiants)."),
        GraphQLString("city", description="Ville pré-filtrée."),
        GraphQLInt("limit", description="Nombre de structures à afficher."),
    ]

    class Meta:
        icon = "group"
        label = "Extrait de l’annuaire"
        template = "blocks/directory_block.html"
        description = "Une liste de structures de l’annuaire, filtrée, avec un lien vers la recherche complète."


# Rich text features offered to editors: enough for prose, nothing that breaks the layout.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


def rendered_site(request=None) -> Site | None:
    """The Site being rendered: the request's (the current one when not given), else the default Site."""
    request = request or current_request()
    if request is not None:
        return Site.find_for_request(request)
    return Site.objects.filter(is_default_site=True).first()


def site_of(page) -> int | None:
    """The id of the Site a page belongs to, from Wagtail's cached root paths (most specific first)."""
    for root in Site.get_site_root_paths():
        if page.url_path.startswith(root.root_path):
            return root.site_id
    return None


def live_public_page(page, request=None):
    """A chosen page, only if a visitor of the Site being rendered may see it.

    A link never reveals a draft, a private page, or a page of another Site (its
    address would lead out of this one, or name a page that Site does not list).
    """
    if page is None:
        return None
    page = page.specific
    if not page.live or page.get_view_restrictions().exists():
        return None
    site = rendered_site(request)
    if site is None or site_of(page) != site.pk:
        return None
    return page


def _request(parent_context):
    return (parent_context or {}).get("request")


@register_streamfield_block
class LinkBlock(blocks.StructBlock):
    """A link to a page of the site or to an external address, with its label."""

    # Not "label": grapple resolves a field name shadowing a Block attribute (label, name) to that attribute.
    link_text = blocks.CharBlock(label="Libellé", max_length=80)
    page = blocks.PageChooserBlock(label="Page du site", required=False)
    url = blocks.URLBlock(label="Adresse externe", required=False, help_text="Si aucune page du site n’est choisie.")

    graphql_fields = [
        GraphQLString("link_text", description="Texte du lien."),
        GraphQLPage("page", source="get_live_page", description="Page du site liée (seulement si elle est publiée)."),
        GraphQLString("url", description="Adresse externe, quand le lien ne pointe pas vers une page du site."),
        GraphQLString(
            "href", source="get_href", description="Adresse à utiliser : celle de la page ou l’adresse externe."
        ),
    ]

    class Meta:
        icon = "link"
        label = "Lien"
        template = "blocks/link_block.html"
        description = "Un lien vers une page du site ou vers un autre site."

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = "Choisissez soit une page du site, soit une adresse externe (l’un des deux, pas les deux)."
            raise blocks.StructBlockValidationError(block_errors={"page": ErrorList([ValidationError(message)])})
        return value

    def get_live_page(self, values=None, **kwargs):
        return live_public_page((values or {}).get("page"))

    def get_href(self, values=None, request=None, **kwargs):
        values = values or {}
        page = live_public_page(values.get("page"), request)
        if page is not None:
            return page.url
        return values.get("url") or None

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["href"] = self.get_href(values=value, request=_request(parent_context))
        return context


@register_streamfield_block
class HeadingBlock(blocks.StructBlock):
    """A section title; the level keeps the document outline correct for screen readers."""

    heading_text = blocks.CharBlock(label="Titre", max_length=120)
    size = blocks.ChoiceBlock(
        label="Niveau",
        choices=[("h2", "Titre de section (h2)"), ("h3", "Sous-titre (h3)"), ("h4", "Intertitre (h4)")],
        default="h2",
    )

    graphql_fields = [
        GraphQLString("heading_text", description="Texte du titre."),
        GraphQLString("size", description="Niveau HTML du titre : h2, h3 ou h4."),
    ]

    class Meta:
        icon = "title"
        label = "Titre"
        template = "blocks/heading_block.html"
        description = "Un titre de section."


@register_streamfield_block
class ParagraphBlock(blocks.StructBlock):
    """Prose: rich text with links to pages and documents."""

    # "rich_text", not "text": GraphQL refuses two `text` fields of different types
    # (this one and CallToActionBlock's plain string) in one selection on the body.
    rich_text = blocks.RichTextBlock(label="Texte", features=RICH_TEXT_FEATURES)

    graphql_fields = [
        GraphQLRichText("rich_text", description="Texte en HTML, liens internes résolus."),
    ]

    class Meta:
        icon = "pilcrow"
        label = "Paragraphe"
        template = "blocks/paragraph_block.html"
        description = "Du texte mis en forme : gras, italique, listes, liens."


@register_streamfield_block
class CaptionedImageBlock(blocks.StructBlock):
    """An image with the alternative text a screen reader speaks and an optional visible caption."""

    image = ImageChooserBlock(label="Image")
    alt_text = blocks.CharBlock(
        label="Texte alternatif",
        max_length=200,
        required=False,
        help_text="Décrit l’image pour les personnes qui ne la voient pas. Laissez vide si l’image est décorative.",
    )
    caption = blocks.CharBlock(label="Légende", max_length=250, required=False)

    graphql_fields = [
        GraphQLImage("image", description="L’image, avec ses déclinaisons (renditions, srcSet)."),
        GraphQLString("alt_text", description="Texte alternatif ; vide si l’image est décorative."),
        GraphQLString("caption", description="Légende affichée sous l’image."),
    ]

    class Meta:
        icon = "image"
        label = "Image"
        template = "blocks/captioned_image_block.html"
        description = "Une image avec son texte alternatif et une légende."


@register_streamfield_block
class QuoteBlock(blocks.StructBlock):
    """A quotation, attributed."""

    quote = blocks.TextBlock(label="Citation")
    attribution = blocks.CharBlock(label="Auteur ou autrice", max_length=120, required=False)

    graphql_fields = [
        GraphQLString("quote", description="Texte de la citation."),
        GraphQLString("attribution", description="Personne ou structure citée."),
    ]

    class Meta:
        icon = "openquote"
        label = "Citation"
        template = "blocks/quote_block.html"
        description = "Une citation mise en valeur."


@register_streamfield_block
class CallToActionBlock(blocks.StructBlock):
    """An invitation to act (apply, register, get in touch) with one button."""

    title = blocks.CharBlock(label="Titre", max_length=120)
    text = blocks.TextBlock(label="Texte", required=False)
    link = LinkBlock(label="Bouton")

    graphql_fields = [
        GraphQLString("title", description="Titre de l’appel à l’action."),
        GraphQLString("text", description="Texte d’accompagnement."),
        GraphQLStreamfield("link", is_list=False, description="Le bouton : libellé et destination."),
    ]

    class Meta:
        icon = "pick"
        label = "Appel à l’action"
        template = "blocks/call_to_action_block.html"
        description = "Un encadré avec un bouton pour inviter à agir."


@register_streamfield_block
class VideoEmbedBlock(blocks.StructBlock):
    """Media embedded from a provider (video, podcast, slides) through oEmbed."""

    embed = EmbedBlock(label="Adresse du média", help_text="Par exemple une vidéo PeerTube, Vimeo ou YouTube.")
    caption = blocks.CharBlock(label="Légende", max_length=250, required=False)

    graphql_fields = [
        GraphQLEmbed("embed", description="Le média intégré : adresse et code HTML fourni par l’hébergeur."),
        GraphQLString("caption", description="Légende du média."),
    ]

    class Meta:
        icon = "media"
        label = "Média intégré"
        template = "blocks/video_embed_block.html"
        description = "Une vidéo ou un autre média hébergé ailleurs."


@register_streamfield_block
class DocumentLinkBlock(blocks.StructBlock):
    """A downloadable document (programme, statutes, application file)."""

    document = DocumentChooserBlock(label="Document")
    link_text = blocks.CharBlock(
        label="Libellé", max_length=120, required=False, help_text="Par défaut, le titre du document."
    )

    graphql_fields = [
        GraphQLDocument("document", description="Le document à télécharger."),
        GraphQLString("link_text", description="Libellé du lien ; vide pour utiliser le titre du document."),
    ]

    class Meta:
        icon = "doc-full"
        label = "Document"
        template = "blocks/document_link_block.html"
        description = "Un lien de téléchargement vers un document."


@register_streamfield_block
class FaqItemBlock(blocks.StructBlock):
    """One question and its answer."""

    question = blocks.CharBlock(label="Question", max_length=250)
    answer = blocks.RichTextBlock(label="Réponse", features=RICH_TEXT_FEATURES)

    graphql_fields = [
        GraphQLString("question", description="La question."),
        GraphQLRichText("answer", description="La réponse, en HTML."),
    ]

    class Meta:
        icon = "help"
        label = "Question"


@register_streamfield_block
class FaqBlock(blocks.StructBlock):
    """Questions and answers shown as an accordion (native <details>, works without JavaScript)."""

    title = blocks.CharBlock(label="Titre", max_length=120, required=False)
    items = blocks.ListBlock(FaqItemBlock(), label="Questions", min_num=1)

    graphql_fields = [
        GraphQLString("title", description="Titre de la foire aux questions."),
        GraphQLStreamfield("items", description="Les questions et leurs réponses (FaqItemBlock)."),
    ]

    class Meta:
        icon = "list-ul"
        label = "Questions fréquentes"
        template = "blocks/faq_block.html"
        description = "Des questions-réponses dépliables (accordéon)."


@register_streamfield_block
class HighlightBlock(blocks.StructBlock):
    """A card on the home page: what LaGrappe offers, in a few words."""

    title = blocks.CharBlock(label="Titre", max_length=80)
    text = blocks.TextBlock(label="Texte", required=False)
    image = ImageChooserBlock(label="Image", required=False)
    page = blocks.PageChooserBlock(label="Page « En savoir plus »", required=False)

    graphql_fields = [
        GraphQLString("title", description="Titre de la carte."),
        GraphQLString("text", description="Texte court."),
        GraphQLImage("image", description="Image décorative de la carte."),
        GraphQLPage("page", source="get_live_page", description="Page liée (seulement si elle est publiée)."),
    ]

    class Meta:
        icon = "pick"
        label = "Temps fort"
        template = "blocks/highlight_block.html"
        description = "Une carte de la page d’accueil."

    def get_live_page(self, values=None, **kwargs):
        return live_public_page((values or {}).get("page"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["linked_page"] = live_public_page(value.get("page"), _request(parent_context))
        return context


# The content body, as a named list other apps can import and extend.
CONTENT_BLOCKS = [
    ("heading", HeadingBlock()),
    ("paragraph", ParagraphBlock()),
    ("image", CaptionedImageBlock()),
    ("quote", QuoteBlock()),
    ("call_to_action", CallToActionBlock()),
    ("embed", VideoEmbedBlock()),
    ("document", DocumentLinkBlock()),
    ("faq", FaqBlock()),
]


class ContentStreamBlock(blocks.StreamBlock):
    """The body of content, event and news pages; subclass it to add blocks from another app."""

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    embed = VideoEmbedBlock()
    document = DocumentLinkBlock()
    faq = FaqBlock()
    directory = DirectoryBlock()  # a pre-filtered excerpt of the directory


class NavigationStreamBlock(blocks.StreamBlock):
    """Links of a menu (main menu, footer)."""

    link = LinkBlock()
