"""Querysets behind the directory queries.

Visibility is applied here, on querysets (``Structure.objects.public()``,
``Person.objects.public()`` through ``with_related()``), never by inline checks
in the type resolvers. Everything a response may touch is prefetched, so the
number of SQL queries does not grow with the number of results.
"""

from django.db.models import Count, Q, QuerySet, prefetch_related_objects

from directory.models import Sector, Skill, SkillDomain, Structure, public_structures
from search.types import SearchQuery


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
