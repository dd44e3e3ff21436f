"""The flat document builder gives, byte for byte, what the retired one-structure-at-a-time builder gave.

``reference_source`` below is that builder, kept here as the oracle: it reads
one structure through the ORM (``public_structures()``'s prefetches, related
managers, ``get_public_people``), the obvious reading of what a search document
holds. ``SourceBuilder`` must produce the same dicts (same keys in the same
order, same values, same JSON), hence the same engine documents in both
analysis profiles and the same database documents.
"""

import json

import pytest
from django.forms.models import model_to_dict

from directory.models import Person, Sector, Skill, Structure, public_structures
from search.documents import SourceBuilder, database_document, rebuild_database_documents, structure_sources
from search.engine.definition import FULL, PORTABLE
from search.models import StructureSearchDocument

pytestmark = pytest.mark.django_db


def reference_source(structure: Structure) -> dict:
    """The per-structure builder the flat one replaced (slow: managers and instances per structure)."""
    skills = {s.slug: s for s in structure.skills.all()}
    for person in structure.get_public_people():
        for skill in person.skills.all():
            skills.setdefault(skill.slug, skill)
    skill_sources = [
        {
            "slug": s.slug,
            "name": s.name,
            "domain": s.domain.name if s.domain_id else "",
            "domain_synonyms": s.domain.synonym_list if s.domain_id else [],
            "synonyms": s.synonym_list,
        }
        for s in skills.values()
    ]
    by_domain = {s["domain"]: s["domain_synonyms"] for s in skill_sources if s["domain"]}
    location = {"lat": structure.latitude, "lon": structure.longitude} if structure.has_location else None
    return {
        "id": structure.pk,
        "slug": structure.slug,
        "name": structure.name,
        "summary": structure.summary,
        "description": structure.description,
        "city": structure.city,
        "category": structure.category,
        "memberships": sorted(m.slug for m in structure.memberships.all()),
        "skills": [s["slug"] for s in skill_sources],
        "skill_names": [s["name"] for s in skill_sources],
        "skill_domains": sorted({s["domain"] for s in skill_sources if s["domain"]}),
        "skill_synonyms": [syn for s in skill_sources for syn in s["synonyms"]],
        "domain_synonyms": [syn for domain in sorted(by_domain) for syn in by_domain[domain]],
        "sectors": [s.slug for s in structure.sectors.all()],
        "sector_names": [s.name for s in structure.sectors.all()],
        "sector_synonyms": [syn for s in structure.sectors.all() for syn in s.synonym_list],
        "location": location,
        "joined": structure.joined.isoformat() if structure.joined else None,
        "updated_at": structure.updated_at.isoformat(),
        "people": sorted(p.pk for p in structure.get_public_people()),
    }


def as_json(values) -> str:
    return json.dumps(values, ensure_ascii=False)  # key order included


def test_flat_sources_are_byte_for_byte_the_reference_sources(directory):
    ids = list(Structure.objects.order_by("pk").values_list("pk", flat=True))
    flat = structure_sources(ids)
    reference = [reference_source(s) for s in public_structures(ids)]
    assert as_json(flat) == as_json(reference)
    for profile in (FULL, PORTABLE):
        assert as_json([profile.document(s) for s in flat]) == as_json([profile.document(s) for s in reference])
    assert [model_to_dict(database_document(s)) for s in flat] == [
        model_to_dict(database_document(s)) for s in reference
    ]
    # The dataset exercises what could differ: drafts left out, people's skills, private people ignored.
    assert len(flat) == Structure.objects.public().count() < len(ids)
    assert Person.objects.filter(public=False, skills__isnull=False).exists()
    assert any(source["skill_synonyms"] for source in flat) and any(source["location"] for source in flat)
    assert any(source["people"] for source in flat)
    assert any(source["domain_synonyms"] for source in flat) and any(source["sector_synonyms"] for source in flat)


def test_streamed_chunks_give_every_published_source_once(directory):
    everything = structure_sources(Structure.objects.values_list("pk", flat=True))
    chunks = list(SourceBuilder().chunks(chunk_size=3))
    assert [len(chunk) for chunk in chunks[:-1]] == [3] * (len(chunks) - 1)
    assert as_json([source for chunk in chunks for source in chunk]) == as_json(everything)


def test_flat_builder_queries_do_not_grow_with_the_structures(directory, django_assert_num_queries):
    ids = list(Structure.objects.public().order_by("pk").values_list("pk", flat=True))
    builder = SourceBuilder()
    # Structures, three through tables, public people, their skills: the same six for one or for all.
    with django_assert_num_queries(6):
        assert len(builder.build(ids[:1])) == 1
    with django_assert_num_queries(6):
        assert len(builder.build(ids)) == len(ids)


def test_bulk_sources_of_nothing(directory):
    unpublished = list(Structure.objects.filter(live=False).values_list("pk", flat=True))
    assert structure_sources([]) == [] and structure_sources(unpublished) == []


def test_database_rebuild_writes_each_published_structure_once_and_drops_the_others(directory):
    before = {d.structure_id: model_to_dict(d, exclude=["indexed_at"]) for d in StructureSearchDocument.objects.all()}
    draft = Structure.objects.filter(live=False).first()
    # A row left behind by a writer that bypassed the outbox: the rebuild removes it.
    StructureSearchDocument.objects.create(structure=draft, category="collectif", name_text=" ", skills_text=" ")
    chunks = []
    assert rebuild_database_documents(progress=chunks.append, chunk_size=4) == Structure.objects.public().count()
    assert sum(chunks) == Structure.objects.public().count() and max(chunks) == 4
    after = {d.structure_id: model_to_dict(d, exclude=["indexed_at"]) for d in StructureSearchDocument.objects.all()}
    assert after == before
    assert sorted(after) == sorted(Structure.objects.public().values_list("pk", flat=True))


def test_skills_and_sectors_follow_the_french_collation_as_the_orm_does(directory):
    """An accented initial sorts with its letter (« Éolien » before « Rénovation »), not after « Z »."""
    structure = Structure.objects.public().first()
    skills = [
        Skill.objects.create(name=name, slug=f"tri-{i}") for i, name in enumerate(("Zinguerie", "Éolien", "Rénovation"))
    ]
    sectors = [Sector.objects.create(name=name, slug=f"tri-{i}") for i, name in enumerate(("Zoologie", "Écologie"))]
    structure.skills.set(skills)
    structure.sectors.set(sectors)
    structure.save()  # parental many-to-many: written on save
    [source] = structure_sources([structure.pk])
    assert source["skill_names"][:3] == ["Éolien", "Rénovation", "Zinguerie"]
    assert source["sector_names"] == ["Écologie", "Zoologie"]
    assert as_json(source) == as_json(reference_source(public_structures([structure.pk])[0]))
