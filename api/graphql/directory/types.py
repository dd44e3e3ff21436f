"""GraphQL types of the directory.

Plain ``graphene.ObjectType`` classes over the models (not DjangoObjectType):
partners code against these names, so every exposed field is listed here on
purpose and a model field added later never leaks into the API by itself.
Resolvers read what ``Structure.objects.with_related()`` prefetched; no
resolver issues a query per item (see ``dataloaders``).
"""

import graphene
from grapple.types.images import get_image_type

from .dataloaders import (
    AbsoluteUrlByPathLoader,
    PublishedStructureCountBySkillLoader,
    SkillDomainByIdLoader,
    SkillsByDomainLoader,
)


class DirectorySort(graphene.Enum):
    """Order of search results."""

    RELEVANCE = "relevance"
    NAME = "name"
    NEWEST = "newest"
    DISTANCE = "distance"

    @property
    def description(self):
        return {
            DirectorySort.RELEVANCE: "Les plus pertinents d’abord (par défaut).",
            DirectorySort.NAME: "Par nom, de A à Z.",
            DirectorySort.NEWEST: "Les dernières adhésions d’abord.",
            DirectorySort.DISTANCE: "Les plus proches du point `near` d’abord (demande `near`).",
        }.get(self)


class GeoPointInput(graphene.InputObjectType):
    """A point and a radius: structures within `radiusKm` kilometres of it."""

    latitude = graphene.Float(required=True, description="Latitude en degrés décimaux (WGS 84), entre -90 et 90.")
    longitude = graphene.Float(required=True, description="Longitude en degrés décimaux (WGS 84), entre -180 et 180.")
    radius_km = graphene.Float(required=True, description="Rayon en kilomètres, strictement positif, au plus 1000.")


class SectorType(graphene.ObjectType):
    """A thematic sector of sustainable development (alimentation, mobilité…)."""

    slug = graphene.String(required=True, description="Identifiant stable, utilisable comme filtre `sectors`.")
    name = graphene.String(required=True, description="Nom du secteur, en français.")
    synonyms = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Termes et sigles que les visiteurs tapent pour ce secteur (la recherche les comprend).",
    )

    class Meta:
        name = "Sector"

    @staticmethod
    def resolve_synonyms(sector, info):
        return sector.synonym_list


class SkillDomainType(graphene.ObjectType):
    """A family of skills (« Énergie & climat »)."""

    slug = graphene.String(
        required=True, description="Identifiant stable, utilisable comme argument `domain` de `skills`."
    )
    name = graphene.String(required=True, description="Nom du domaine, en français.")
    synonyms = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Termes et sigles que les visiteurs tapent pour ce domaine (« ESS ») : "
        "la recherche trouve les structures de toutes ses compétences.",
    )
    skills = graphene.List(
        graphene.NonNull(lambda: SkillType), required=True, description="Compétences du domaine, par nom."
    )

    class Meta:
        name = "SkillDomain"

    @staticmethod
    def resolve_synonyms(domain, info):
        return domain.synonym_list

    @staticmethod
    def resolve_skills(domain, info):
        return SkillsByDomainLoader.for_info(info).load(domain.id, [])


class SkillType(graphene.ObjectType):
    """A skill (compétence) structures and people hold."""

    slug = graphene.String(required=True, description="Identifiant stable, utilisable comme filtre `skills`.")
    name = graphene.String(required=True, description="Nom de la compétence, en français.")
    domain = graphene.Field(SkillDomainType, description="Domaine de la compétence, s’il y en a un.")
    synonyms = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Termes que les visiteurs tapent pour cette compétence (la recherche les comprend).",
    )
    structure_count = graphene.Int(required=True, description="Nombre de structures publiées qui ont cette compétence.")

    class Meta:
        name = "Skill"

    @staticmethod
    def resolve_domain(skill, info):
        if skill.domain_id is None:
            return None
        return SkillDomainByIdLoader.for_info(info).load(skill.domain_id)

    @staticmethod
    def resolve_synonyms(skill, info):
        return skill.synonym_list

    @staticmethod
    def resolve_structure_count(skill, info):
        # Annotated by the `skills` query; looked up in one grouped query otherwise.
        annotated = getattr(skill, "published_structure_count", None)
        if annotated is not None:
            return annotated
        return PublishedStructureCountBySkillLoader.for_info(info).load(skill.id, 0)


class MembershipType(graphene.ObjectType):
    """How a structure belongs to the network."""

    slug = graphene.String(
        required=True, description="`cluster`, `locataire`, `partenaire` ou `reseau` (filtre `memberships`)."
    )
    name = graphene.String(required=True, description="Libellé en français.")

    class Meta:
        name = "Membership"


