"""Directory search for visitors: the page, its live fragment, suggestions, the embed.

One rendering path (``directory_context``) serves the Wagtail page
(``DirectorySearchPage.serve``), the embed (``/embed/annuaire/``) and the
fragment that the JavaScript swaps in without reloading; all of them call the
search service, never the engine client.
"""

import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from directory.models import Sector, Skill
from lagrappe.client_ip import client_bucket

from .. import quality, service
from ..types import (
    CHOICES,
    FACET_NAMES,
    LIST_FACETS,
    MAX_QUERY_LENGTH,
    FacetValue,
    InvalidSearchQuery,
    SearchQuery,
    SearchResult,
)
from .geo import city_coordinates, city_points
from .query import RADIUS_CHOICES_KM, ParsedSearch, Prefilters, parse_search_params, query_string
from .taxonomy import skill_domains

logger = logging.getLogger(__name__)

FRAGMENT_HEADER = "X-Directory-Fragment"  # sent by static/search/directory.js
LOG_HEADER = "X-Directory-Log"  # "0" while typing or replaying history: not a search to log
SORT_LABELS = {"relevance": "Pertinence", "name": "Nom (A → Z)", "newest": "Arrivées récentes", "distance": "Distance"}
FACET_TITLES = {
    "categories": "Catégorie",
    "memberships": "Appartenance",
    "skills": "Compétences",
    "sectors": "Secteurs",
    "cities": "Ville",
}
HIGHLIGHT_LABELS = {
    "description": "Description",
    "skills": "Compétences",
    "sectors": "Secteurs",
    "people": "Personnes",
    "city": "Ville",
}
_MARK = re.compile(r"(</?mark>)")


def safe_highlight(fragment: str) -> str:
    """Keep only ``<mark>`` tags of an (already escaped) engine fragment.

    The service promises escaped text; anything that still looks like a tag is
    escaped here anyway, so a bug elsewhere cannot turn into injected HTML.
    """
    parts = _MARK.split(fragment or "")
    return mark_safe("".join(p if _MARK.fullmatch(p) else p.replace("<", "&lt;").replace(">", "&gt;") for p in parts))


def is_fragment_request(request) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def record_search(request, parsed: ParsedSearch, result: SearchResult) -> str | None:
    """Queue the search for the search-quality log (``search.quality``); its token, or None.

    Fetches made while the visitor is still typing, or replaying history, are
    not logged (``X-Directory-Log: 0``): « p », « pa », « pan »… are not searches.
    Nothing is written to the database on this GET: the worker writes the log.
    Logging never costs a visitor their results.
    """
    if request.headers.get(LOG_HEADER) == "0":
        return None
    if not parsed.query.has_criteria:
        return None  # the plain listing (any sort, any page) is browsing, not a search
    try:
        return quality.record_search(parsed.query, result, client=client_bucket(request))
    except Exception:
        logger.exception("record_search failed")
        return None


def click_url(structure, search_token: str | None, position: int) -> str | None:
    """The click endpoint for a result's ``ping`` (rank and query kept), or None when the search was not logged."""
    if search_token is None:
        return None
    try:
        endpoint = reverse("search_click")
    except NoReverseMatch:
        return None
    return endpoint + "?" + urlencode({"structure": structure.slug, "q": search_token, "position": position})


def _facet_entries(name: str, values: list[FacetValue], selected: list[str], base_qs) -> list[dict]:
    entries = [{"value": v.value, "label": v.label, "count": v.count, "selected": v.value in selected} for v in values]
    known = {v.value for v in values}
    for value in selected:  # a chosen value the engine no longer counts must stay uncheckable
        if value not in known:
            label = CHOICES.get(name, {}).get(value, value)
            entries.insert(0, {"value": value, "label": label, "count": 0, "selected": True})
    used = set()
    for index, entry in enumerate(entries):
        # Ids follow the value, not the position, so focus survives a live refresh.
        entry_id = f"f-{name}-{slugify(entry['value']) or index}"
        entry["id"] = entry_id if entry_id not in used else f"{entry_id}-{index}"
        used.add(entry["id"])
    return entries


