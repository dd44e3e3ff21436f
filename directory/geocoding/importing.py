"""The import's geocoding step (a writer of ``directory.importing.writing``).

Rows that bring their own latitude/longitude keep them (origin « fichier importé »,
never recomputed); rows with an address and no point are geocoded — in the import
itself up to ``SYNC_LIMIT`` structures, so its report says for each one how it was
placed, and in the background task beyond that.
"""

from __future__ import annotations

from directory.models import Structure
from directory.models.structures import AUTOMATIC_LOCATION_SOURCES

from .structures import geocode_structures, needs_geocoding, query_of
from .tasks import enqueue_geocoding

SYNC_LIMIT = 300

HOW = {
    ("ban", "address"): ("address", "à l’adresse (Base Adresse Nationale)"),
    ("ban", "street"): ("approximate", "à la rue (Base Adresse Nationale) — approximative"),
    ("ban", "municipality"): ("approximate", "au centre de la commune (Base Adresse Nationale) — approximative"),
    ("communes", "municipality"): ("approximate", "au centre de la commune (table hors ligne) — approximative"),
}


def keep_computed_point(structure: Structure, values: dict) -> dict:
    """A file without coordinates keeps the point the geocoder computed for the same address.

    Otherwise re-importing an export made before geocoding (or a file that never had
    coordinates) would erase every computed point and report every row « updated ».
    """
    if values.get("latitude") is None and values.get("longitude") is None:
        if (
            structure.location_source in AUTOMATIC_LOCATION_SOURCES
            and structure.location_query == query_of(values).text
        ):
            return {k: v for k, v in values.items() if k not in ("latitude", "longitude")}
    return values


def remember_locations(cleaned: dict, report, written, user=None) -> None:
    """Before the structures are written: their points as they were, to see which ones the file changes."""
    slugs = [record["slug"] for record in cleaned["structures"]]
    written.locations_before = {
        slug: (lat, lon)
        for slug, lat, lon in Structure.objects.filter(slug__in=slugs).values_list("slug", "latitude", "longitude")
    }


def write_locations(cleaned: dict, report, written, user=None) -> None:
    """After the structures are written: mark the file's points, geocode the addresses without one."""
    records = {record["slug"]: record for record in cleaned["structures"]}
    if not records:
        return
    before = getattr(written, "locations_before", {})
    structures = Structure.objects.filter(slug__in=list(records)).only(
        "pk", "slug", "name", "address", "postcode", "city", "latitude", "longitude",
        "location_source", "location_query", "live", "has_unpublished_changes",
    )  # fmt: skip
    from_file, to_geocode = [], []
    for structure in structures:
        record = records[structure.slug]
        if record.get("latitude") is not None and record.get("longitude") is not None:
            if before.get(structure.slug) != (record["latitude"], record["longitude"]):
                from_file.append(structure)
        elif needs_geocoding(structure):
            to_geocode.append(structure)

    if from_file:
        Structure.objects.filter(pk__in=[s.pk for s in from_file]).update(
            location_source="import", location_precision="", location_query=""
        )
        for structure in from_file:
            _note(report, "file", structure.name, "coordonnées du fichier")
        written.structures |= {s.pk for s in from_file}

    if len(to_geocode) > SYNC_LIMIT:
        enqueue_geocoding([s.pk for s in to_geocode])
        for structure in to_geocode:
            _note(report, "deferred", structure.name, "en tâche de fond, après l’import")
        return
    names = {s.pk: s.name for s in to_geocode}
    for outcome in geocode_structures([s.pk for s in to_geocode], include_revision=False):
        if outcome.status == "geocoded":
            key, how = HOW.get((outcome.source, outcome.precision), ("approximate", outcome.precision))
            _note(report, key, names[outcome.structure_id], how)
            written.structures.add(outcome.structure_id)
        elif outcome.status == "not_found":
            _note(report, "not_found", names[outcome.structure_id], "introuvable : adresse inconnue, pas sur la carte")


def _note(report, key: str, name: str, how: str) -> None:
    report.counts["locations"][key] += 1
    report.locations.append((name, how))
