"""``{% directory_excerpt value %}``: renders the editorial body's ``home.blocks.DirectoryBlock``.

The block only stores what to show; the structures come from the search
service (published only) and « Voir tout » leads to the unfiltered directory page.
"""

from urllib.parse import urlencode

from django import template

from search import service
from search.types import LIST_FACETS, SearchQuery

from ..models import DirectorySearchPage

register = template.Library()


def excerpt_context(value) -> dict:
    filters = {name: list(value.get(name) or []) for name in LIST_FACETS}
    city = (value.get("city") or "").strip()
    query = SearchQuery(**filters, city=city or None, sort="name", per_page=value.get("limit") or 6)
    result = service.search_structures(query)
    params = [(name, v) for name, values in filters.items() for v in values] + ([("city", city)] if city else [])
    # « Voir tout » leads to the unfiltered directory page (not « Locataires permanents »).
    directory = next(
        (p for p in DirectorySearchPage.objects.live().public().order_by("path") if not p.prefilters.locked), None
    )
    more_url = None
    if directory is not None:
        more_url = directory.url + (("?" + urlencode(params)) if params else "")
    return {"result": result, "structures": [hit.structure for hit in result.hits], "more_url": more_url}


@register.inclusion_tag("directory_pages/directory_excerpt.html")
def directory_excerpt(value, block_id=None):
    return {"value": value, "block_id": block_id, **excerpt_context(value)}