def facet_panels(parsed: ParsedSearch, result: SearchResult, prefilters: Prefilters) -> list[dict]:
    """The result's facets as the page draws them, in display order, minus the ones the page has locked."""
    selected = parsed.query.selected_facets()
    facets = []
    for name in FACET_NAMES:
        if name in prefilters.locked:
            continue
        entries = _facet_entries(name, result.facets.get(name, []), selected[name], None)
        facet = {
            "name": name,
            "param": "city" if name == "cities" else name,
            "title": FACET_TITLES[name],
            "entries": entries,
            "single": name == "cities",
            "selected_count": len(selected[name]),
        }
        if name == "skills":
            facet["groups"] = group_skills(entries)
        facets.append(facet)
    return facets


def group_skills(entries: list[dict]) -> list[dict]:
    """Skills facet grouped by domain, domains in their editorial order."""
    domains = skill_domains([e["value"] for e in entries])
    groups: dict[object, dict] = {}
    for entry in entries:
        domain = domains.get(entry["value"])
        key = domain[0] if domain else None
        if key not in groups:
            groups[key] = {
                "name": domain[1] if domain else "Autres compétences",
                "order": (0, domain[2], domain[1]) if domain else (1, 0, ""),
                "entries": [],
            }
        groups[key]["entries"].append(entry)
    ordered = sorted(groups.values(), key=lambda g: g["order"])
    for group in ordered:
        group["open"] = any(e["selected"] for e in group["entries"])
    return ordered


def build_hits(result: SearchResult, search_token: str | None = None) -> list[dict]:
    hits = []
    for position, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
        structure = hit.structure
        highlights = {h.field: [safe_highlight(f) for f in h.fragments] for h in hit.highlights}
        hits.append(
            {
                "structure": structure,
                "url": structure.get_absolute_url(),
                "ping_url": click_url(structure, search_token, position),
                "profile_url": structure.get_absolute_url(),
                "position": position,
                "name_html": highlights.pop("name", [None])[0],
                "summary_html": (highlights.pop("summary", None) or [None])[0],
                "other_highlights": [(HIGHLIGHT_LABELS.get(f, f), frags) for f, frags in highlights.items() if frags],
                "distance_km": hit.distance_km,
                "memberships": list(structure.memberships.all()),
            }
        )
    return hits


def map_points(hits: list[dict]) -> list[dict]:
    return [
        {
            "id": h["structure"].pk,
            "name": h["structure"].name,
            "url": h["profile_url"],
            "lat": h["structure"].latitude,
            "lon": h["structure"].longitude,
            "city": h["structure"].city,
        }
        for h in hits
        if h["structure"].has_location
    ]


def pagination(parsed: ParsedSearch, result: SearchResult, prefilters: Prefilters) -> dict | None:
    total_pages = result.total_pages
    if total_pages <= 1:
        return None
    current = parsed.query.page
    numbers = sorted({1, total_pages, *range(max(1, current - 2), min(total_pages, current + 2) + 1)})
    items, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            items.append({"gap": True})
        items.append(
            {"number": number, "url": query_string(parsed, prefilters, page=number), "current": number == current}
        )
        previous = number
    return {
        "items": items,
        "previous_url": query_string(parsed, prefilters, page=current - 1) if current > 1 else None,
        "next_url": query_string(parsed, prefilters, page=current + 1) if current < total_pages else None,
        "total_pages": total_pages,
    }


def filter_labels(query: SearchQuery) -> dict[str, dict[str, str]]:
    """What a visitor reads for each chosen value: « Photovoltaïque », not « photovoltaique »."""
    return {
        **CHOICES,
        "skills": dict(Skill.objects.filter(slug__in=query.skills).values_list("slug", "name")) if query.skills else {},
        "sectors": (
            dict(Sector.objects.filter(slug__in=query.sectors).values_list("slug", "name")) if query.sectors else {}
        ),
    }


