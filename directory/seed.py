"""Deterministic synthetic directory for demos and benchmarks (``manage.py seed_directory``).

Generation and writing are separate: ``generate_structures(count, seed)`` is pure
(same arguments -> same records, structure *i* depends only on ``seed`` and *i*,
so the first 300 structures of a 20,000 run are the 300 of a 300 run), and
``seed_directory()`` writes them with ``bulk_create`` in batches — structures,
people and the four through tables — without saving objects one by one and
without revisions: at 20,000 structures, per-object saves and revisions would
cost minutes and hundreds of thousands of queries.

Seeding is additive and idempotent: structures whose slug already exists are
skipped, so running it twice, or after an import, changes nothing that exists.
Bulk writes bypass signals, so the search index must be rebuilt afterwards
(``manage.py update_index`` or the search service's own rebuild command).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from . import seed_data as data
from .models import MEMBERSHIP_CHOICES, Membership, Person, Sector, Skill, SkillDomain, Structure

DEFAULT_SEED = 2009  # the year the PTCE was founded
DRAFT_RATE = 0.04
PUBLIC_PERSON_RATE = 0.6


@dataclass
class PersonRecord:
    first_name: str
    last_name: str
    role: str
    email: str
    phone: str
    public: bool
    skills: list[str] = field(default_factory=list)


@dataclass
class StructureRecord:
    slug: str
    name: str
    category: str
    legal_form: str
    memberships: list[str]
    summary: str
    description: str
    skills: list[str]
    sectors: list[str]
    address: str
    postcode: str
    city: str
    latitude: float
    longitude: float
    website: str
    email: str
    phone: str
    founded: int
    joined: dt.date | None
    live: bool
    people: list[PersonRecord] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Taxonomy
# ---------------------------------------------------------------------------
def skill_domain_of() -> dict[str, str]:
    return {skill[0]: domain for domain, skills in data.TAXONOMY for skill in skills}


@transaction.atomic
def ensure_taxonomy() -> None:
    """Create the reference skill domains, skills and sectors that are missing (by slug).

    Existing rows are left alone: editors may have renamed a skill or completed its
    synonyms, and re-running the demo must not undo their work. When everything
    exists this costs four queries. The memberships come from a migration, but a
    flushed database (``manage.py flush``, a test that commits) has lost them.
    """
    Membership.objects.bulk_create(
        [Membership(slug=slug, name=name) for slug, name in MEMBERSHIP_CHOICES], ignore_conflicts=True
    )
    skill_slugs = {slugify(skill[0]) for _, skills in data.TAXONOMY for skill in skills}
    sector_slugs = {slugify(name) for name in data.SECTORS}
    existing_skills = set(Skill.objects.filter(slug__in=skill_slugs).values_list("slug", flat=True))
    existing_sectors = set(Sector.objects.filter(slug__in=sector_slugs).values_list("slug", flat=True))
    existing_domains = set(SkillDomain.objects.values_list("slug", flat=True))

    for order, (domain_name, skills) in enumerate(data.TAXONOMY):
        if slugify(domain_name) in existing_domains and all(slugify(s[0]) in existing_skills for s in skills):
            continue
        domain, _ = SkillDomain.objects.get_or_create(
            slug=slugify(domain_name),
            defaults={
                "name": domain_name,
                "sort_order": order,
                "synonyms": data.DOMAIN_SYNONYMS.get(domain_name, ""),
            },
        )
        for name, synonyms, description in skills:
            if slugify(name) not in existing_skills:
                Skill.objects.create(
                    slug=slugify(name),
                    name=name,
                    domain=domain,
                    synonyms=synonyms,  # « a; b » -> one per line (Skill.save)
                    description=description,
                )
    for name in data.SECTORS:
        if slugify(name) not in existing_sectors:
            Sector.objects.create(slug=slugify(name), name=name, synonyms=data.SECTOR_SYNONYMS.get(name, ""))


# ---------------------------------------------------------------------------
# Pure generation
# ---------------------------------------------------------------------------
def _ascii(text: str) -> str:
    return slugify(text).replace("-", "")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if not text[:2].isupper() else text


def _pick_city(rng: random.Random) -> tuple:
    return rng.choices(data.CITIES, weights=[c[4] for c in data.CITIES])[0]


def _make_name(rng: random.Random, city: str) -> str:
    """« <head> <core> [<place>] », the place only where it fits the town (no « … de Fives » in Arras)."""
    places = [place for place, towns in data.NAME_PLACES.items() if city in towns]
    place = rng.choices(["", *places], weights=[data.PLACELESS_NAME_WEIGHT, *[1] * len(places)])[0]
    return " ".join(p for p in (rng.choice(data.NAME_HEADS), rng.choice(data.NAME_CORES), place) if p)


def _make_role(rng: random.Random, first_name: str) -> str:
    feminine, masculine = rng.choice(data.ROLES)
    if first_name in data.FEMININE_FIRST_NAMES:
        return feminine
    if first_name in data.MASCULINE_FIRST_NAMES:
        return masculine
    return rng.choice((feminine, masculine))


def _make_person(rng: random.Random, domain: str, phone_prefix: str, skills: list[str]) -> PersonRecord:
    first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
    return PersonRecord(
        first_name=first,
        last_name=last,
        role=_make_role(rng, first),
        email=f"{_ascii(first)}.{_ascii(last)}@{domain}",
        phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        if rng.random() < 0.5
        else f"{phone_prefix} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        public=rng.random() < PUBLIC_PERSON_RATE,
        skills=rng.sample(skills, k=min(len(skills), rng.randint(0, 2))),
    )


def _make_structure(slug: str, name: str, town: tuple, rng: random.Random) -> StructureRecord:
    category = rng.choices(["individuel", "collectif", "territoire"], weights=[30, 55, 15])[0]
    city, postcode, lat, lon, _, phone_prefix = town
    domain_name, domain_skills = rng.choice(data.TAXONOMY)
    # Mostly skills of one domain, sometimes one from elsewhere: realistic profiles.
    skills = [s[0] for s in rng.sample(domain_skills, k=rng.randint(1, min(3, len(domain_skills))))]
    if rng.random() < 0.35:
        other = rng.choice(data.TAXONOMY)[1]
        extra = rng.choice(other)[0]
        if extra not in skills:
            skills.append(extra)
    sectors = rng.sample(data.DOMAIN_SECTORS[domain_name], k=rng.randint(1, len(data.DOMAIN_SECTORS[domain_name])))

    # Never « locataire »: the permanent tenants are the hand-written ones (seed_data.TENANTS), at LaGrappe.
    memberships = [m for m, rate in (("cluster", 0.05), ("partenaire", 0.2)) if rng.random() < rate]
    if not memberships or rng.random() < 0.8:
        memberships.append("reseau")

    founded = rng.choices(
        [rng.randint(1975, 1999), rng.randint(2000, 2015), rng.randint(2016, 2025)], weights=[15, 40, 45]
    )[0]
    joined = None
    if rng.random() < 0.7:
        start = dt.date(max(founded, 2009), 1, 1).toordinal()
        joined = dt.date.fromordinal(rng.randint(start, dt.date(2025, 12, 31).toordinal()))

    where = f"à {city}" if rng.random() < 0.7 else "dans les Hauts-de-France"
    audience = rng.choice(data.AUDIENCES)
    kind = {
        "individuel": "Indépendant·e engagé·e",
        "collectif": "Collectif engagé",
        "territoire": "Acteur du territoire engagé",
    }[category]
    second = skills[1] if len(skills) > 1 else rng.choice(domain_skills)[0]
    summary = rng.choice(data.SUMMARY_TEMPLATES).format(
        skill1=skills[0],
        skill2=_lower_first(second),
        skill1_lower=_lower_first(skills[0]),
        skill2_lower=_lower_first(second),
        audience=audience,
        where=where,
        kind=kind,
    )
    team = 1 if category == "individuel" else rng.randint(2, 45)
    sentences = [data.DESCRIPTION_SENTENCES[0]] + rng.sample(data.DESCRIPTION_SENTENCES[1:], k=rng.randint(1, 3))
    description = " ".join(sentences).format(
        founded=founded,
        where=where,
        team=team,
        skills=", ".join(_lower_first(s) for s in skills),
        audience=audience,
        sectors=" et ".join(_lower_first(s) for s in sectors),
    )
    if category == "individuel":
        description = description.replace(
            "la structure réunit aujourd’hui 1 personnes autour d’un même projet",
            "l’activité est portée par une personne",
        )

    domain = f"{slug[:40].rstrip('-')}.example"
    people_count = 1 if category == "individuel" else rng.choices([0, 1, 2, 3, 4], weights=[10, 30, 30, 20, 10])[0]
    people = []
    seen = set()
    for _ in range(people_count):
        person = _make_person(rng, domain, phone_prefix, skills)
        key = (person.first_name, person.last_name)
        if key not in seen:  # the import's upsert key must stay unique per structure
            seen.add(key)
            people.append(person)

    return StructureRecord(
        slug=slug,
        name=name,
        category=category,
        legal_form=rng.choice(data.LEGAL_FORMS[category]),
        memberships=sorted(set(memberships)),
        summary=summary[:300],
        description=description,
        skills=skills,
        sectors=sectors,
        address=f"{rng.randint(1, 180)} {rng.choice(data.STREETS)}",
        postcode=postcode,
        city=city,
        latitude=round(lat + rng.uniform(-0.015, 0.015), 5),
        longitude=round(lon + rng.uniform(-0.02, 0.02), 5),
        website=f"https://{domain}" if rng.random() < 0.8 else "",
        email=f"contact@{domain}" if rng.random() < 0.9 else "",
        phone=f"{phone_prefix} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        if rng.random() < 0.75
        else "",
        founded=founded,
        joined=joined,
        live=rng.random() >= DRAFT_RATE,
        people=people,
    )


def generate_structures(count: int, seed: int = DEFAULT_SEED):
    """Yield ``count`` StructureRecords; structure *i* depends only on (seed, i) and earlier names."""
    used_slugs: set[str] = set()
    for index in range(count):
        rng = random.Random(f"lagrappe-directory:{seed}:{index}")
        town = _pick_city(rng)
        name = _make_name(rng, town[0])
        base = slugify(name)[:190]
        slug, n = base, 2
        while slug in used_slugs:
            slug, n = f"{base}-{n}", n + 1
        used_slugs.add(slug)
        yield _make_structure(slug, name, town, rng)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def seed_directory(count: int, seed: int = DEFAULT_SEED, batch_size: int = 1000, progress: bool = True) -> dict:
    """Write ``count`` generated structures (skipping existing slugs); returns counts.

    Each batch is its own transaction, so an interrupted run keeps whole batches
    and a re-run completes it.
    """
    ensure_taxonomy()
    skill_ids = dict(Skill.objects.values_list("name", "id"))
    sector_ids = dict(Sector.objects.values_list("name", "id"))
    published_at = timezone.make_aware(dt.datetime(2026, 1, 15, 9, 0))
    totals = {"structures": 0, "people": 0, "skipped": 0}

    def write(batch: list[StructureRecord]):
        existing = set(Structure.objects.filter(slug__in=[r.slug for r in batch]).values_list("slug", flat=True))
        records = [r for r in batch if r.slug not in existing]
        totals["skipped"] += len(batch) - len(records)
        if not records:
            return
        with transaction.atomic():
            structures = Structure.objects.bulk_create(
                [
                    Structure(
                        slug=r.slug,
                        name=r.name,
                        category=r.category,
                        legal_form=r.legal_form,
                        summary=r.summary,
                        description=r.description,
                        address=r.address,
                        postcode=r.postcode,
                        city=r.city,
                        latitude=r.latitude,
                        longitude=r.longitude,
                        website=r.website,
                        email=r.email,
                        phone=r.phone,
                        founded=r.founded,
                        joined=r.joined,
                        live=r.live,
                        has_unpublished_changes=not r.live,
                        first_published_at=published_at if r.live else None,
                        last_published_at=published_at if r.live else None,
                    )
                    for r in records
                ]
            )
            memberships, skills, sectors, people, person_skills = [], [], [], [], []
            MembershipLink = Structure.memberships.through
            SkillLink = Structure.skills.through
            SectorLink = Structure.sectors.through
            for structure, r in zip(structures, records, strict=True):
                memberships += [MembershipLink(structure_id=structure.pk, membership_id=m) for m in r.memberships]
                skills += [SkillLink(structure_id=structure.pk, skill_id=skill_ids[s]) for s in r.skills]
                sectors += [SectorLink(structure_id=structure.pk, sector_id=sector_ids[s]) for s in r.sectors]
                for order, p in enumerate(r.people):
                    people.append(
                        Person(
                            structure_id=structure.pk,
                            first_name=p.first_name,
                            last_name=p.last_name,
                            role=p.role,
                            email=p.email,
                            phone=p.phone,
                            public=p.public,
                            sort_order=order,
                        )
                    )
                    person_skills.append(p.skills)
            MembershipLink.objects.bulk_create(memberships)
            SkillLink.objects.bulk_create(skills)
            SectorLink.objects.bulk_create(sectors)
            people = Person.objects.bulk_create(people)
            PersonSkillLink = Person.skills.through
            PersonSkillLink.objects.bulk_create(
                [
                    PersonSkillLink(person_id=person.pk, skill_id=skill_ids[s])
                    for person, names in zip(people, person_skills, strict=True)
                    for s in names
                ]
            )
        totals["structures"] += len(structures)
        totals["people"] += len(people)

    batch: list[StructureRecord] = []
    with tqdm(total=count, desc="Structures", unit="structure", disable=not progress) as bar:
        for record in generate_structures(count, seed):
            batch.append(record)
            if len(batch) >= batch_size:
                write(batch)
                bar.update(len(batch))
                batch = []
        if batch:
            write(batch)
            bar.update(len(batch))
    return totals
