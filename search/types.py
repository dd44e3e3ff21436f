"""The search service's contract: what pages and GraphQL pass in and get back.

Both backends (the engine, ``search.engine``; the database, ``search.database``)
take a ``SearchQuery`` and return a ``SearchResult``. How a query's filters map
to facets is said once, here (``SearchQuery.selected_facets``), and so is which
category and membership values exist (``unknown_choices``).
"""

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from directory.models.structures import CATEGORY_LABELS, MEMBERSHIP_LABELS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_QUERY_LENGTH = 200
SORTS = ("relevance", "name", "newest", "distance")
FACET_NAMES = ("categories", "memberships", "skills", "sectors", "cities")
# How many values each facet lists (the engine asks for as many buckets).
FACET_SIZES = {"categories": 10, "memberships": 10, "skills": 50, "sectors": 50, "cities": 50}
# Facets whose values are a list field of the same name on SearchQuery (``cities`` is ``city``).
LIST_FACETS = ("categories", "memberships", "skills", "sectors")
# Facets whose values are a fixed list: an unknown value is a mistake, not an empty result.
CHOICES = {"categories": CATEGORY_LABELS, "memberships": MEMBERSHIP_LABELS}


def unknown_choices(facet: str, values) -> list[str]:
    """Values of ``categories`` or ``memberships`` that do not exist (any value of another facet may)."""
    known = CHOICES.get(facet)
    return [] if known is None else [v for v in values if v not in known]


class InvalidSearchQuery(ValueError):
    """A search argument is wrong; ``argument`` names it (for forms and GraphQL errors)."""

    def __init__(self, argument: str, message: str):
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float
    radius_km: float


@dataclass
class SearchQuery:
    text: str = ""
    categories: list[str] = field(default_factory=list)
    memberships: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # skill slugs
    sectors: list[str] = field(default_factory=list)  # sector slugs
    city: str | None = None
    near: GeoPoint | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    # Not a visitor's argument: structures the service hides while their change is not indexed.
    hidden_ids: tuple[int, ...] = ()
    # Set by the service when no change waits to be indexed: what is cached under the index
    # generation (``search.generation``) is then current, and costs no SQL query to check.
    settled: bool = False
    # Not visitor arguments either: read off the text by ``base.prepare``, honoured by every backend.
    # Folded words of the text that name a town: they rank that town's structures first, never filter.
    town_words: tuple[str, ...] = ()
    # Slugs of the skills the text names (by name, synonym or domain): each one a structure holds adds.
    boost_skills: tuple[str, ...] = ()

    def selected_facets(self) -> dict[str, list[str]]:
        """The filters as facet values, every facet of FACET_NAMES present: the one filter -> facet mapping.

        ``cities`` holds the city, stripped, when there is one. Both backends filter
        and count with it, the pages draw their facets and hints from it.
        """
        city = (self.city or "").strip()
        return {**{name: list(getattr(self, name)) for name in LIST_FACETS}, "cities": [city] if city else []}

    @property
    def has_criteria(self) -> bool:
        """True when the visitor asked for something (text, a filter, a distance), not the plain listing."""
        return bool(self.text or self.near or any(self.selected_facets().values()))

    def validate(self) -> "SearchQuery":
        """Raise InvalidSearchQuery naming the argument at fault; return self when fine."""
        unknown = unknown_choices("categories", self.categories)
        if unknown:
            raise InvalidSearchQuery(
                "categories", f"catégorie inconnue {unknown[0]!r} (valeurs possibles : {', '.join(CATEGORY_LABELS)})"
            )
        unknown = unknown_choices("memberships", self.memberships)
        if unknown:
            raise InvalidSearchQuery(
                "memberships",
                f"appartenance inconnue {unknown[0]!r} (valeurs possibles : {', '.join(MEMBERSHIP_LABELS)})",
            )
        if self.sort not in SORTS:
            raise InvalidSearchQuery("sort", f"tri inconnu {self.sort!r} (valeurs possibles : {', '.join(SORTS)})")
        if self.sort == "distance" and self.near is None:
            raise InvalidSearchQuery("sort", "le tri par distance demande un point de référence (near)")
        if self.page < 1:
            raise InvalidSearchQuery("page", "la page doit être supérieure ou égale à 1")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidSearchQuery("perPage", f"perPage doit être compris entre 1 et {MAX_PER_PAGE}")
        if self.near is not None:
            if not -90 <= self.near.latitude <= 90:
                raise InvalidSearchQuery("near.latitude", "la latitude doit être comprise entre -90 et 90")
            if not -180 <= self.near.longitude <= 180:
                raise InvalidSearchQuery("near.longitude", "la longitude doit être comprise entre -180 et 180")
            if not 0 < self.near.radius_km <= 1000:
                raise InvalidSearchQuery("near.radiusKm", "le rayon doit être strictement positif et au plus 1000 km")
        if self.text and len(self.text) > MAX_QUERY_LENGTH:
            raise InvalidSearchQuery("query", f"la recherche ne doit pas dépasser {MAX_QUERY_LENGTH} caractères")
        return self


