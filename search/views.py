"""The click endpoint of the search-quality loop: log which result was chosen, then go to it."""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from directory.models import Structure

from .quality import record_click


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@csrf_exempt  # a logged click changes nothing a visitor owns; links and sendBeacon must both work
@require_http_methods(["GET", "POST"])
def search_click(request):
    """``/annuaire/clic/?structure=<slug>&q=<search id>&position=<rank>`` -> the structure's profile."""
    params = request.POST if request.method == "POST" else request.GET
    structure = Structure.objects.public().filter(slug=params.get("structure", "")).first()
    if structure is None:
        raise Http404("Structure introuvable.")
    record_click(structure, _int_or_none(params.get("q")), _int_or_none(params.get("position")))
    return redirect(structure.get_absolute_url())
