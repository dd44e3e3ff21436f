"""Turn a query string into a ``SearchQuery``, and a ``SearchQuery`` back into a query string.

The address bar is the state of the search: everything a visitor chose is a GET
parameter, so a link can be shared and the back button works. Bad values never
raise a 500: the parameter at fault is dropped and a French message names it.
"""

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from ..types import DEFAULT_PER_PAGE, LIST_FACETS, MAX_QUERY_LENGTH, SORTS, GeoPoint, SearchQuery, unknown_choices

# Names of the GET parameters (also used by the templates and the JavaScript): one per list facet.
LIST_PARAMS = LIST_FACETS
UNKNOWN_CHOICE_MESSAGES = {"categories": "Catégorie inconnue ignorée", "memberships": "Appartenance inconnue ignorée"}
RADIUS_CHOICES_KM = (2, 5, 10, 25, 50)
DEFAULT_RADIUS_KM = 10
MAP_PER_PAGE = 100  # the map shows up to this many markers at once
VIEWS = ("list", "map")


@dataclass
class Prefilters:
    """Filters fixed by the page (« Locataires permanents ») that a visitor cannot remove."""

    categories: list[str] = field(default_factory=list)
    memberships: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    city: str = ""

    @property
    def locked(self) -> set[str]:
        """Facet names whose values come from the page, not from the visitor."""
        names = {name for name in LIST_PARAMS if getattr(self, name)}
        if self.city:
            names.add("cities")
        return names

    def as_params(self) -> list[tuple[str, str]]:
        params = [(name, value) for name in LIST_PARAMS for value in getattr(self, name)]
        if self.city:
            params.append(("city", self.city))
        return params


@dataclass
class ParsedSearch:
    """What the page needs beyond the ``SearchQuery``: display options and errors."""

    query: SearchQuery
    view: str = "list"
    around: str = ""  # city name whose coordinates are the distance reference
    errors: list[str] = field(default_factory=list)

    @property
    def radius_km(self) -> int | float:
        return self.query.near.radius_km if self.query.near else DEFAULT_RADIUS_KM


def _clean_list(values: list[str]) -> list[str]:
    seen = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen[:50]  # a visitor never needs more; keeps URLs and queries bounded


def _float(raw: str | None) -> float | None:
    try:
        return float(raw.replace(",", ".")) if raw not in (None, "") else None
    except ValueError:
        return None


