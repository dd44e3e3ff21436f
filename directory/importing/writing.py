"""Write step: upsert the validated records by slug, report what changed, touch nothing unchanged.

Structures are written with ``bulk_create``/``bulk_update`` and through-table
diffs (no per-row save), so an import of tens of thousands of rows stays linear.
People listed in the people file *replace* their structure's people: matched by
(first_name, last_name, email), updated in place, created, and the ones absent
from the file are deleted. Structures absent from the people file keep theirs.

``apply`` runs the ``WRITERS`` in order, each taking the cleaned records, the
report and a ``Written`` that collects what changed; adding a step (geocoding,
notifications) means adding a writer, not editing the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify
from wagtail.signal_handlers import disable_reference_index_auto_update

from ..changes import announce_structures_changed
from ..geocoding.importing import keep_computed_point, remember_locations, write_locations
from ..models import Person, Sector, Skill, SkillDomain, Structure
from ..object_indexes import refresh_object_indexes_on_commit
from .report import ImportReport

STRUCTURE_SCALAR_FIELDS = [
    "name", "category", "legal_form", "summary", "description", "address", "postcode", "city", "latitude",
    "longitude", "website", "email", "phone", "founded", "joined",
]  # fmt: skip
BATCH_SIZE = 500


def _chunks(items, size=BATCH_SIZE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_taxonomy(cleaned: dict, report: ImportReport) -> bool:
    synonyms_changed = False
    for record in cleaned["sectors"]:
        sector = Sector.objects.filter(slug=record["slug"]).first()
        if sector is None:
            Sector.objects.create(slug=record["slug"], name=record["name"])
            report.counts["sectors"]["created"] += 1
            report.changes.append(("sectors", "created", record["name"]))
        elif sector.name != record["name"]:
            sector.name = record["name"]
            sector.save()
            report.counts["sectors"]["updated"] += 1
            report.changes.append(("sectors", "updated", record["name"]))
        else:
            report.counts["sectors"]["unchanged"] += 1

    domains = {d.name.casefold(): d for d in SkillDomain.objects.all()}
    for record in cleaned["skills"]:
        domain = None
        if record["domain"]:
            domain = domains.get(record["domain"].casefold())
            if domain is None:
                slug = slugify(record["domain"])[:120] or "domaine"
                domain = SkillDomain.objects.create(name=record["domain"], slug=slug)
                domains[domain.name.casefold()] = domain
        skill = Skill.objects.filter(slug=record["slug"]).first()
        wanted = {"name": record["name"], "domain_id": domain.pk if domain else None, "synonyms": record["synonyms"]}
        if skill is None:
            Skill.objects.create(slug=record["slug"], **wanted)
            report.counts["skills"]["created"] += 1
            report.changes.append(("skills", "created", record["name"]))
            synonyms_changed = True
        elif any(getattr(skill, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(skill, key, value)
            skill.save()
            report.counts["skills"]["updated"] += 1
            report.changes.append(("skills", "updated", record["name"]))
            synonyms_changed = True
        else:
            report.counts["skills"]["unchanged"] += 1
    return synonyms_changed


def _sync_links(through, owner_field: str, target_field: str, wanted: dict[int, list]) -> set[int]:
    """Make the through table match ``wanted`` (owner id -> target ids); returns the owners that changed."""
    changed = set()
    for chunk in _chunks(wanted):
        current = defaultdict(set)
        for owner, target in through.objects.filter(**{f"{owner_field}__in": chunk}).values_list(
            owner_field, target_field
        ):
            current[owner].add(target)
        to_delete, to_create = [], []
        for owner in chunk:
            want = set(wanted[owner])
            if current[owner] != want:
                changed.add(owner)
                to_delete += [(owner, t) for t in current[owner] - want]
                to_create += [through(**{owner_field: owner, target_field: t}) for t in want - current[owner]]
        for owner, target in to_delete:
            through.objects.filter(**{owner_field: owner, target_field: target}).delete()
        through.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    return changed


def _apply_structures(cleaned: dict, report: ImportReport, user=None) -> set[int]:
    records = cleaned["structures"]
    if not records:
        return set()
    skill_ids = {name.casefold(): pk for name, pk in Skill.objects.values_list("name", "id")}
    sector_ids = {name.casefold(): pk for name, pk in Sector.objects.values_list("name", "id")}
    existing = {}
    for chunk in _chunks([r["slug"] for r in records]):
        existing.update(Structure.objects.in_bulk(chunk, field_name="slug"))

    now = timezone.now()
    to_create, to_update, scalar_changed = [], [], set()
    for record in records:
        values = {name: record[name] for name in STRUCTURE_SCALAR_FIELDS}
        structure = existing.get(record["slug"])
        if structure is not None:
            values = keep_computed_point(structure, values)
        if structure is None:
            to_create.append(
                Structure(slug=record["slug"], live=True, first_published_at=now, last_published_at=now, **values)
            )
        elif any(getattr(structure, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(structure, key, value)
            structure.updated_at = now
            to_update.append(structure)
            scalar_changed.add(structure.pk)
    created = Structure.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Structure.objects.bulk_update(to_update, STRUCTURE_SCALAR_FIELDS + ["updated_at"], batch_size=BATCH_SIZE)
    created_ids = {s.pk for s in created}
    by_slug = {**existing, **{s.slug: s for s in created}}

    def wanted(key, ids):
        return {by_slug[r["slug"]].pk: [ids[n.casefold()] for n in r[key]] for r in records}

    links_changed = _sync_links(
        Structure.memberships.through, "structure_id", "membership_id",
        {by_slug[r["slug"]].pk: r["memberships"] for r in records},
    )  # fmt: skip
    links_changed |= _sync_links(Structure.skills.through, "structure_id", "skill_id", wanted("skills", skill_ids))
    links_changed |= _sync_links(Structure.sectors.through, "structure_id", "sector_id", wanted("sectors", sector_ids))

    updated_ids = (scalar_changed | links_changed) - created_ids
    if links_changed - scalar_changed - created_ids:
        Structure.objects.filter(pk__in=links_changed - scalar_changed - created_ids).update(updated_at=now)
    for record in records:
        structure = by_slug[record["slug"]]
        action = "created" if structure.pk in created_ids else "updated" if structure.pk in updated_ids else "unchanged"
        report.counts["structures"][action] += 1
        if action != "unchanged":
            report.changes.append(("structures", action, f"{structure.name} ({structure.slug})"))
    return created_ids | updated_ids


def _apply_people(cleaned: dict, report: ImportReport) -> set[int]:
    records = cleaned["people"]
    if not records:
        return set()
    skill_ids = {name.casefold(): pk for name, pk in Skill.objects.values_list("name", "id")}
    slugs = {r["structure_slug"] for r in records}
    structure_ids = {}
    for chunk in _chunks(slugs):
        structure_ids.update(Structure.objects.filter(slug__in=chunk).values_list("slug", "id"))
    by_structure = defaultdict(list)
    for record in records:
        by_structure[structure_ids[record["structure_slug"]]].append(record)

    changed_structures, updated = set(), set()
    wanted_skills: dict[int, list[int]] = {}
    for chunk in _chunks(by_structure):
        current = defaultdict(dict)
        for person in Person.objects.filter(structure_id__in=chunk):
            current[person.structure_id][(person.first_name, person.last_name, person.email.lower())] = person
        to_create, create_skills, to_update = [], [], []
        for structure_id in chunk:
            kept = set()
            for order, record in enumerate(by_structure[structure_id]):
                key = (record["first_name"], record["last_name"], record["email"].lower())
                values = {"role": record["role"], "phone": record["phone"], "public": record["public"],
                          "email": record["email"], "sort_order": order}  # fmt: skip
                person = current[structure_id].get(key)
                label = f"{record['first_name']} {record['last_name']} ({record['structure_slug']})"
                if person is None:
                    to_create.append(Person(structure_id=structure_id, first_name=record["first_name"],
                                            last_name=record["last_name"], **values))  # fmt: skip
                    create_skills.append([skill_ids[n.casefold()] for n in record["skills"]])
                    report.counts["people"]["created"] += 1
                    report.changes.append(("people", "created", label))
                    changed_structures.add(structure_id)
                    continue
                kept.add(key)
                wanted_skills[person.pk] = [skill_ids[n.casefold()] for n in record["skills"]]
                if any(getattr(person, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(person, k, v)
                    to_update.append((person, label))
            for key, person in current[structure_id].items():
                if key not in kept:
                    person.delete()
                    report.counts["people"]["deleted"] += 1
                    report.changes.append(("people", "deleted", f"{person.full_name} ({structure_id})"))
                    changed_structures.add(structure_id)
        created = Person.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        for person, skills in zip(created, create_skills, strict=True):
            wanted_skills[person.pk] = skills
        Person.objects.bulk_update([p for p, _ in to_update], ["role", "phone", "public", "email", "sort_order"])
        _sync_links(Person.skills.through, "person_id", "skill_id", {p.pk: wanted_skills.pop(p.pk) for p in created})
        updated |= {p.pk for p, _ in to_update}
        for person, label in to_update:
            report.counts["people"]["updated"] += 1
            report.changes.append(("people", "updated", label))
            changed_structures.add(person.structure_id)
    # Skills of people who already existed: a changed skill set is an update too.
    relinked = _sync_links(Person.skills.through, "person_id", "skill_id", wanted_skills)
    for person in Person.objects.filter(pk__in=relinked - updated).only(
        "id", "first_name", "last_name", "structure_id"
    ):
        report.counts["people"]["updated"] += 1
        report.changes.append(("people", "updated", person.full_name))
        changed_structures.add(person.structure_id)
    report.counts["people"]["unchanged"] += len(records) - sum(
        report.counts["people"][a] for a in ("created", "updated")
    )
    return changed_structures


def _save_revisions(structure_ids: set[int], user=None) -> None:
    """Structures edited in the admin get a revision of the imported state (the editor opens the latest one).

    Their references are indexed by the import's one batch task (``announce``), not one task per save.
    """
    with disable_reference_index_auto_update():
        for structure in Structure.objects.filter(pk__in=structure_ids, latest_revision__isnull=False):
            pending = structure.has_unpublished_changes
            revision = structure.save_revision(user=user, clean=False, log_action=True)
            if structure.live and not pending:
                Structure.objects.filter(pk=structure.pk).update(live_revision=revision, has_unpublished_changes=False)


@dataclass
class Written:
    """What the writers changed, for the writers after them and for the search index."""

    structures: set[int] = field(default_factory=set)  # ids of structures created or changed (people included)
    synonyms: bool = False  # a skill was created or changed: the search synonyms follow
    locations_before: dict = field(default_factory=dict)  # slug -> (latitude, longitude) before the import


def write_taxonomy(cleaned: dict, report: ImportReport, written: Written, user=None) -> None:
    written.synonyms |= _apply_taxonomy(cleaned, report)


def write_structures(cleaned: dict, report: ImportReport, written: Written, user=None) -> None:
    written.structures |= _apply_structures(cleaned, report, user)


def write_people(cleaned: dict, report: ImportReport, written: Written, user=None) -> None:
    written.structures |= _apply_people(cleaned, report)


def write_revisions(cleaned: dict, report: ImportReport, written: Written, user=None) -> None:
    _save_revisions(written.structures, user)


# Geocoding sits between the rows and their revisions: the new revision carries the point.
WRITERS = (remember_locations, write_taxonomy, write_structures, write_people, write_locations, write_revisions)


def announce(written: Written) -> None:
    """Say what changed (bulk writes send no model signals); the search app listens and reindexes.

    Wagtail's own indexes (references, admin search) of the written structures: one task after commit.
    """
    announce_structures_changed(sender=apply, structure_ids=written.structures, synonyms=bool(written.synonyms))
    refresh_object_indexes_on_commit(written.structures)


# Which files' rows a writer has dealt with once it returns, for ``apply``'s progress.
WRITER_KINDS = {write_taxonomy: ("sectors", "skills"), write_structures: ("structures",), write_people: ("people",)}


def apply(cleaned: dict, report: ImportReport, user=None, progress: Callable[[int], None] | None = None) -> Written:
    """Run every writer on validated records (call inside ``transaction.atomic``), then announce the changes.

    ``progress(rows_written)`` is called after each writer (rows of the files it dealt with, cumulated).
    """
    written = Written()
    done = 0
    for writer in WRITERS:
        writer(cleaned, report, written, user)
        done += sum(len(cleaned.get(kind, [])) for kind in WRITER_KINDS.get(writer, ()))
        if progress:
            progress(done)
    announce(written)
    return written
