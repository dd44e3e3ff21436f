"""Offline geocoder: the centre of the commune, from a table shipped with the code.

Used when the national address service cannot be reached (no network, outage):
the structure still gets on the map, at its town's centre, flagged as approximate.
The table (``data/communes_hauts_de_france.csv``) covers the Hauts-de-France
places of 1,000+ inhabitants from GeoNames (CC BY 4.0) with hand-entered postcodes
for the main ones; ``scripts/build_communes.py`` says how it is built.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .base import AddressQuery, GeocodeResult, fold_place_name

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "communes_hauts_de_france.csv"


@dataclass(frozen=True)
class Commune:
    name: str
    postcodes: tuple[str, ...]
    latitude: float
    longitude: float
    population: int

    @property
    def department(self) -> str:
        return self.postcodes[0][:2] if self.postcodes else ""


@cache
def load_communes(path: Path = COMMUNES_CSV) -> tuple[Commune, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Commune(
                name=row["name"],
                postcodes=tuple(row["postcode"].split()),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                population=int(row["population"]),
            )
            for row in csv.DictReader(handle)
        )


@cache
def _indexes(path: Path = COMMUNES_CSV) -> tuple[dict, dict]:
    by_name: dict[str, list[Commune]] = {}
    by_postcode: dict[str, list[Commune]] = {}
    for commune in load_communes(path):
        by_name.setdefault(fold_place_name(commune.name), []).append(commune)
        for postcode in commune.postcodes:
            by_postcode.setdefault(postcode, []).append(commune)
    return by_name, by_postcode


def find_commune(city: str = "", postcode: str = "", path: Path = COMMUNES_CSV) -> Commune | None:
    """The commune named ``city`` (in ``postcode``'s department when names repeat), else ``postcode``'s."""
    by_name, by_postcode = _indexes(path)
    postcode = "".join(postcode.split())
    candidates = by_name.get(fold_place_name(city), []) if city else []
    if postcode and candidates:
        exact = [c for c in candidates if postcode in c.postcodes]
        same_department = [c for c in candidates if c.department == postcode[:2] or not c.department]
        candidates = exact or same_department
    if candidates:
        # Prefer a row whose postcode we know, then the bigger town: « Saint-Nicolas » near Arras.
        return max(candidates, key=lambda c: (bool(c.postcodes), c.population))
    if postcode:  # a town missing from the table (or misspelt): its postcode's main town is near
        matches = by_postcode.get(postcode, [])
        return max(matches, key=lambda c: c.population) if matches else None
    return None


class CommuneCentreGeocoder:
    source = "communes"

    def __init__(self, path: Path = COMMUNES_CSV):
        self.path = path

    def geocode(self, query: AddressQuery) -> GeocodeResult | None:
        commune = find_commune(query.city, query.postcode, self.path)
        if commune is None:
            return None
        return GeocodeResult(
            latitude=commune.latitude,
            longitude=commune.longitude,
            precision="municipality",
            source=self.source,
            label=commune.name,
        )
