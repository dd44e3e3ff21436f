"""The directory's root query fields, as a mixin for grapple's root ``Query``.

Registered by ``api/wagtail_hooks.py`` (``register_schema_query``). Resolvers
build a validated ``SearchQuery`` (``filters``), then ask the querysets
(``resolvers``) or the search service; they never check visibility themselves.
"""

import graphene

from api.visibility import Visibility
from search import service
from search.service import MAX_SUGGESTIONS
from search.types import DEFAULT_PER_PAGE, MAX_PER_PAGE, InvalidSearchQuery

from . import resolvers
from .filters import bad_argument, build_search_query
from .selection import selected_fields
from .types import (
    DirectorySearchResultType,
    DirectorySort,
    GeoPointInput,
    PaginationType,
    SectorType,
    SkillDomainType,
    SkillType,
    StructureListType,
    StructureType,
    SuggestionType,
)


def filter_arguments():
    """Arguments shared by `structures` and `directorySearch` (same names, same meaning)."""
    return {
        "categories": graphene.List(
            graphene.NonNull(graphene.String),
            description="Catégories : `individuel`, `collectif`, `territoire` (au moins une).",
        ),
        "memberships": graphene.List(
            graphene.NonNull(graphene.String),
            description="Appartenances : `cluster`, `locataire`, `partenaire`, `reseau` (au moins une).",
        ),
        "skills": graphene.List(
            graphene.NonNull(graphene.String), description="Identifiants de compétences (au moins une)."
        ),
        "sectors": graphene.List(
            graphene.NonNull(graphene.String), description="Identifiants de secteurs (au moins un)."
        ),
        "city": graphene.String(description="Ville exacte (insensible à la casse)."),
        "page": graphene.Int(default_value=1, description="Numéro de page, à partir de 1."),
        "per_page": graphene.Int(
            default_value=DEFAULT_PER_PAGE, description=f"Résultats par page, de 1 à {MAX_PER_PAGE}."
        ),
    }


class DirectoryQueries:
    """Directory and search queries for partner sites."""

    directory_search = graphene.Field(
        DirectorySearchResultType,
        required=True,
        description="Recherche à facettes dans l’annuaire (structures publiées seulement), comme la page de recherche du site.",
        query=graphene.String(
            description="Texte recherché (nom, compétences et leurs synonymes, présentation, ville)."
        ),
        near=graphene.Argument(
            GeoPointInput, description="Seulement les structures à moins de `radiusKm` de ce point."
        ),
        sort=graphene.Argument(DirectorySort, description="Ordre des résultats (RELEVANCE par défaut)."),
        **filter_arguments(),
    )
    directory_suggest = graphene.List(
        graphene.NonNull(SuggestionType),
        required=True,
        description="Autocomplétion : structures et compétences dont le nom commence par le préfixe.",
        prefix=graphene.String(required=True, description="Début de mot tapé par le visiteur."),
        limit=graphene.Int(default_value=8, description=f"Nombre de propositions, de 1 à {MAX_SUGGESTIONS}."),
    )
    structure = graphene.Field(
        StructureType,
        description="Une structure par son identifiant ; null si elle n’existe pas ou n’est pas publiée.",
        slug=graphene.String(required=True, description="Identifiant de la structure (dans l’adresse de son profil)."),
    )
    structures = graphene.Field(
        StructureListType,
        required=True,
        description="Structures publiées, par nom, filtrées et paginées.",
        **filter_arguments(),
    )
    skills = graphene.List(
        graphene.NonNull(SkillType),
        required=True,
        description="Compétences, par nom.",
        domain=graphene.String(description="Seulement les compétences de ce domaine (identifiant)."),
    )
    skill_domains = graphene.List(
        graphene.NonNull(SkillDomainType), required=True, description="Domaines de compétences, dans l’ordre éditorial."
    )
    sectors = graphene.List(graphene.NonNull(SectorType), required=True, description="Secteurs, par nom.")

    def resolve_directory_search(self, info, **kwargs):
        search_query = build_search_query(**kwargs)
        try:
            result = service.search_structures(search_query)
        except InvalidSearchQuery as exc:
            raise bad_argument(exc) from exc
        # The service read every hit as published (its check, or the database's query) a moment ago.
        Visibility.for_request(info.context).vouch_published(hit.structure.pk for hit in result.hits)
        return resolvers.with_hit_structures(result, selected_fields(info, "hits", "structure"))

    def resolve_directory_suggest(self, info, prefix, limit=8):
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise bad_argument(InvalidSearchQuery("limit", f"limit doit être compris entre 1 et {MAX_SUGGESTIONS}"))
        prefix = (prefix or "").strip()
        if not prefix:
            return []
        try:
            return service.suggest(prefix, limit)
        except InvalidSearchQuery as exc:
            raise bad_argument(exc) from exc

    def resolve_structure(self, info, slug):
        return resolvers.resolve_structure(slug)

    def resolve_structures(self, info, **kwargs):
        search_query = build_search_query(**kwargs)
        total, items = resolvers.resolve_structures_page(search_query)
        total_pages = max(1, -(-total // search_query.per_page))
        pagination = PaginationType(
            total=total, page=search_query.page, per_page=search_query.per_page, total_pages=total_pages
        )
        return StructureListType(items=items, pagination=pagination)

    def resolve_skills(self, info, domain=None):
        return resolvers.skills_queryset(domain)

    def resolve_skill_domains(self, info):
        return resolvers.skill_domains_queryset()

    def resolve_sectors(self, info):
        return resolvers.sectors_queryset()