def parse_search_params(params, prefilters: Prefilters | None = None, city_coordinates=None) -> ParsedSearch:
    """Build the query from ``request.GET``; drop (and explain) anything invalid.

    ``city_coordinates`` is a callable ``name -> (lat, lon) | None`` used for
    « autour d’une ville » (``directory_context`` passes ``search.web.geo.city_coordinates``).
    """
    prefilters = prefilters or Prefilters()
    errors: list[str] = []

    text = " ".join((params.get("q") or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        errors.append(f"Recherche trop longue : seuls les {MAX_QUERY_LENGTH} premiers caractères sont utilisés.")
        text = text[:MAX_QUERY_LENGTH]

    chosen = {name: _clean_list(params.getlist(name)) for name in LIST_PARAMS}
    for name, message in UNKNOWN_CHOICE_MESSAGES.items():
        bad = unknown_choices(name, chosen[name])
        if bad:
            errors.append(f"{message} : « {bad[0]} ».")
            chosen[name] = [value for value in chosen[name] if value not in bad]
    # The page's pre-filters win over whatever the query string says for the same facet.
    for name in LIST_PARAMS:
        if getattr(prefilters, name):
            chosen[name] = list(getattr(prefilters, name))
    city = prefilters.city or (params.get("city") or "").strip() or None

    view = params.get("view") or "list"
    if view not in VIEWS:
        errors.append(f"Affichage inconnu ignoré : « {view} ».")
        view = "list"

    radius = _float(params.get("radius"))
    if radius is None or not 0 < radius <= 1000:
        if params.get("radius"):
            errors.append("Rayon invalide : 10 km utilisés.")
        radius = DEFAULT_RADIUS_KM
    radius = int(radius) if float(radius).is_integer() else radius

    near = None
    around = (params.get("around") or "").strip()
    lat, lon = _float(params.get("lat")), _float(params.get("lon"))
    if lat is not None and lon is not None:
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            near = GeoPoint(latitude=lat, longitude=lon, radius_km=radius)
            around = ""
        else:
            errors.append("Position invalide ignorée (latitude entre -90 et 90, longitude entre -180 et 180).")
    elif params.get("lat") or params.get("lon"):
        errors.append("Position incomplète ou invalide ignorée (il faut une latitude et une longitude).")
    if near is None and around:
        point = city_coordinates(around) if city_coordinates else None
        if point:
            near = GeoPoint(latitude=point[0], longitude=point[1], radius_km=radius)
        else:
            errors.append(f"Ville inconnue pour la recherche par distance : « {around} ».")
            around = ""

    sort = params.get("sort")
    if sort and params.get("auto_sort") == sort:
        # The select still shows the order the page picked by itself (no JavaScript
        # to drop it): the new search gets its own default, not the old one.
        sort = None
    sort = sort or ("distance" if near else "relevance")
    if sort not in SORTS:
        errors.append(f"Tri inconnu ignoré : « {sort} ».")
        sort = "relevance"
    if sort == "distance" and near is None:
        sort = "relevance"
    if sort == "relevance" and not text and near is None:
        sort = "name"  # nothing to rank on: alphabetical is what a visitor expects

    try:
        page = int(params.get("page") or 1)
    except ValueError:
        errors.append("Numéro de page invalide : page 1 affichée.")
        page = 1
    if page < 1:
        page = 1

    query = SearchQuery(
        text=text,
        city=city,
        near=near,
        sort=sort,
        page=page,
        per_page=MAP_PER_PAGE if view == "map" else DEFAULT_PER_PAGE,
        **chosen,
    )
    return ParsedSearch(query=query, view=view, around=around, errors=errors)


def query_params(parsed: ParsedSearch, prefilters: Prefilters | None = None, **changes) -> list[tuple[str, str]]:
    """The GET parameters that reproduce ``parsed`` (minus the page's pre-filters).

    ``changes`` override fields: ``page=2``, ``view="map"``, ``skills=[...]``...
    """
    prefilters = prefilters or Prefilters()
    q = parsed.query
    values = {
        "q": q.text,
        **{name: getattr(q, name) for name in LIST_PARAMS},
        "city": q.city or "",
        "around": parsed.around,
        "lat": "" if (parsed.around or not q.near) else f"{q.near.latitude:.5f}",
        "lon": "" if (parsed.around or not q.near) else f"{q.near.longitude:.5f}",
        "radius": str(parsed.radius_km) if q.near else "",
        "sort": q.sort,
        "view": parsed.view,
        "page": q.page,
    }
    values.update(changes)
    if values["sort"] == _default_sort(values):
        values["sort"] = ""
    if values["view"] == "list":
        values["view"] = ""
    if values["page"] in (1, "1"):
        values["page"] = ""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if name in prefilters.locked or (name == "city" and "cities" in prefilters.locked):
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((name, v) for v in value)
        elif value not in ("", None):
            pairs.append((name, str(value)))
    return pairs


def _default_sort(values) -> str:
    if values["lat"] or values["around"]:
        return "distance"
    return "relevance" if values["q"] else "name"


def query_string(parsed: ParsedSearch, prefilters: Prefilters | None = None, **changes) -> str:
    pairs = query_params(parsed, prefilters, **changes)
    return ("?" + urlencode(pairs)) if pairs else "?"


def with_page(parsed: ParsedSearch, page: int) -> ParsedSearch:
    return replace(parsed, query=replace(parsed.query, page=page))
