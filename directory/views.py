"""Public directory pages: structure profiles, the self-service form and open data."""

from django.shortcuts import get_object_or_404, render

from directory.models import Structure
from directory.schema_org import structure_jsonld


def profile_context(request, structure, people):
    """Context shared by the public profile and the admin preview."""
    return {
        "structure": structure,
        "people": people,
        "skills": list(structure.skills.all()),
        "sectors": list(structure.sectors.all()),
        "memberships": list(structure.memberships.all()),
        "jsonld": structure_jsonld(structure, base_url=request.build_absolute_uri("/")[:-1] if request else ""),
    }


def structure_detail(request, slug):
    """Public profile of a published structure (drafts answer 404)."""
    structure = get_object_or_404(Structure.objects.public().with_related(), slug=slug)
    return render(
        request, "directory/structure_detail.html", profile_context(request, structure, structure.get_public_people())
    )
