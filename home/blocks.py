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


def _graphql_field(name, block, description):
    """The grapple field for one child block: the one place a block type maps to a GraphQL type."""
    if isinstance(block, EmbedBlock):  # before URLBlock, its parent
        return GraphQLEmbed(name, description=description)
    if isinstance(block, blocks.MultipleChoiceBlock):
        return GraphQLString(name, is_list=True, description=description)
    if isinstance(block, (blocks.CharBlock, blocks.TextBlock, blocks.ChoiceBlock, blocks.URLBlock)):
        return GraphQLString(name, description=description)
    if isinstance(block, blocks.IntegerBlock):
        return GraphQLInt(name, description=description)
    if isinstance(block, blocks.RichTextBlock):
        return GraphQLRichText(name, description=description)
    if isinstance(block, ImageChooserBlock):
        return GraphQLImage(name, description=description)
    if isinstance(block, DocumentChooserBlock):
        return GraphQLDocument(name, description=description)
    if isinstance(block, blocks.PageChooserBlock):
        # Through get_live_page: a draft, private or other Site's page is never returned.
        return GraphQLPage(name, source="get_live_page", description=description)
    if isinstance(block, blocks.ListBlock):
        return GraphQLStreamfield(name, description=description)
    if isinstance(block, blocks.StructBlock):
        return GraphQLStreamfield(name, is_list=False, description=description)
    raise TypeError(f"{type(block).__name__} has no GraphQL mapping: add it to _graphql_field")


def graphql_fields_from_blocks(**descriptions):
    """Class decorator: ``graphql_fields`` from the StructBlock's child blocks, in their order.

    Each child block must be given its description (every GraphQL field has one);
    fields the class declares itself (computed ones) follow. A page chooser is
    answered by ``get_live_page``, provided here unless the class has its own.
    """

    def decorate(cls):
        missing = set(cls.base_blocks) ^ set(descriptions)
        if missing:
            raise TypeError(f"{cls.__name__}: describe exactly its child blocks (mismatch: {sorted(missing)})")
        generated = [_graphql_field(name, block, descriptions[name]) for name, block in cls.base_blocks.items()]
        cls.graphql_fields = generated + list(cls.__dict__.get("graphql_fields", []))
        choosers_page = any(isinstance(block, blocks.PageChooserBlock) for block in cls.base_blocks.values())
        if choosers_page and not hasattr(cls, "get_live_page"):
            cls.get_live_page = _get_live_page
        return cls

    return decorate


def _get_live_page(self, values=None, **kwargs):
    return live_public_page((values or {}).get("page"))


