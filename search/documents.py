"""What a structure contributes to search: one source of truth for both backends.

``SourceBuilder`` flattens published structures into plain dicts (« sources »)
from flat queries — ``values_list`` over the structures, the through tables of
their skills, sectors and memberships, their public people and those people's
skills — with the taxonomy (skills with their domain and synonyms, sectors)
read once per builder. No model instance per structure, no query per row: the
worker's catch-up and the rebuilds build thousands of sources a second, and
``iter_sources`` streams the whole directory in keyset chunks (memory flat in
the number of structures).

The engine indexes a source as is (``AnalysisProfile.document``); the database
fallback analyses it into a ``StructureSearchDocument`` (``database_document``),
written in bulk (``write_database_documents``: one upsert per chunk).
Only **public** people contribute, and only their skills and ids: names,
e-mails and phones of people are never part of a search document.

``updated_at`` and ``people`` (ids of the public people) are not searched: a
hit is shown from the engine's copy only while they still match the database
(``search.base.check_hits``), so a stale entry never outlives an edit, an
unpublication or a withdrawn consent.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import transaction

from directory.models import Person, Sector, Skill, Structure
from directory.models.taxonomy import split_synonyms
from lagrappe.collation import french_sort_key

from .models import StructureSearchDocument
from .text import document_text, fold

CHUNK_SIZE = 1000
_STRUCTURE_COLUMNS = (
    "pk", "slug", "name", "summary", "description", "city", "category", "latitude", "longitude", "joined",
    "updated_at",
)  # fmt: skip


class SourceBuilder:
    """Sources of published structures from plain rows; the taxonomy is read once, when built.

    A builder lives for one batch of the worker or one rebuild: a skill renamed
    meanwhile reaches the index through the outbox rows its change wrote.
    """

    def __init__(self):
        self.skills = {
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
        # A structure's skills and sectors in their models' ordering (Skill.Meta, Sector.Meta: the
        # French collation of their names, so « Éolien » comes before « Rénovation » as in the ORM).
        self.skill_order = {pk: (french_sort_key(skill["name"]), pk) for pk, skill in self.skills.items()}
        self.sectors = {
            pk: (slug, name, split_synonyms(synonyms))
            for pk, slug, name, synonyms in Sector.objects.values_list("pk", "slug", "name", "synonyms")
        }

    def build(self, ids: Iterable[int]) -> list[dict]:
        """Sources of these structures, by id; unpublished or missing ids are left out."""
        return self.from_rows(
            Structure.objects.public().filter(pk__in=list(ids)).order_by("pk").values_list(*_STRUCTURE_COLUMNS)
        )

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[list[dict]]:
        """Every published structure's source, ``chunk_size`` at a time (keyset pagination on the id)."""
        last = 0
        while True:
            rows = list(
                Structure.objects.public()
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list(*_STRUCTURE_COLUMNS)[:chunk_size]
            )
            if not rows:
                return
            last = rows[-1][0]
            yield self.from_rows(rows)

    def from_rows(self, rows) -> list[dict]:
        rows = list(rows)
        ids = [row[0] for row in rows]
        if not ids:
            return []
        skills, skill_order, sectors = self.skills, self.skill_order, self.sectors
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
        # Joined on the person rather than an IN list of every person id of the chunk.
        for person_id, skill_id in Person.skills.through.objects.filter(
            person__structure_id__in=ids, person__public=True
        ).values_list("person_id", "skill_id"):
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
            structure_sectors = sorted(
                (sectors[i] for i in own_sectors[pk]), key=lambda sector: french_sort_key(sector[1])
            )
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


def skill_sources(structure: Structure) -> list[dict]:
    """Skills of one loaded structure, its own first, then those only its public people hold.

    For the database fallback's highlights, on structures already loaded with
    ``with_related()``; documents are built by ``SourceBuilder`` in the same order.
    """
    skills = {s.slug: s for s in structure.skills.all()}
    for person in structure.get_public_people():
        for skill in person.skills.all():
            skills.setdefault(skill.slug, skill)
    return [
        {
            "slug": s.slug,
            "name": s.name,
            "domain": s.domain.name if s.domain_id else "",
            "domain_synonyms": s.domain.synonym_list if s.domain_id else [],
            "synonyms": s.synonym_list,
        }
        for s in skills.values()
    ]


def _domain_synonyms(skills: list[dict]) -> list[str]:
    """Synonyms of the skills' domains, each domain once (in ``skill_domains``' order)."""
    by_domain = {s["domain"]: s["domain_synonyms"] for s in skills if s["domain"]}
    return [syn for domain in sorted(by_domain) for syn in by_domain[domain]]


def structure_sources(ids: Iterable[int]) -> list[dict]:
    """The sources of these published structures (ordered by id; others left out)."""
    return SourceBuilder().build(ids)


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


def _written_fields() -> list[str]:
    # Columns the database computes itself (a generated full-text column) are never written.
    return [
        f.name
        for f in StructureSearchDocument._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


def write_database_documents(sources: list[dict]) -> int:
    """Insert or update the fallback rows of these sources in one statement per chunk."""
    if not sources:
        return 0
    StructureSearchDocument.objects.bulk_create(
        [database_document(s) for s in sources],
        batch_size=CHUNK_SIZE,
        update_conflicts=True,
        unique_fields=["structure"],
        update_fields=_written_fields(),
    )
    return len(sources)


def store_database_documents(ids: Iterable[int], sources: list[dict]) -> None:
    """Make the fallback rows of ``ids`` what ``sources`` say: upserted when published, deleted otherwise.

    ``sources`` may hold more structures than ``ids`` (the worker builds a batch's
    sources once for both backends); only those of ``ids`` are written.
    """
    ids = set(ids)
    mine = [s for s in sources if s["id"] in ids]
    published = {s["id"] for s in mine}
    with transaction.atomic():
        StructureSearchDocument.objects.filter(structure_id__in=sorted(ids - published)).delete()
        write_database_documents(mine)


def refresh_database_documents(ids: Iterable[int]) -> list[dict]:
    """Rebuild the fallback rows of these structures; return the sources of the published ones.

    Unpublished or deleted structures lose their row. Returns the sources so the
    engine sync can index exactly what the database now holds.
    """
    ids = sorted(set(ids))
    sources = structure_sources(ids)
    store_database_documents(ids, sources)
    return sources


def rebuild_database_documents(progress=None, chunk_size: int = CHUNK_SIZE) -> int:
    """Every published structure's fallback row, streamed in chunks; rows of the others deleted.

    ``progress(n)`` is called after each chunk. Returns the number of documents written.
    """
    count = 0
    for sources in SourceBuilder().chunks(chunk_size):
        with transaction.atomic():
            count += write_database_documents(sources)
        if progress is not None:
            progress(len(sources))
    # Rows of structures unpublished or deleted since their row was written.
    StructureSearchDocument.objects.exclude(structure_id__in=Structure.objects.public().values("pk")).delete()
    return count