def active_filters(parsed: ParsedSearch, prefilters: Prefilters) -> list[dict]:
    """One removable chip per filter the visitor chose (the page's own pre-filters are not theirs to remove)."""
    q = parsed.query
    labels = filter_labels(q)
    chips = []
    selected = q.selected_facets()
    for name in LIST_FACETS:
        if name in prefilters.locked:
            continue
        for value in selected[name]:
            rest = [v for v in selected[name] if v != value]
            chips.append(
                {
                    "label": labels[name].get(value, value),
                    "kind": FACET_TITLES[name],
                    "url": query_string(parsed, prefilters, page=1, **{name: rest}),
                }
            )
    if q.city and "cities" not in prefilters.locked:
        chips.append(
            {"label": q.city, "kind": FACET_TITLES["cities"], "url": query_string(parsed, prefilters, city="", page=1)}
        )
    if q.near:
        where = parsed.around or "votre position"
        chips.append(
            {
                "label": f"À {parsed.radius_km} km de {where}",
                "kind": "Distance",
                "url": query_string(parsed, prefilters, around="", lat="", lon="", radius="", sort="", page=1),
            }
        )
    return chips


class PageOutOfRange(Exception):
    """``?page=99`` beyond the last page: the page answers with a redirect to ``url`` (the last page)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def no_result_hints(parsed: ParsedSearch, result: SearchResult, prefilters: Prefilters) -> list[dict]:
    """Ways out of an empty page: the engine's spelling, then removing each filter."""
    hints = []
    q = parsed.query
    if result.suggestion and result.suggestion != q.text:
        hints.append(
            {
                "label": f"Rechercher « {result.suggestion} »",
                "url": query_string(parsed, prefilters, q=result.suggestion, page=1),
            }
        )
    selected = q.selected_facets()
    labels = filter_labels(q)
    for name in LIST_FACETS:
        if name in prefilters.locked:
            continue
        for value in selected[name]:
            rest = [v for v in selected[name] if v != value]
            label = labels[name].get(value, value)
            hints.append(
                {
                    "label": f"Retirer le filtre « {label} »",
                    "url": query_string(parsed, prefilters, page=1, **{name: rest}),
                }
            )
    if q.city and "cities" not in prefilters.locked:
        hints.append(
            {"label": f"Retirer la ville « {q.city} »", "url": query_string(parsed, prefilters, city="", page=1)}
        )
    if q.near:
        wider = next((r for r in RADIUS_CHOICES_KM if r > parsed.radius_km), None)
        if wider:
            hints.append(
                {
                    "label": f"Élargir le rayon à {wider} km",
                    "url": query_string(parsed, prefilters, radius=str(wider), page=1),
                }
            )
        hints.append(
            {
                "label": "Retirer la recherche par distance",
                "url": query_string(parsed, prefilters, around="", lat="", lon="", radius="", sort="", page=1),
            }
        )
    if q.text:
        hints.append(
            {"label": f"Retirer le texte « {q.text} »", "url": query_string(parsed, prefilters, q="", sort="", page=1)}
        )
    return hints


def default_sort(query: SearchQuery) -> str:
    """The order a search gets when the visitor has not chosen one (see parse_search_params)."""
    if query.near:
        return "distance"
    return "relevance" if query.text else "name"


def announcement(result: SearchResult, parsed: ParsedSearch) -> str:
    if result.total == 0:
        return "Aucune structure ne correspond à votre recherche."
    noun = "structure trouvée" if result.total == 1 else "structures trouvées"
    text = f"{result.total} {noun}"
    if result.total_pages > 1:
        text += f", page {parsed.query.page} sur {result.total_pages}"
    return text + "."


