"""StreamField block that shows an excerpt of the directory inside an editorial page."""

from urllib.parse import urlencode

from grapple.helpers import register_streamfield_block
from grapple.models import GraphQLInt, GraphQLString
from wagtail import blocks

from directory.models.structures import CATEGORY_CHOICES, MEMBERSHIP_CHOICES
from search.types import SearchQuery


def skill_choices():
    from directory.models import Skill

    return [(s.slug, s.name) for s in Skill.objects.order_by("name")]


def sector_choices():
    from directory.models import Sector

    return [(s.slug, s.name) for s in Sector.objects.order_by("name")]


@register_streamfield_block
class DirectoryBlock(blocks.StructBlock):
    """A pre-filtered list of structures (« nos locataires », « les acteurs du compost »),
    with a link to the full search. Results come from the search service, so only
    published structures appear."""

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
        template = "search/blocks/directory_block.html"
        description = "Une liste de structures de l’annuaire, filtrée, avec un lien vers la recherche complète."

    def get_context(self, value, parent_context=None):
        from search import service
        from search.pages import DirectorySearchPage

        context = super().get_context(value, parent_context=parent_context)
        filters = {name: list(value.get(name) or []) for name in ("categories", "memberships", "skills", "sectors")}
        city = (value.get("city") or "").strip()
        query = SearchQuery(**filters, city=city or None, sort="name", per_page=value.get("limit") or 6)
        result = service.search_structures(query)
        params = [(name, v) for name, values in filters.items() for v in values] + ([("city", city)] if city else [])
        # « Voir tout » leads to the unfiltered directory page (not « Locataires permanents »).
        directory = next(
            (p for p in DirectorySearchPage.objects.live().public().order_by("path") if not p.prefilters.locked), None
        )
        more_url = None
        if directory is not None:
            more_url = directory.url + (("?" + urlencode(params)) if params else "")
        context.update({"result": result, "structures": [hit.structure for hit in result.hits], "more_url": more_url})
        return context
