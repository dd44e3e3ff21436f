"""Open data: the published directory as GeoJSON and CSV, for partners and open-data portals.

Published structures only, public fields only, and no people at all: consent to
appear on a profile page is not consent to be redistributed in bulk files.
Both responses stream (rows fetched in chunks), so 200,000 structures never sit
in memory.
"""

import json

from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from lagrappe.spreadsheets import InertCSVWriter

from .columns import STRUCTURE_COLUMNS
from .exporting import structure_records, structure_rows
from .models import Structure
from .models.structures import APPROXIMATE_PRECISIONS, CATEGORY_LABELS

CACHE_SECONDS = 900
# The French public sector's default open licence; the directory page says the same.
LICENCE_NAME = "Licence Ouverte 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ATTRIBUTION = "Annuaire LaGrappe (initiativesETcité)"


def _feature(s: dict, base_url: str) -> dict:
    geometry = None
    if s["latitude"] is not None and s["longitude"] is not None:
        # GeoJSON order is [longitude, latitude] (RFC 7946).
        geometry = {"type": "Point", "coordinates": [s["longitude"], s["latitude"]]}
    return {
        "type": "Feature",
        "id": s["slug"],
        "geometry": geometry,
        "properties": {
            "slug": s["slug"],
            "name": s["name"],
            "category": s["category"],
            "category_label": CATEGORY_LABELS.get(s["category"], s["category"]),
            "legal_form": s["legal_form"],
            "memberships": s["memberships"],
            "summary": s["summary"],
            "skills": s["skills"],
            "sectors": s["sectors"],
            "address": s["address"],
            "postcode": s["postcode"],
            "city": s["city"],
            "website": s["website"],
            "email": s["email"],
            "phone": s["phone"],
            "founded": s["founded"],
            # The point is a street's or a commune's centre, not the address (directory.geocoding):
            # a map should not pin it as the door. Null when there is no point.
            "approximate": None if geometry is None else s["location_precision"] in APPROXIMATE_PRECISIONS,
            "url": f"{base_url}/annuaire/structures/{s['slug']}/",
        },
    }


def _geojson_chunks(base_url: str):
    # Foreign members (RFC 7946 §6.1): the licence travels with the file.
    header = {"name": ATTRIBUTION, "license": LICENCE_NAME, "license_url": LICENCE_URL}
    yield '{"type": "FeatureCollection", ' + json.dumps(header, ensure_ascii=False)[1:-1] + ', "features": ['
    separator = ""
    for record in structure_records(Structure.objects.public()):
        yield separator + json.dumps(_feature(record, base_url), ensure_ascii=False)
        separator = ","
    yield "]}"


class _Echo:
    """csv.writer target that hands each line back instead of storing it."""

    def write(self, value):
        return value


def _csv_lines(base_url: str):
    writer = InertCSVWriter(_Echo(), lineterminator="\n")  # names and phones are never evaluated
    yield "\ufeff"  # BOM: spreadsheet software then reads the accents as UTF-8
    yield writer.writerow([*STRUCTURE_COLUMNS, "url"])
    for row in structure_rows(Structure.objects.public()):
        yield writer.writerow([*row, f"{base_url}/annuaire/structures/{row[0]}/"])


def _streaming(chunks, content_type: str, filename: str):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any portal may fetch it
    response["Link"] = f'<{LICENCE_URL}>; rel="license"; title="{LICENCE_NAME}"'
    return response


@require_GET
def structures_geojson(request):
    base_url = request.build_absolute_uri("/")[:-1]
    return _streaming(_geojson_chunks(base_url), "application/geo+json; charset=utf-8", "structures.geojson")


@require_GET
def structures_csv(request):
    base_url = request.build_absolute_uri("/")[:-1]
    return _streaming(_csv_lines(base_url), "text/csv; charset=utf-8", "structures.csv")