class PersonType(graphene.ObjectType):
    """A contact person of a structure who consented to appear publicly."""

    first_name = graphene.String(required=True, description="Prénom.")
    last_name = graphene.String(required=True, description="Nom.")
    full_name = graphene.String(required=True, description="Prénom et nom.")
    role = graphene.String(required=True, description="Rôle dans la structure (peut être vide).")
    email = graphene.String(required=True, description="Adresse e-mail publique (peut être vide).")
    phone = graphene.String(required=True, description="Téléphone public (peut être vide).")
    skills = graphene.List(graphene.NonNull(SkillType), required=True, description="Compétences de la personne.")

    class Meta:
        name = "Person"

    @staticmethod
    def resolve_skills(person, info):
        # A search page loads its people's skills in one query for the page (``page_skills``).
        listed = getattr(person, "page_skills", None)
        return person.skills.all() if listed is None else listed


class StructureType(graphene.ObjectType):
    """A published structure of the network: who it is, what it can do, where, how to reach it."""

    slug = graphene.String(required=True, description="Identifiant stable, dans l’adresse du profil.")
    name = graphene.String(required=True, description="Nom de la structure.")
    category = graphene.String(
        required=True, description="Catégorie : `individuel`, `collectif` ou `territoire` (filtre `categories`)."
    )
    category_label = graphene.String(
        required=True, description="Libellé français de la catégorie (« Projet collectif »)."
    )
    legal_form = graphene.String(
        required=True, description="Forme juridique (association, SCOP, SAS…), peut être vide."
    )
    memberships = graphene.List(graphene.NonNull(MembershipType), required=True, description="Appartenances au réseau.")
    summary = graphene.String(required=True, description="Résumé en une phrase (300 caractères au plus).")
    description = graphene.String(required=True, description="Présentation, en texte brut.")
    logo = graphene.Field(
        lambda: get_image_type(),
        description="Logo (image Wagtail : `rendition` et `srcSet` acceptent les filtres autorisés seulement).",
    )
    website = graphene.String(required=True, description="Site web, peut être vide.")
    email = graphene.String(required=True, description="E-mail de contact de la structure, peut être vide.")
    phone = graphene.String(required=True, description="Téléphone de la structure, peut être vide.")
    address = graphene.String(required=True, description="Adresse postale (rue), peut être vide.")
    postcode = graphene.String(required=True, description="Code postal, peut être vide.")
    city = graphene.String(required=True, description="Ville, peut être vide.")
    latitude = graphene.Float(description="Latitude (WGS 84), si la structure est localisée.")
    longitude = graphene.Float(description="Longitude (WGS 84), si la structure est localisée.")
    founded = graphene.Int(description="Année de création.")
    joined = graphene.Date(description="Date d’adhésion au réseau.")
    skills = graphene.List(graphene.NonNull(SkillType), required=True, description="Compétences, par nom.")
    sectors = graphene.List(graphene.NonNull(SectorType), required=True, description="Secteurs, par nom.")
    people = graphene.List(
        graphene.NonNull(PersonType),
        required=True,
        description="Personnes contacts qui ont consenti à apparaître publiquement (les autres ne sortent jamais).",
    )
    url = graphene.String(required=True, description="Adresse absolue du profil public de la structure.")

    class Meta:
        name = "Structure"

    @staticmethod
    def resolve_memberships(structure, info):
        return structure.memberships.all()

    @staticmethod
    def resolve_skills(structure, info):
        return structure.skills.all()

    @staticmethod
    def resolve_sectors(structure, info):
        return structure.sectors.all()

    @staticmethod
    def resolve_people(structure, info):
        # Visibility lives on the queryset (Person.objects.public(), prefetched by with_related()).
        return structure.get_public_people()

    @staticmethod
    def resolve_url(structure, info):
        path = structure.get_absolute_url()
        if hasattr(info.context, "build_absolute_uri"):
            return AbsoluteUrlByPathLoader.for_info(info).load(path)
        return path


class PageNumbersFields(graphene.ObjectType):
    """Where a page of results sits in the whole list: the fields every paginated answer has."""

    total = graphene.Int(required=True, description="Nombre total de résultats.")
    page = graphene.Int(required=True, description="Numéro de la page renvoyée (à partir de 1).")
    per_page = graphene.Int(required=True, description="Taille de page demandée.")
    total_pages = graphene.Int(required=True, description="Nombre de pages (au moins 1).")

    class Meta:
        abstract = True


