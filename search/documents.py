"""What a structure contributes to search: one source of truth for both backends.

``structure_source`` flattens a published structure (loaded with
``Structure.objects.with_related()``) into a plain dict; the engine indexes it
as is, the database fallback analyses it into a ``StructureSearchDocument``.
Only **public** people contribute, and only their skills: names, e-mails and
phones of people are never part of a search document.
"""

from collections.abc import Iterable

from django.db import transaction

from directory.models import Structure

from .models import StructureSearchDocument
from .text import document_text, fold


def _skill_source(skill) -> dict:
    return {
        "slug": skill.slug,
        "name": skill.name,
        "domain": skill.domain.name if skill.domain_id else "",
        "synonyms": skill.synonym_list,
    }


def skill_sources(structure: Structure) -> list[dict]:
    """Skills of the structure first, then those only its public people hold."""
    skills = {s.slug: s for s in structure.skills.all()}
    for person in structure.get_public_people():
        for skill in person.skills.all():
            skills.setdefault(skill.slug, skill)
    return [_skill_source(s) for s in skills.values()]


def structure_source(structure: Structure) -> dict:
    """The search document of a structure."""
    skill_sources_ = skill_sources(structure)
    location = None
    if structure.has_location:
        location = {"lat": structure.latitude, "lon": structure.longitude}
    return {
        "id": structure.pk,
        "slug": structure.slug,
        "name": structure.name,
        "summary": structure.summary,
        "description": structure.description,
        "city": structure.city,
        "category": structure.category,
        "memberships": sorted(m.slug for m in structure.memberships.all()),
        "skills": [s["slug"] for s in skill_sources_],
        "skill_names": [s["name"] for s in skill_sources_],
        "skill_domains": sorted({s["domain"] for s in skill_sources_ if s["domain"]}),
        "skill_synonyms": [syn for s in skill_sources_ for syn in s["synonyms"]],
        "sectors": [s.slug for s in structure.sectors.all()],
        "sector_names": [s.name for s in structure.sectors.all()],
        "location": location,
        "joined": structure.joined.isoformat() if structure.joined else None,
    }


def _delimited(values: Iterable[str]) -> str:
    values = list(values)
    return "|" + "|".join(values) + "|" if values else ""


def database_document(source: dict) -> StructureSearchDocument:
    # A skill's domain (« Économie sociale ») weighs like any other text, not like the
    # skill itself, as in the engine (skill_domains^2 vs skill_names^4).
    skills_text = document_text(*source["skill_names"], *source["skill_synonyms"])
    return StructureSearchDocument(
        structure_id=source["id"],
        name_sort=fold(source["name"])[:200],
        name_text=document_text(source["name"]),
        skills_text=skills_text,
        summary_text=document_text(source["summary"]),
        search_text=document_text(
            source["name"],
            source["summary"],
            source["description"],
            source["city"],
            *source["skill_names"],
            *source["skill_synonyms"],
            *source["skill_domains"],
            *source["sector_names"],
        ),
        category=source["category"],
        city=source["city"],
        city_key=fold(source["city"]).strip(),
        city_text=document_text(source["city"])[:200],
        membership_slugs=_delimited(source["memberships"]),
        skill_slugs=_delimited(source["skills"]),
        sector_slugs=_delimited(source["sectors"]),
        latitude=source["location"]["lat"] if source["location"] else None,
        longitude=source["location"]["lon"] if source["location"] else None,
        joined=source["joined"],
    )


def public_structures(ids: Iterable[int] | None = None):
    qs = Structure.objects.public().with_related().order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs


def refresh_database_documents(ids: Iterable[int]) -> list[dict]:
    """Rebuild the fallback rows of these structures; return the sources of the published ones.

    Unpublished or deleted structures lose their row. Returns the sources so the
    engine sync can index exactly what the database now holds.
    """
    ids = sorted(set(ids))
    sources = [structure_source(s) for s in public_structures(ids)]
    with transaction.atomic():
        StructureSearchDocument.objects.filter(structure_id__in=ids).delete()
        StructureSearchDocument.objects.bulk_create([database_document(s) for s in sources], batch_size=500)
    return sources