@register_streamfield_block
@graphql_fields_from_blocks(
    heading_text="Titre de l’extrait d’annuaire.",
    categories="Catégories pré-filtrées (identifiants).",
    memberships="Appartenances pré-filtrées (identifiants).",
    skills="Compétences pré-filtrées (identifiants).",
    sectors="Secteurs pré-filtrés (identifiants).",
    city="Ville pré-filtrée.",
    limit="Nombre de structures à afficher.",
)
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
@graphql_fields_from_blocks(
    link_text="Texte du lien.",
    page="Page du site liée (seulement si elle est publiée).",
    url="Adresse externe, quand le lien ne pointe pas vers une page du site.",
)
class LinkBlock(blocks.StructBlock):
    """A link to a page of the site or to an external address, with its label."""

    # Not "label": grapple resolves a field name shadowing a Block attribute (label, name) to that attribute.
    link_text = blocks.CharBlock(label="Libellé", max_length=80)
    page = blocks.PageChooserBlock(label="Page du site", required=False)
    url = blocks.URLBlock(label="Adresse externe", required=False, help_text="Si aucune page du site n’est choisie.")

    # Computed, after the child blocks' fields (@graphql_fields_from_blocks).
    graphql_fields = [
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
@graphql_fields_from_blocks(
    heading_text="Texte du titre.",
    size="Niveau HTML du titre : h2, h3 ou h4.",
)
class HeadingBlock(blocks.StructBlock):
    """A section title; the level keeps the document outline correct for screen readers."""

    heading_text = blocks.CharBlock(label="Titre", max_length=120)
    size = blocks.ChoiceBlock(
        label="Niveau",
        choices=[("h2", "Titre de section (h2)"), ("h3", "Sous-titre (h3)"), ("h4", "Intertitre (h4)")],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = "Titre"
        template = "blocks/heading_block.html"
        description = "Un titre de section."


@register_streamfield_block
@graphql_fields_from_blocks(
    rich_text="Texte en HTML, liens internes résolus.",
)
class ParagraphBlock(blocks.StructBlock):
    """Prose: rich text with links to pages and documents."""

    # "rich_text", not "text": GraphQL refuses two `text` fields of different types
    # (this one and CallToActionBlock's plain string) in one selection on the body.
    rich_text = blocks.RichTextBlock(label="Texte", features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "pilcrow"
        label = "Paragraphe"
        template = "blocks/paragraph_block.html"
        description = "Du texte mis en forme : gras, italique, listes, liens."


@register_streamfield_block
@graphql_fields_from_blocks(
    image="L’image, avec ses déclinaisons (renditions, srcSet).",
    alt_text="Texte alternatif ; vide si l’image est décorative.",
    caption="Légende affichée sous l’image.",
)
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

    class Meta:
        icon = "image"
        label = "Image"
        template = "blocks/captioned_image_block.html"
        description = "Une image avec son texte alternatif et une légende."


@register_streamfield_block
@graphql_fields_from_blocks(
    quote="Texte de la citation.",
    attribution="Personne ou structure citée.",
)
class QuoteBlock(blocks.StructBlock):
    """A quotation, attributed."""

    quote = blocks.TextBlock(label="Citation")
    attribution = blocks.CharBlock(label="Auteur ou autrice", max_length=120, required=False)

    class Meta:
        icon = "openquote"
        label = "Citation"
        template = "blocks/quote_block.html"
        description = "Une citation mise en valeur."


@register_streamfield_block
@graphql_fields_from_blocks(
    title="Titre de l’appel à l’action.",
    text="Texte d’accompagnement.",
    link="Le bouton : libellé et destination.",
)
class CallToActionBlock(blocks.StructBlock):
    """An invitation to act (apply, register, get in touch) with one button."""

    title = blocks.CharBlock(label="Titre", max_length=120)
    text = blocks.TextBlock(label="Texte", required=False)
    link = LinkBlock(label="Bouton")

    class Meta:
        icon = "pick"
        label = "Appel à l’action"
        template = "blocks/call_to_action_block.html"
        description = "Un encadré avec un bouton pour inviter à agir."


@register_streamfield_block
@graphql_fields_from_blocks(
    embed="Le média intégré : adresse et code HTML fourni par l’hébergeur.",
    caption="Légende du média.",
)
class VideoEmbedBlock(blocks.StructBlock):
    """Media embedded from a provider (video, podcast, slides) through oEmbed."""

    embed = EmbedBlock(label="Adresse du média", help_text="Par exemple une vidéo PeerTube, Vimeo ou YouTube.")
    caption = blocks.CharBlock(label="Légende", max_length=250, required=False)

    class Meta:
        icon = "media"
        label = "Média intégré"
        template = "blocks/video_embed_block.html"
        description = "Une vidéo ou un autre média hébergé ailleurs."


@register_streamfield_block
@graphql_fields_from_blocks(
    document="Le document à télécharger.",
    link_text="Libellé du lien ; vide pour utiliser le titre du document.",
)
class DocumentLinkBlock(blocks.StructBlock):
    """A downloadable document (programme, statutes, application file)."""

    document = DocumentChooserBlock(label="Document")
    link_text = blocks.CharBlock(
        label="Libellé", max_length=120, required=False, help_text="Par défaut, le titre du document."
    )

    class Meta:
        icon = "doc-full"
        label = "Document"
        template = "blocks/document_link_block.html"
        description = "Un lien de téléchargement vers un document."


@register_streamfield_block
@graphql_fields_from_blocks(
    question="La question.",
    answer="La réponse, en HTML.",
)
class FaqItemBlock(blocks.StructBlock):
    """One question and its answer."""

    question = blocks.CharBlock(label="Question", max_length=250)
    answer = blocks.RichTextBlock(label="Réponse", features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = "Question"


@register_streamfield_block
@graphql_fields_from_blocks(
    title="Titre de la foire aux questions.",
    items="Les questions et leurs réponses (FaqItemBlock).",
)
class FaqBlock(blocks.StructBlock):
    """Questions and answers shown as an accordion (native <details>, works without JavaScript)."""

    title = blocks.CharBlock(label="Titre", max_length=120, required=False)
    items = blocks.ListBlock(FaqItemBlock(), label="Questions", min_num=1)

    class Meta:
        icon = "list-ul"
        label = "Questions fréquentes"
        template = "blocks/faq_block.html"
        description = "Des questions-réponses dépliables (accordéon)."


@register_streamfield_block
@graphql_fields_from_blocks(
    title="Titre de la carte.",
    text="Texte court.",
    image="Image décorative de la carte.",
    page="Page liée (seulement si elle est publiée).",
)
class HighlightBlock(blocks.StructBlock):
    """A card on the home page: what LaGrappe offers, in a few words."""

    title = blocks.CharBlock(label="Titre", max_length=80)
    text = blocks.TextBlock(label="Texte", required=False)
    image = ImageChooserBlock(label="Image", required=False)
    page = blocks.PageChooserBlock(label="Page « En savoir plus »", required=False)

    class Meta:
        icon = "pick"
        label = "Temps fort"
        template = "blocks/highlight_block.html"
        description = "Une carte de la page d’accueil."

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
