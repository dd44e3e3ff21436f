"""Open data: the published directory as GeoJSON and CSV, for partners and open-data portals.

Published structures only, public fields only, and no people at all: consent to
appear on a profile page is not consent to be redistributed in bulk files.
Both responses stream (rows fetched in chunks), so 200,000 structures never sit
in memory.
"""

import csv
import json

from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from .columns import STRUCTURE_COLUMNS
from .exporting import structure_rows
from .models import Structure

CHUNK_SIZE = 2000
CACHE_SECONDS = 900


def public_structures():
    return Structure.objects.public()


def _feature(structure, base_url: str) -> dict:
    geometry = None
    if structure.has_location:
        # GeoJSON order is [longitude, latitude] (RFC 7946).
        geometry = {"type": "Point", "coordinates": [structure.longitude, structure.latitude]}
    return {
        "type": "Feature",
        "id": structure.slug,
        "geometry": geometry,
        "properties": {
            "slug": structure.slug,
            "name": structure.name,
            "category": structure.category,
            "category_label": structure.category_label,
            "legal_form": structure.legal_form,
            "memberships": [m.slug for m in structure.memberships.all()],
            "summary": structure.summary,
            "skills": [s.name for s in structure.skills.all()],
            "sectors": [s.name for s in structure.sectors.all()],
            "address": structure.address,
            "postcode": structure.postcode,
            "city": structure.city,
            "website": structure.website,
            "email": structure.email,
            "phone": structure.phone,
            "founded": structure.founded,
            "url": f"{base_url}{structure.get_absolute_url()}",
        },
    }


def _geojson_chunks(base_url: str):
    yield '{"type": "FeatureCollection", "features": ['
    queryset = public_structures().order_by("slug").prefetch_related("memberships", "skills", "sectors")
    separator = ""
    for structure in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield separator + json.dumps(_feature(structure, base_url), ensure_ascii=False)
        separator = ","
    yield "]}"


class _Echo:
    """csv.writer target that hands each line back instead of storing it."""

    def write(self, value):
        return value


def _csv_lines(base_url: str):
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield "\ufeff"  # BOM: spreadsheet software then reads the accents as UTF-8
    yield writer.writerow([*STRUCTURE_COLUMNS, "url"])
    for row in structure_rows(public_structures()):
        yield writer.writerow([*row, f"{base_url}/annuaire/structures/{row[0]}/"])


def _streaming(chunks, content_type: str, filename: str):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any portal may fetch it
    return response


@require_GET
def structures_geojson(request):
    base_url = request.build_absolute_uri("/")[:-1]
    return _streaming(_geojson_chunks(base_url), "application/geo+json; charset=utf-8", "structures.geojson")


@require_GET
def structures_csv(request):
    base_url = request.build_absolute_uri("/")[:-1]
    return _streaming(_csv_lines(base_url), "text/csv; charset=utf-8", "structures.csv")
