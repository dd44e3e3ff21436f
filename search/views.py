"""The click endpoint of the search-quality loop: record which result was chosen.

Result links point straight at the profile and carry this endpoint in their
``ping`` attribute: the browser POSTs to it when the link is followed, with
the search's token and rank in the query string. POST only, so a crawler following
links or a prefetching browser writes nothing; throttled and de-duplicated per
client (``search.quality``) so a flood cannot fill the editors' report.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from directory.models import Structure
from lagrappe.client_ip import client_bucket

from .quality import click_allowed, record_click


def _search_token(value) -> str | None:
    """The token of the result links (32 hex digits), or a row id carried by links older than the spool."""
    value = str(value or "")
    if len(value) == 32 and all(c in "0123456789abcdef" for c in value):
        return value
    return value if _int_or_none(value) is not None else None


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@csrf_exempt  # pings and sendBeacon carry no CSRF token; a logged click changes nothing a visitor owns
@require_POST
def search_click(request):
    """``POST /annuaire/clic/?structure=<slug>&q=<search token>&position=<rank>`` -> 204.

    Parameters come from the query string (``<a ping>``) or a form body (``sendBeacon``).
    """
    params = request.POST if request.POST else request.GET
    structure = Structure.objects.public().filter(slug=params.get("structure", "")).first()
    if structure is None:
        raise Http404("Structure introuvable.")
    client = client_bucket(request)
    if not click_allowed(client):
        return HttpResponse(
            "Trop de clics enregistrés depuis cette adresse : réessayez dans une heure.",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    # Queued for the worker like searches (search.quality): the click is written with its search.
    record_click(structure, _search_token(params.get("q")), _int_or_none(params.get("position")), client=client)
    return HttpResponse(status=204)
