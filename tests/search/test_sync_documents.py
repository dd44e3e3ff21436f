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
from django.db import connection, transaction
from django.forms.models import model_to_dict

from directory.models import Person, Sector, Skill, Structure, public_structures
from search.database_rebuild import rebuild_database_documents
from search.documents import (
    SourceBuilder,
    database_document,
    pg_vector,
    structure_sources,
)
from search.engine.definition import FULL, PORTABLE
from search.models import StructureSearchDocument
from search.text import document_text, fold

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


def reference_database_document(source: dict) -> StructureSearchDocument:
    """The database document as first written: ``document_text`` of each column's texts, one column at a time."""
    return StructureSearchDocument(
        structure_id=source["id"],
        name_sort=fold(source["name"])[:200],
        name_text=document_text(source["name"]),
        skills_text=document_text(*source["skill_names"], *source["skill_synonyms"]),
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
        membership_slugs="|" + "|".join(source["memberships"]) + "|" if source["memberships"] else "",
        skill_slugs="|" + "|".join(source["skills"]) + "|" if source["skills"] else "",
        sector_slugs="|" + "|".join(source["sectors"]) + "|" if source["sectors"] else "",
        latitude=source["location"]["lat"] if source["location"] else None,
        longitude=source["location"]["lon"] if source["location"] else None,
        joined=source["joined"],
    )


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
        model_to_dict(reference_database_document(s)) for s in reference
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


def test_database_documents_analyse_each_text_as_document_text_does(directory):
    """Texts analysed once and shared between columns give what ``document_text`` per column gives."""
    source = structure_sources(Structure.objects.public().values_list("pk", flat=True)[:1])[0]
    source.update(
        name="L’Atelier d’éco-construction du Zéro déchet",
        summary="Répar’ café : vélos, matériaux et tuyaux (« l'entraide »)",
        description="",
        city="Villeneuve-d’Ascq",
        skill_synonyms=["repair café", "ÉTÉ"],
    )
    assert model_to_dict(database_document(source)) == model_to_dict(reference_database_document(source))


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tsvector written by the rebuild: run with DATABASE_URL=postgres://…"
)
VECTOR_SQL = """setweight(to_tsvector('lagrappe_fr', skills_text), 'A') || setweight(to_tsvector('lagrappe_fr', name_text), 'B')
    || setweight(to_tsvector('lagrappe_fr', summary_text), 'C') || setweight(to_tsvector('lagrappe_fr', search_text), 'D')"""


@postgres_only
@pytest.mark.parametrize(
    "texts",
    [
        (" a ", " b ", " ", " a b a "),
        (" ", " ", " ", " "),
        (" 2024 007 v2 e12 abc123 ", " x ", " y y y ", " z "),
        # 251 positions of « mot » beside 300 other words: under the limit, and beyond the quick bound's doubt.
        (" " + "mot " * 250, " mot ", " ", " " + " ".join(f"w{i}" for i in range(300)) + " "),
    ],
    ids=["repeated", "empty", "numbers", "many-positions"],
)
def test_the_vector_written_is_the_one_postgresql_computes(texts):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (setweight(to_tsvector('lagrappe_fr', %s), 'A') || setweight(to_tsvector('lagrappe_fr', %s), 'B')"
            " || setweight(to_tsvector('lagrappe_fr', %s), 'C') || setweight(to_tsvector('lagrappe_fr', %s), 'D'))"
            " = %s::tsvector",
            [*texts, pg_vector(*texts)],
        )
        assert cursor.fetchone() == (True,)


@pytest.mark.parametrize(
    "texts",
    [
        (" " + "mot " * 300, " mot ", " ", " "),  # a word's positions beyond 255
        (" ", " ", " ", " " + "a b " * 9000),  # positions beyond 16383
        (" ", " 1e5x ", " ", " "),  # « 1e5 » then « x » for PostgreSQL's parser
        (" ", " " + "a" * 2100 + " ", " ", " "),  # too long to be indexed
    ],
    ids=["many-positions", "long", "float-then-word", "long-word"],
)
def test_what_the_shortcut_cannot_write_exactly_is_left_to_postgresql(texts):
    assert pg_vector(*texts) is None


@postgres_only
@pytest.mark.parametrize("text", [" 1e5x ", " " + "a" * 2100 + " "], ids=["float-then-word", "long-word"])
def test_a_writer_leaving_the_vector_out_gets_it_from_postgresql(directory, text):
    pk = Structure.objects.public().values_list("pk", flat=True).first()
    with transaction.atomic():
        rebuild_database_documents()
        # A writer that leaves the vector out (the ORM) gets it from the database's trigger.
        StructureSearchDocument.objects.filter(structure_id=pk).update(name_text=text, search_text=text)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT search_vector = ({VECTOR_SQL}) FROM search_structuresearchdocument WHERE structure_id = %s",
                [pk],
            )
            assert cursor.fetchone() == (True,)
        transaction.set_rollback(True)


@postgres_only
def test_the_postgres_rebuild_writes_the_vectors_and_counts_of_every_document(directory):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE search_vocabulary SET documents = documents + 7")  # counts gone wrong
        cursor.execute("INSERT INTO search_facet_counts VALUES ('s:disparu', 3)")
        # A name PostgreSQL's parser cuts in two (« 1e5 », « x »): that row's vector is left to the database.
        Structure.objects.filter(pk=Structure.objects.public().values("pk")[:1]).update(name="Atelier 1e5x")
        assert rebuild_database_documents(chunk_size=4) == Structure.objects.public().count()
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE search_vector = ({VECTOR_SQL})) FROM {TABLE}")
        total, same = cursor.fetchone()
        assert total == same == Structure.objects.public().count()
        cursor.execute("SELECT key, documents FROM search_facet_counts ORDER BY key")
        facets = cursor.fetchall()
        cursor.execute(f"SELECT key, count(*) FROM {TABLE}, unnest(facet_keys) AS key GROUP BY key ORDER BY key")
        assert facets == cursor.fetchall()
        cursor.execute("SELECT word, documents FROM search_vocabulary ORDER BY word")
        words = cursor.fetchall()
        cursor.execute(
            f"SELECT word, count(*) FROM {TABLE}, unnest(tsvector_to_array(search_vector)) AS word "
            "GROUP BY word ORDER BY word"
        )
        assert words == cursor.fetchall()
        cursor.execute(
            f"SELECT skills_text, name_text, summary_text, search_text FROM {TABLE} WHERE name_text LIKE '% 1e5x %'"
        )
        [texts] = cursor.fetchall()
        assert pg_vector(*texts) is None  # that row did take the database's path
        transaction.set_rollback(True)


TABLE = StructureSearchDocument._meta.db_table
