"""Receivers that turn directory changes into outbox rows (connected in ``SearchConfig.ready``).

Every receiver only *finds the affected structure ids* and calls ``sync.enqueue``;
the work happens after commit. Deletions of taxonomy rows are caught in
``pre_delete``, while the relations that say which structures are affected still exist.
"""

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from wagtail.signals import published, unpublished

from directory.changes import structures_changed
from directory.models import Person, Sector, Skill, SkillDomain, Structure

from . import sync
from .base import forget_taxonomy_labels


def taxonomy_changed() -> None:
    """Facet labels are cached (``base.taxonomy_labels``): forget them now and once the change is committed."""
    forget_taxonomy_labels()
    transaction.on_commit(forget_taxonomy_labels)


def structures_with_skills(skill_filter: Q) -> list[int]:
    """Structures holding these skills, directly or through one of their people."""
    direct = Structure.objects.filter(**{"skills__in": Skill.objects.filter(skill_filter)}).values_list("pk", flat=True)
    via_people = Person.objects.filter(skills__in=Skill.objects.filter(skill_filter)).values_list(
        "structure_id", flat=True
    )
    return sorted(set(direct) | set(via_people))


def on_structure_saved(sender, instance, **kwargs):
    sync.enqueue([instance.pk])


def on_structure_deleted(sender, instance, **kwargs):
    sync.enqueue([instance.pk])


def on_person_changed(sender, instance, **kwargs):
    if instance.structure_id:
        sync.enqueue([instance.structure_id])


def on_structure_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Structure):
        sync.enqueue([instance.pk])
    elif pk_set:  # from the other side: skill.structures.add(...)
        sync.enqueue(pk_set)
    elif action == "post_clear":
        pass  # reverse clear: pre_clear below captured the ids


def on_structure_m2m_pre_clear(sender, instance, action, reverse, **kwargs):
    if action == "pre_clear" and reverse and not isinstance(instance, Structure):
        sync.enqueue(instance.structures.values_list("pk", flat=True))


def on_person_skills_changed(sender, instance, action, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Person):
        sync.enqueue([instance.structure_id])
    elif pk_set:
        sync.enqueue(Person.objects.filter(pk__in=pk_set).values_list("structure_id", flat=True))


def on_skill_saved(sender, instance, created=False, **kwargs):
    taxonomy_changed()
    if created:
        return  # nothing holds it yet
    # Name, domain or synonyms may have changed: documents and the engine's synonym list.
    sync.enqueue(structures_with_skills(Q(pk=instance.pk)), synonyms=True)


def on_skill_deleted(sender, instance, **kwargs):
    taxonomy_changed()
    sync.enqueue(structures_with_skills(Q(pk=instance.pk)), synonyms=True)


def on_domain_changed(sender, instance, created=False, **kwargs):
    # Name or synonyms may have changed: documents and the engine's synonym rules (a new index,
    # built and swapped by the worker: the live one is never closed).
    if created and not instance.synonyms:
        return
    sync.enqueue(structures_with_skills(Q(domain_id=instance.pk)), synonyms=True)


def on_sector_changed(sender, instance, created=False, **kwargs):
    taxonomy_changed()
    if created and not instance.synonyms:
        return
    structure_ids = [] if created else instance.structures.values_list("pk", flat=True)
    sync.enqueue(structure_ids, synonyms=True)


def on_structures_changed(sender, structure_ids, synonyms=False, **kwargs):
    """Bulk writers of the directory (imports, the demo) announce what they wrote."""
    taxonomy_changed()
    sync.enqueue(structure_ids, synonyms=synonyms)


def connect() -> None:
    uid = "search-sync"
    post_save.connect(on_structure_saved, sender=Structure, dispatch_uid=f"{uid}-structure-save")
    post_delete.connect(on_structure_deleted, sender=Structure, dispatch_uid=f"{uid}-structure-delete")
    published.connect(on_structure_saved, sender=Structure, dispatch_uid=f"{uid}-structure-published")
    unpublished.connect(on_structure_saved, sender=Structure, dispatch_uid=f"{uid}-structure-unpublished")
    post_save.connect(on_person_changed, sender=Person, dispatch_uid=f"{uid}-person-save")
    post_delete.connect(on_person_changed, sender=Person, dispatch_uid=f"{uid}-person-delete")
    for through in (Structure.skills.through, Structure.sectors.through, Structure.memberships.through):
        m2m_changed.connect(on_structure_m2m_changed, sender=through, dispatch_uid=f"{uid}-m2m-{through.__name__}")
        m2m_changed.connect(on_structure_m2m_pre_clear, sender=through, dispatch_uid=f"{uid}-clear-{through.__name__}")
    m2m_changed.connect(on_person_skills_changed, sender=Person.skills.through, dispatch_uid=f"{uid}-person-skills")
    post_save.connect(on_skill_saved, sender=Skill, dispatch_uid=f"{uid}-skill-save")
    pre_delete.connect(on_skill_deleted, sender=Skill, dispatch_uid=f"{uid}-skill-delete")
    post_save.connect(on_domain_changed, sender=SkillDomain, dispatch_uid=f"{uid}-domain-save")
    pre_delete.connect(on_domain_changed, sender=SkillDomain, dispatch_uid=f"{uid}-domain-delete")
    post_save.connect(on_sector_changed, sender=Sector, dispatch_uid=f"{uid}-sector-save")
    pre_delete.connect(on_sector_changed, sender=Sector, dispatch_uid=f"{uid}-sector-delete")
    structures_changed.connect(on_structures_changed, dispatch_uid=f"{uid}-bulk")
