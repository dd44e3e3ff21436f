"""What a structure's public profile shows: shared by the profile view and the admin preview.

No import of the models: ``Structure.get_preview_context`` calls this module,
which reaches the structure's manager through the instance.
"""

from django.conf import settings
from django.db.models import Case, Count, Value, When

from directory.schema_org import structure_jsonld

NEARBY_LIMIT = 4


def structures_sharing_skills(structure, skills, limit=NEARBY_LIMIT) -> list:
    """« Structures proches » : published structures holding the most of these skills, same town first.

    One query whatever the number of skills (the profile's query count is tested).
    """
    if not skills:
        return []
    return list(
        type(structure)
        .objects.public()
        .filter(skills__in=skills)
        .exclude(pk=structure.pk)
        .annotate(
            shared_skills=Count("skills", distinct=True),
            same_city=Case(When(city__iexact=structure.city or "", then=Value(1)), default=Value(0)),
        )
        .order_by("-shared_skills", "-same_city", "name")[:limit]
    )


def profile_context(request, structure, people):
    """Context shared by the public profile and the admin preview."""
    skills = list(structure.skills.all())
    base_url = request.build_absolute_uri("/")[:-1] if request else ""
    return {
        "structure": structure,
        "people": people,
        "skills": skills,
        "sectors": list(structure.sectors.all()),
        "memberships": list(structure.memberships.all()),
        "nearby": structures_sharing_skills(structure, skills),
        "jsonld": structure_jsonld(structure, base_url=base_url),
        "absolute_url": base_url + structure.get_absolute_url(),
        "base_url": base_url,
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
