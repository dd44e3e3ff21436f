"""What the editorial pages show of the directory: popular skills, newcomers.

The home page leads visitors to the directory (search box, skills, recent
structures). The directory's address comes from the directory pages app, in
the templates (``{% directory_url %}`` of ``directory_pages``): the editorial
app never imports the directory's page type nor the search.
"""

from django.db.models import Count, F

from directory.models import Skill, Structure


def popular_skills(limit: int = 8) -> list:
    """The skills most published structures hold, most common first (ties by name)."""
    return list(
        Skill.objects.filter(structures__in=Structure.objects.public())
        .annotate(structure_count=Count("structures"))
        .order_by("-structure_count", "name")[:limit]
    )


def recent_structures(limit: int = 3) -> list:
    """The latest published structures to join (then the latest created), for « Ils viennent d’arriver »."""
    return list(
        Structure.objects.public()
        .select_related("logo")
        .order_by(F("joined").desc(nulls_last=True), "-created_at", "name")[:limit]
    )
