"""Geocoding applied to structures: when a point is due, and where it is written.

A structure needs a point when it has a postcode or a town and either no
coordinates, or coordinates the geocoder itself computed from another address.
Coordinates placed by hand or given by an import file are never replaced.

A submitted or edited draft lives in the latest *revision*, not only in the row:
publishing copies the revision onto the row, so the point is written to both —
otherwise approving a self-service submission would publish it without its point.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from directory.changes import announce_structures_changed
from directory.models import Structure
from directory.models.structures import AUTOMATIC_LOCATION_SOURCES

from .base import AddressQuery, GeocodeResult
from .service import configured_geocoders, geocode

LOCATION_FIELDS = ("latitude", "longitude", "location_source", "location_precision", "location_query")


def query_of(values) -> AddressQuery:
    """The address of a structure, or of a revision's content (a dict)."""
    get = values.get if isinstance(values, dict) else (lambda name, default="": getattr(values, name, default))
    return AddressQuery(
        address=(get("address", "") or "").strip(),
        postcode=(get("postcode", "") or "").strip(),
        city=(get("city", "") or "").strip(),
    )


def needs_geocoding(values) -> bool:
    get = values.get if isinstance(values, dict) else (lambda name, default=None: getattr(values, name, default))
    query = query_of(values)
    if query.is_empty:
        return False
    if get("latitude") is None or get("longitude") is None:
        return True
    return get("location_source") in AUTOMATIC_LOCATION_SOURCES and get("location_query") != query.text


def location_values(result: GeocodeResult, query: AddressQuery) -> dict:
    return {
        "latitude": result.latitude,
        "longitude": result.longitude,
        "location_source": result.source,
        "location_precision": result.precision,
        "location_query": query.text,
    }


@dataclass
class StructureGeocoding:
    structure_id: int
    status: str  # "geocoded", "not_found", "unchanged", "missing"
    source: str = ""
    precision: str = ""
    label: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def geocode_structures(structure_ids, include_revision: bool = True) -> list[StructureGeocoding]:
    """Geocode the given structures (row and pending revision) that need it; report each one.

    ``include_revision=False`` when the caller saves a new revision from the row next (the import).
    """
    geocoders, unavailable = configured_geocoders(), set()

    def lookup(query: AddressQuery) -> GeocodeResult | None:
        return geocode(query, geocoders, unavailable)

    reports = []
    structures = Structure.objects.filter(pk__in=list(structure_ids)).select_related("latest_revision")
    found = {structure.pk: structure for structure in structures}
    for structure_id in structure_ids:
        structure = found.get(structure_id)
        if structure is None:
            reports.append(StructureGeocoding(structure_id, "missing"))
            continue
        reports.append(_geocode_one(structure, lookup, include_revision))
    return reports


def _geocode_one(structure: Structure, lookup, include_revision: bool = True) -> StructureGeocoding:
    report = StructureGeocoding(structure.pk, "unchanged")
    targets = []
    if needs_geocoding(structure):
        targets.append(("row", structure))
    revision = structure.latest_revision
    if include_revision and revision is not None and (structure.has_unpublished_changes or not structure.live):
        if needs_geocoding(revision.content):
            targets.append(("revision", revision))
    for kind, target in targets:
        content = target.content if kind == "revision" else target
        query = query_of(content)
        result = lookup(query)
        if result is None:
            report.status = "not_found" if report.status == "unchanged" else report.status
            continue
        values = location_values(result, query)
        if kind == "revision":
            target.content.update(values)
            target.save(update_fields=["content"])
        else:
            for name, value in values.items():
                setattr(target, name, value)
            # An UPDATE and an announcement, not save(): a save would also enqueue two of Wagtail's
            # per-object tasks (reference index, admin search index) that these fields never
            # concern — 40,000 queued tasks after an import of 20,000 addresses.
            with transaction.atomic():
                Structure.objects.filter(pk=target.pk).update(**values)
                announce_structures_changed(sender=geocode_structures, structure_ids=[target.pk])
        report.status, report.source, report.precision, report.label = (
            "geocoded", result.source, result.precision, result.label
        )  # fmt: skip
    return report