@dataclass
class Highlight:
    field: str  # "name", "summary", "description", "skills", ...
    fragments: list[str]  # HTML-escaped text with <mark>…</mark> around matches


class Listed(tuple):
    """Related values of a card, read as a prefetched relation is (``.all()``), so templates serve both."""

    def all(self):
        return self


# A slug the URL pattern takes as is (``reverse`` would quote anything else).
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_PLACEHOLDER = "structure-slug-placeholder"


@functools.lru_cache(maxsize=16)
def _structure_url_parts(script_prefix: str, urlconf) -> tuple[str, str]:
    """What comes before and after the slug in a structure's address, for this script prefix and URLconf."""
    url = reverse("structure_detail", kwargs={"slug": _SLUG_PLACEHOLDER}, urlconf=urlconf)
    before, _, after = url.rpartition(_SLUG_PLACEHOLDER)
    return before, after


def structure_url(slug: str) -> str:
    """``reverse("structure_detail", slug=…)``, the pattern reversed once rather than for every hit of every page."""
    if not _PLAIN_SLUG.fullmatch(slug):
        return reverse("structure_detail", kwargs={"slug": slug})
    before, after = _structure_url_parts(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{before}{slug}{after}"


@dataclass(frozen=True)
class NamedValue:
    """A membership, sector or skill as a hit shows it."""

    slug: str
    name: str


@dataclass
class StructureCard:
    """A published structure as a search hit shows it, read from the engine's copy (``_source``) or,
    for the database backend, from the structure's row and its search document (``base.database_cards``).

    It answers what listings read on a ``Structure`` (``pk``, ``name``,
    ``category_label``, ``has_location``, ``memberships.all()``,
    ``get_absolute_url()``…) without loading the model and its relations.
    ``document_skills`` are those its search document holds (the structure's own
    and its public people's), not ``Structure.skills``: a card has no ``skills``. ``updated_at`` and ``people`` (ids of its public
    people) are what ``search.base.check_hits`` compares with the database
    before a card is shown.
    """

    pk: int
    slug: str
    name: str
    summary: str
    description: str
    city: str
    category: str
    latitude: float | None
    longitude: float | None
    joined: date | None
    memberships: Listed = Listed()
    sectors: Listed = Listed()
    document_skills: Listed = Listed()
    skill_synonyms: tuple[str, ...] = ()
    updated_at: str = ""
    people: tuple[int, ...] = ()

    @property
    def id(self) -> int:
        return self.pk

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def get_absolute_url(self) -> str:
        return structure_url(self.slug)

    @property
    def url(self) -> str:
        return self.get_absolute_url()

    def __str__(self):
        return self.name


@dataclass
class SearchHit:
    # A StructureCard, from the engine's copy or the database's rows (``base.database_cards``).
    structure: StructureCard
    score: float | None
    distance_km: float | None
    highlights: list[Highlight] = field(default_factory=list)


@dataclass
class FacetValue:
    value: str  # slug (category, membership, skill, sector) or city name
    label: str
    count: int


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    engine: str  # "elasticsearch" | "opensearch" | "database"
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]  # keys: FACET_NAMES
    suggestion: str | None = None  # spelling suggestion when the engine has one
    degraded: bool = False  # True when the engine was unreachable or changes wait to be indexed
    # Words of the query left out because requiring them found nothing, as typed (« cherche »).
    ignored_words: list[str] = field(default_factory=list)
    # The text actually searched when it differs from the query's (words glued or split, words left out).
    searched_text: str | None = None

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Suggestion:
    kind: str  # "structure" | "skill"
    label: str
    slug: str
