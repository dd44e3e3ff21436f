"""Demo directory: taxonomy, LaGrappe's permanent tenants and a few hundred seeded structures.

``load_directory_demo()`` is called by the project's ``load_demo`` command. It is
idempotent: the taxonomy and tenants are upserted by slug, seeded structures
whose slug exists are skipped, and the moderation workflow is reused.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import seed_data as data
from .changes import announce_structures_changed
from .models import Membership, Person, Sector, Skill, Structure
from .moderation import ensure_moderation_workflow
from .seed import DEFAULT_SEED, ensure_taxonomy, seed_directory

DEMO_STRUCTURE_COUNT = 300


@transaction.atomic
def load_tenants() -> int:
    """Upsert the hand-written permanent tenants (published, people replaced by name)."""
    published_at = timezone.make_aware(dt.datetime(2026, 1, 15, 9, 0))
    for tenant in data.TENANTS:
        fields = {
            key: tenant[key]
            for key in (
                "name",
                "category",
                "legal_form",
                "summary",
                "description",
                "address",
                "postcode",
                "city",
                "latitude",
                "longitude",
                "founded",
                "website",
                "email",
                "phone",
            )
        }
        fields["joined"] = dt.date.fromisoformat(tenant["joined"])
        structure, created = Structure.objects.get_or_create(
            slug=tenant["slug"],
            defaults={**fields, "live": True, "first_published_at": published_at, "last_published_at": published_at},
        )
        if not created:
            continue  # an editor may have changed it since: never overwrite their work
        structure.memberships.set(Membership.objects.filter(slug__in=tenant["memberships"]))
        structure.skills.set(Skill.objects.filter(name__in=tenant["skills"]))
        structure.sectors.set(Sector.objects.filter(name__in=tenant["sectors"]))
        structure.save()
        for order, (first, last, role, public) in enumerate(tenant["people"]):
            Person.objects.create(
                structure=structure,
                first_name=first,
                last_name=last,
                role=role,
                public=public,
                sort_order=order,
                email=f"{first.lower()}@{tenant['email'].split('@')[1]}".replace("é", "e").replace("ï", "i"),
            )
    return len(data.TENANTS)


def load_directory_demo(count: int = DEMO_STRUCTURE_COUNT, progress: bool = False) -> dict:
    """Taxonomy + tenants + ``count`` seeded structures + the moderation workflow."""
    ensure_taxonomy()
    tenants = load_tenants()
    totals = seed_directory(count, seed=DEFAULT_SEED, progress=progress)
    ensure_moderation_workflow()
    # Seeding writes in bulk (no model signals): say so, the search app queues the demo for its index.
    announce_structures_changed(
        sender=load_directory_demo, structure_ids=Structure.objects.values_list("id", flat=True), synonyms=True
    )
    return {"tenants": tenants, **totals}
