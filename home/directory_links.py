"""What the editorial pages show of the directory: its address, popular skills, newcomers.

The home page leads visitors to the directory (search box, skills, recent
structures) and profiles link their skills to the directory search; all ask here
for the directory's address instead of hard-coding ``/annuaire/``.
"""

from django.apps import apps
from django.db.models import Count, F

from directory.models import Skill, Structure

FALLBACK_DIRECTORY_URL = "/annuaire/"


def main_directory_page():
    """The live, public search page without pre-filters (« L’annuaire », not « Locataires permanents »)."""
    # From the app registry, not an import: home.models loads this module, and importing
    # search.pages from there would register the page types in another order (the
    # committed GraphQL schema lists them in INSTALLED_APPS order).
    search_page = apps.get_model("search", "DirectorySearchPage")
    for page in search_page.objects.live().public().order_by("path"):
        if not page.prefilters.as_params():
            return page
    return None


def directory_url(request=None) -> str:
    page = main_directory_page()
    url = page.get_url(request=request) if page is not None else None
    return url or FALLBACK_DIRECTORY_URL


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
