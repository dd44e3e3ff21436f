"""Querysets behind the directory queries.

Visibility is applied here, on querysets (``Structure.objects.public()``,
``Person.objects.public()`` through ``with_related()``), never by inline checks
in the type resolvers. Everything a response may touch is prefetched, so the
number of SQL queries does not grow with the number of results.
"""

import dataclasses
from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet, Value, prefetch_related_objects

from directory.models import Person, Sector, Skill, SkillDomain, Structure, public_structures
from search.types import Listed, SearchQuery, SearchResult, StructureCard


def structures_with_logos() -> QuerySet:
    """Published structures with everything a response needs, logo renditions included."""
    return public_structures().prefetch_related("logo__renditions")


def prefetch_logo_renditions(structures) -> None:
    """Renditions for structures loaded elsewhere (search hits): one query for all logos."""
    with_logo = [s for s in structures if s.logo_id is not None and s.logo is not None]
    if with_logo:
        prefetch_related_objects([s.logo for s in with_logo], "renditions")


def resolve_structure(slug: str):
    return structures_with_logos().filter(slug=slug).first()


def filter_structures(query: SearchQuery) -> QuerySet:
    """The ORM listing: the same filters as the search, ordered by name."""
    qs = Structure.objects.public()
    if query.categories:
        qs = qs.filter(category__in=query.categories)
    if query.memberships:
        qs = qs.filter(memberships__slug__in=query.memberships)
    if query.skills:
        qs = qs.filter(skills__slug__in=query.skills)
    if query.sectors:
        qs = qs.filter(sectors__slug__in=query.sectors)
    if query.city:
        qs = qs.filter(city__iexact=query.city)
    if query.memberships or query.skills or query.sectors:
        qs = qs.distinct()
    return qs.order_by("name", "pk")


def resolve_structures_page(query: SearchQuery):
    ids_qs = filter_structures(query)
    total = ids_qs.count()
    start = (query.page - 1) * query.per_page
    page_ids = list(ids_qs.values_list("pk", flat=True)[start : start + query.per_page])
    by_id = {s.pk: s for s in structures_with_logos().filter(pk__in=page_ids)}
    return total, [by_id[pk] for pk in page_ids if pk in by_id]


def skills_queryset(domain: str | None = None) -> QuerySet:
    qs = Skill.objects.select_related("domain").annotate(
        published_structure_count=Count("structures", filter=Q(structures__live=True), distinct=True)
    )
    if domain:
        qs = qs.filter(domain__slug=domain)
    return qs.order_by("name")


def skill_domains_queryset() -> QuerySet:
    # Their skills come from SkillsByDomainLoader (one query, whichever way a domain is reached).
    return SkillDomain.objects.all()


def sectors_queryset() -> QuerySet:
    return Sector.objects.order_by("name")


# Fields of `Structure` a search hit's card answers by itself (``search.types.StructureCard``).
CARD_FIELDS = frozenset(
    {
        "__typename", "slug", "name", "category", "categoryLabel", "memberships", "summary", "description",
        "city", "latitude", "longitude", "joined", "sectors", "url",
    }
)  # fmt: skip


class HitStructure:
    """A hit's structure for GraphQL: its card, with what the request asked beyond it, loaded for the whole page.

    ``skills`` and ``people`` are what ``Structure.skills.all()`` and
    ``get_public_people()`` return; any other field the card lacks (contact,
    logo…) is read on the structure's row, loaded only when asked for.
    """

    def __init__(self, card: StructureCard, row=None, skills=(), people=()):
        self._card, self._row = card, row
        self.skills, self._people = Listed(skills), list(people)

    def get_public_people(self):
        return self._people

    def __getattr__(self, name):
        # Only reached for names not set above: the card's own fields first, then the row's.
        if name in ("memberships", "sectors") or self._row is None:
            return getattr(self._card, name)
        return getattr(self._row, name)


STRUCTURE, PERSON = 0, 1  # whose skills a row of ``skill_links`` is


def skill_links(structure_ids, *, structures: bool, people: bool) -> defaultdict:
    """{(STRUCTURE, id) or (PERSON, id): [Skill, …] by name}: the skills of these structures and of their public
    people, in one query (one round trip less than a query and a prefetch per relation)."""
    parts = []
    if structures:
        parts.append(
            Skill.objects.order_by()
            .filter(structures__in=structure_ids)
            .annotate(owner_kind=Value(STRUCTURE), owner=F("structures"))
        )
    if people:
        # Visibility on the queryset: only the skills of people who consented.
        parts.append(
            Skill.objects.order_by()
            .filter(people__structure_id__in=structure_ids, people__public=True)
            .annotate(owner_kind=Value(PERSON), owner=F("people"))
        )
    queryset = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    links = defaultdict(list)
    for skill in queryset.order_by("name", "pk"):
        links[skill.owner_kind, skill.owner].append(skill)
    return links


def with_hit_structures(result: SearchResult, wanted: dict) -> SearchResult:
    """``result`` whose hits answer every field of ``wanted`` (``selection.selected_fields``), in constant SQL.

    Hits are cards, from the engine or the database (``search.base.database_cards``), and the
    fields they lack cost one query each for the whole page: the rows (with logos), the skills,
    the public people (and their skills).
    """
    cards = [hit.structure for hit in result.hits if isinstance(hit.structure, StructureCard)]
    if not cards:
        if "logo" in wanted:
            prefetch_logo_renditions([hit.structure for hit in result.hits])
        return result
    if set(wanted) <= CARD_FIELDS:
        return result
    ids = [card.pk for card in cards]
    rows = None
    if set(wanted) - CARD_FIELDS - {"skills", "people"}:
        queryset = Structure.objects.public().filter(pk__in=ids)
        rows = (queryset.select_related("logo") if "logo" in wanted else queryset).in_bulk()
        if "logo" in wanted:
            prefetch_logo_renditions(rows.values())
    skills, people = defaultdict(list), defaultdict(list)
    people_skills = "people" in wanted and "skills" in wanted["people"]
    if "skills" in wanted or people_skills:
        skills = skill_links(ids, structures="skills" in wanted, people=people_skills)
    if "people" in wanted:
        # Visibility on the queryset: only people who consented, in their listing order.
        queryset = Person.objects.public().filter(structure_id__in=ids).order_by(*Person._meta.ordering, "pk")
        for person in queryset:
            if people_skills:
                # What prefetch_related("skills") would have read, from the query above (PersonType reads it).
                person.page_skills = Listed(skills[PERSON, person.pk])
            people[person.structure_id].append(person)
    hits = [
        dataclasses.replace(
            hit,
            structure=HitStructure(
                hit.structure,
                None if rows is None else rows[hit.structure.pk],
                skills[STRUCTURE, hit.structure.pk],
                people[hit.structure.pk],
            ),
        )
        for hit in result.hits
        # A row unpublished since the search was checked is left out.
        if rows is None or hit.structure.pk in rows
    ]
    return dataclasses.replace(result, hits=hits)
