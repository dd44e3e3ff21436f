"""What a structure contributes to search: one source of truth for both backends.

``structure_source`` flattens a published structure (loaded with
``Structure.objects.with_related()``) into a plain dict; the engine indexes it
as is, the database fallback analyses it into a ``StructureSearchDocument``.
Only **public** people contribute, and only their skills: names, e-mails and
phones of people are never part of a search document.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from directory.models import Person, Sector, Skill, Structure
from directory.models.taxonomy import split_synonyms

from .models import StructureSearchDocument
from .text import document_text, fold


def _skill_source(skill) -> dict:
    return {
        "slug": skill.slug,
        "name": skill.name,
        "domain": skill.domain.name if skill.domain_id else "",
        "domain_synonyms": skill.domain.synonym_list if skill.domain_id else [],
        "synonyms": skill.synonym_list,
    }


def skill_sources(structure: Structure) -> list[dict]:
    """Skills of the structure first, then those only its public people hold."""
    skills = {s.slug: s for s in structure.skills.all()}
    for person in structure.get_public_people():
        for skill in person.skills.all():
            skills.setdefault(skill.slug, skill)
    return [_skill_source(s) for s in skills.values()]


def _domain_synonyms(skills: list[dict]) -> list[str]:
    """Synonyms of the skills' domains, each domain once (in ``skill_domains``' order)."""
    by_domain = {s["domain"]: s["domain_synonyms"] for s in skills if s["domain"]}
    return [syn for domain in sorted(by_domain) for syn in by_domain[domain]]


def structure_source(structure: Structure) -> dict:
    """The search document of a structure.

    ``updated_at`` and ``people`` (ids of its public people) are not searched:
    a hit is shown from the engine's copy only while they still match the
    database (``search.base.check_hits``), so a stale entry never outlives an
    edit, an unpublication or a withdrawn consent.
    """
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
        "domain_synonyms": _domain_synonyms(skill_sources_),
        "sectors": [s.slug for s in structure.sectors.all()],
        "sector_names": [s.name for s in structure.sectors.all()],
        "sector_synonyms": [syn for s in structure.sectors.all() for syn in s.synonym_list],
        "location": location,
        "joined": structure.joined.isoformat() if structure.joined else None,
        "updated_at": structure.updated_at.isoformat(),
        "people": sorted(p.pk for p in structure.get_public_people()),
    }


def structure_sources(ids: Iterable[int]) -> list[dict]:
    """``structure_source`` of many published structures at once, from plain rows.

    The same dicts (tests compare both), without building model instances and
    their related managers, which cost ten times more: the worker's catch-up and
    the rebuild index thousands of documents a second with it. Ordered by id;
    unpublished or missing ids are left out.
    """
    rows = list(
        Structure.objects.public()
        .filter(pk__in=list(ids))
        .order_by("pk")
        .values_list("pk", "slug", "name", "summary", "description", "city", "category", "latitude", "longitude",
                     "joined", "updated_at")
    )  # fmt: skip
    ids = [row[0] for row in rows]
    if not ids:
        return []
    skills = {
        pk: {
            "slug": slug,
            "name": name,
            "domain": domain or "",
            "domain_synonyms": split_synonyms(domain_synonyms),
            "synonyms": split_synonyms(synonyms),
        }
        for pk, slug, name, domain, domain_synonyms, synonyms in Skill.objects.values_list(
            "pk", "slug", "name", "domain__name", "domain__synonyms", "synonyms"
        )
    }
    skill_order = {pk: (skill["name"], pk) for pk, skill in skills.items()}  # Skill.Meta.ordering
    sectors = {
        pk: (slug, name, split_synonyms(synonyms))
        for pk, slug, name, synonyms in Sector.objects.values_list("pk", "slug", "name", "synonyms")
    }
    own_skills, own_sectors, memberships = defaultdict(list), defaultdict(list), defaultdict(list)
    for structure_id, skill_id in Structure.skills.through.objects.filter(structure_id__in=ids).values_list(
        "structure_id", "skill_id"
    ):
        own_skills[structure_id].append(skill_id)
    for structure_id, sector_id in Structure.sectors.through.objects.filter(structure_id__in=ids).values_list(
        "structure_id", "sector_id"
    ):
        own_sectors[structure_id].append(sector_id)
    for structure_id, slug in Structure.memberships.through.objects.filter(structure_id__in=ids).values_list(
        "structure_id", "membership__slug"
    ):
        memberships[structure_id].append(slug)
    # Only public people contribute, in their listing order (Person.Meta.ordering).
    people = list(
        Person.objects.public()
        .filter(structure_id__in=ids)
        .order_by("sort_order", "last_name", "first_name", "pk")
        .values_list("pk", "structure_id")
    )
    person_skills = defaultdict(list)
    for person_id, skill_id in Person.skills.through.objects.filter(person_id__in=[p for p, _ in people]).values_list(
        "person_id", "skill_id"
    ):
        person_skills[person_id].append(skill_id)
    people_by_structure = defaultdict(list)
    for person_id, structure_id in people:
        people_by_structure[structure_id].append(person_id)

    sources = []
    for pk, slug, name, summary, description, city, category, latitude, longitude, joined, updated_at in rows:
        chosen = {}  # skill slug -> skill, the structure's own first, then its public people's
        for skill_id in sorted(own_skills[pk], key=skill_order.__getitem__):
            chosen.setdefault(skills[skill_id]["slug"], skills[skill_id])
        for person_id in people_by_structure[pk]:
            for skill_id in sorted(person_skills[person_id], key=skill_order.__getitem__):
                chosen.setdefault(skills[skill_id]["slug"], skills[skill_id])
        chosen_skills = list(chosen.values())
        structure_sectors = sorted((sectors[i] for i in own_sectors[pk]), key=lambda sector: sector[1])
        has_location = latitude is not None and longitude is not None
        sources.append(
            {
                "id": pk,
                "slug": slug,
                "name": name,
                "summary": summary,
                "description": description,
                "city": city,
                "category": category,
                "memberships": sorted(memberships[pk]),
                "skills": [s["slug"] for s in chosen_skills],
                "skill_names": [s["name"] for s in chosen_skills],
                "skill_domains": sorted({s["domain"] for s in chosen_skills if s["domain"]}),
                "skill_synonyms": [syn for s in chosen_skills for syn in s["synonyms"]],
                "domain_synonyms": _domain_synonyms(chosen_skills),
                "sectors": [slug for slug, _, _ in structure_sectors],
                "sector_names": [name for _, name, _ in structure_sectors],
                "sector_synonyms": [syn for _, _, synonyms in structure_sectors for syn in synonyms],
                "location": {"lat": latitude, "lon": longitude} if has_location else None,
                "joined": joined.isoformat() if joined else None,
                "updated_at": updated_at.isoformat(),
                "people": sorted(people_by_structure[pk]),
            }
        )
    return sources


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
            *source["domain_synonyms"],
            *source["sector_names"],
            *source["sector_synonyms"],
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


def refresh_database_documents(ids: Iterable[int]) -> list[dict]:
    """Rebuild the fallback rows of these structures; return the sources of the published ones.

    Unpublished or deleted structures lose their row. Returns the sources so the
    engine sync can index exactly what the database now holds.
    """
    ids = sorted(set(ids))
    sources = structure_sources(ids)
    with transaction.atomic():
        StructureSearchDocument.objects.filter(structure_id__in=ids).delete()
        StructureSearchDocument.objects.bulk_create([database_document(s) for s in sources], batch_size=500)
    return sources