def directory_context(request, *, base_url: str, prefilters: Prefilters | None = None, embed: bool = False) -> dict:
    """Everything the directory templates need, for a page, the embed or a fragment."""
    prefilters = prefilters or Prefilters()
    parsed = parse_search_params(request.GET, prefilters, city_coordinates)
    try:
        result = service.search_structures(parsed.query)
    except InvalidSearchQuery as exc:
        # parse_search_params already dropped what it knows is wrong; this is the
        # service's own check: show its French message and search without extras.
        parsed.errors.append(exc.message)
        parsed.query = SearchQuery(**{name: getattr(parsed.query, name) for name in LIST_FACETS})
        result = service.search_structures(parsed.query)
    if parsed.query.page > result.total_pages and result.total:
        # « page 99 sur 2 » above « Aucune structure ne correspond » helped no one.
        raise PageOutOfRange(_join(base_url, query_string(parsed, prefilters, page=result.total_pages)))
    search_token = record_search(request, parsed, result)
    hits = build_hits(result, search_token)
    q = parsed.query
    return {
        "search": parsed,
        "query": q,
        "result": result,
        "hits": hits,
        "facets": facet_panels(parsed, result, prefilters),
        "prefilters": prefilters,
        "prefilter_params": prefilters.as_params(),
        "pagination": pagination(parsed, result, prefilters),
        "hints": no_result_hints(parsed, result, prefilters) if result.total == 0 else [],
        "announcement": announcement(result, parsed),
        "base_url": base_url,
        "embed": embed,
        "default_sort": default_sort(q),
        "sort_choices": [(k, v) for k, v in SORT_LABELS.items() if k != "distance" or q.near],
        "radius_choices": RADIUS_CHOICES_KM,
        "cities": city_points(),
        "current_url": _join(base_url, query_string(parsed, prefilters)),
        "list_url": query_string(parsed, prefilters, view="list", page=1),
        "map_url": query_string(parsed, prefilters, view="map", page=1),
        "map_points": map_points(hits) if parsed.view == "map" else [],
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "suggest_url": reverse("directory_suggest"),
        "max_query_length": MAX_QUERY_LENGTH,
        "active_filter_count": sum(
            len(values) for name, values in q.selected_facets().items() if name not in prefilters.locked
        )
        + (1 if q.near else 0),
        "active_filters": active_filters(parsed, prefilters),
        "has_filters": q.has_criteria,
        "reset_url": base_url,
    }


def _join(base_url: str, qs: str) -> str:
    return base_url if qs == "?" else base_url + qs


def finish(request, response):
    """Fragments and full pages share a URL: caches must tell them apart."""
    patch_vary_headers(response, [FRAGMENT_HEADER])
    return response


def frame_ancestors_header() -> str:
    origins = " ".join(o.rstrip("/") for o in settings.EMBED_ALLOWED_ORIGINS)
    return f"frame-ancestors 'self' {origins}".strip()


@require_GET
@xframe_options_exempt
def directory_embed(request):
    """``/embed/annuaire/``: the same search with minimal chrome, for partner iframes.

    X-Frame-Options is lifted here only; CSP ``frame-ancestors`` lists the
    partner origins allowed to frame it (``EMBED_ALLOWED_ORIGINS``).
    """
    try:
        context = directory_context(request, base_url=reverse("directory_embed"), embed=True)
    except PageOutOfRange as exc:
        response = redirect(exc.url)
        response["Content-Security-Policy"] = frame_ancestors_header()
        return finish(request, response)
    template = "search/_results.html" if is_fragment_request(request) else "search/embed.html"
    response = render(request, template, context)
    response["Content-Security-Policy"] = frame_ancestors_header()
    return finish(request, response)


@require_GET
def directory_suggest(request):
    """Suggestions for the combobox: ``{"suggestions": [{"kind", "label", "slug", "url"}]}``."""
    prefix = " ".join((request.GET.get("q") or "").split())[:MAX_QUERY_LENGTH]
    if len(prefix) < 2:
        return JsonResponse({"suggestions": []})
    kinds = {"structure": "Structure", "skill": "Compétence"}
    suggestions = [
        {
            "kind": s.kind,
            "kind_label": kinds.get(s.kind, s.kind),
            "label": s.label,
            "slug": s.slug,
            "url": reverse("structure_detail", kwargs={"slug": s.slug}) if s.kind == "structure" else None,
        }
        for s in service.suggest(prefix, limit=8)
    ]
    response = JsonResponse({"suggestions": suggestions})
    response["Cache-Control"] = "public, max-age=60"
    return response
