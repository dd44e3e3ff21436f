"""How editorial templates show the directory, without the editorial app importing it.

- ``{% directory_excerpt value %}`` renders the body's ``home.blocks.DirectoryBlock``:
  the block only stores what to show; the structures come from the search
  service (published only) and « Voir tout » leads to the unfiltered directory page.
- ``{% directory_url %}``: the address of « L’annuaire », for links and search forms.
"""

from urllib.parse import urlencode

from django import template

from search import service
from search.types import LIST_FACETS, SearchQuery

from ..models import DirectorySearchPage

register = template.Library()

FALLBACK_DIRECTORY_URL = "/annuaire/"


def excerpt_context(value) -> dict:
    filters = {name: list(value.get(name) or []) for name in LIST_FACETS}
    city = (value.get("city") or "").strip()
    query = SearchQuery(**filters, city=city or None, sort="name", per_page=value.get("limit") or 6)
    result = service.search_structures(query)
    params = [(name, v) for name, values in filters.items() for v in values] + ([("city", city)] if city else [])
    # « Voir tout » leads to the unfiltered directory page (not « Locataires permanents »).
    directory = DirectorySearchPage.main()
    more_url = None
    if directory is not None:
        more_url = directory.url + (("?" + urlencode(params)) if params else "")
    return {"result": result, "structures": [hit.structure for hit in result.hits], "more_url": more_url}


@register.simple_tag(takes_context=True)
def directory_url(context) -> str:
    """Address of the directory search page (« L’annuaire »), for links and search forms."""
    page = DirectorySearchPage.main()
    url = page.get_url(request=context.get("request")) if page is not None else None
    return url or FALLBACK_DIRECTORY_URL


@register.inclusion_tag("directory_pages/directory_excerpt.html")
def directory_excerpt(value, block_id=None):
    return {"value": value, "block_id": block_id, **excerpt_context(value)}