class PaginationType(PageNumbersFields):
    """Where a page of results sits in the whole list."""

    class Meta:
        name = "Pagination"


class StructureListType(graphene.ObjectType):
    """A page of published structures, ordered by name."""

    items = graphene.List(graphene.NonNull(StructureType), required=True, description="Les structures de la page.")
    pagination = graphene.Field(PaginationType, required=True, description="Position de la page dans la liste.")

    class Meta:
        name = "StructureList"


class HighlightType(graphene.ObjectType):
    """Where the search text matched in a hit."""

    field = graphene.String(required=True, description="Champ concerné : `name`, `summary`, `description`, `skills`…")
    fragments = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Extraits HTML échappés, les correspondances entourées de <mark>…</mark>.",
    )

    class Meta:
        name = "DirectorySearchHighlight"


class SearchHitType(graphene.ObjectType):
    """One structure found by `directorySearch`."""

    structure = graphene.Field(StructureType, required=True, description="La structure trouvée (publiée).")
    score = graphene.Float(description="Score de pertinence du moteur (absent pour les tris non pertinents).")
    distance_km = graphene.Float(description="Distance au point `near`, en kilomètres (si `near` est donné).")
    highlights = graphene.List(
        graphene.NonNull(HighlightType), required=True, description="Passages où le texte recherché apparaît."
    )

    class Meta:
        name = "DirectorySearchHit"


class FacetValueType(graphene.ObjectType):
    """One value of a facet and how many results have it."""

    value = graphene.String(required=True, description="Valeur à repasser en filtre (identifiant, ou nom de ville).")
    label = graphene.String(required=True, description="Libellé en français.")
    count = graphene.Int(required=True, description="Nombre de résultats ayant cette valeur, avec les autres filtres.")

    class Meta:
        name = "DirectoryFacetValue"


class FacetsType(graphene.ObjectType):
    """Counts per filter value, to build the filter panel."""

    categories = graphene.List(graphene.NonNull(FacetValueType), required=True, description="Par catégorie.")
    memberships = graphene.List(graphene.NonNull(FacetValueType), required=True, description="Par appartenance.")
    skills = graphene.List(graphene.NonNull(FacetValueType), required=True, description="Par compétence.")
    sectors = graphene.List(graphene.NonNull(FacetValueType), required=True, description="Par secteur.")
    cities = graphene.List(graphene.NonNull(FacetValueType), required=True, description="Par ville.")

    class Meta:
        name = "DirectoryFacets"

    @staticmethod
    def _facet(facets, name):
        return facets.get(name, [])

    def resolve_categories(facets, info):
        return FacetsType._facet(facets, "categories")

    def resolve_memberships(facets, info):
        return FacetsType._facet(facets, "memberships")

    def resolve_skills(facets, info):
        return FacetsType._facet(facets, "skills")

    def resolve_sectors(facets, info):
        return FacetsType._facet(facets, "sectors")

    def resolve_cities(facets, info):
        return FacetsType._facet(facets, "cities")


class DirectorySearchResultType(PageNumbersFields):
    """A page of search results with its facets."""

    engine = graphene.String(
        required=True, description="Moteur qui a répondu : `elasticsearch`, `opensearch` ou `database`."
    )
    degraded = graphene.Boolean(
        required=True,
        description="Vrai quand le moteur configuré était injoignable et que la base a répondu à sa place.",
    )
    suggestion = graphene.String(description="Orthographe suggérée par le moteur, s’il en a une.")
    ignored_words = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Mots de la recherche laissés de côté, tels que tapés, parce qu’aucune structure ne "
        "répondait à tous les mots (« Résultats sans “cherche” ») ; vide quand chaque mot a compté.",
    )
    searched_text = graphene.String(
        description="Texte réellement cherché quand il diffère de `query` (mots collés ou séparés, "
        "mots laissés de côté) ; null sinon.",
    )
    hits = graphene.List(graphene.NonNull(SearchHitType), required=True, description="Les structures de la page.")
    facets = graphene.Field(FacetsType, required=True, description="Décomptes par valeur de filtre.")

    class Meta:
        name = "DirectorySearchResult"


class SuggestionType(graphene.ObjectType):
    """An autocomplete proposal."""

    kind = graphene.String(required=True, description="`structure` ou `skill`.")
    label = graphene.String(required=True, description="Texte à afficher.")
    slug = graphene.String(
        required=True,
        description="Identifiant : `structure(slug:)` pour une structure, filtre `skills` pour une compétence.",
    )

    class Meta:
        name = "DirectorySuggestion"
