from django.shortcuts import get_object_or_404, render

from directory.models import Structure


def structure_detail(request, slug):
    """Public profile of a published structure (drafts answer 404)."""
    structure = get_object_or_404(Structure.objects.public().with_related(), slug=slug)
    return render(request, "directory/structure_detail.html", {"structure": structure, "people": structure.get_public_people()})
