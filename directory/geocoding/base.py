"""What every geocoder answers, and the one way a geocoder says it could not be reached."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Protocol


class GeocoderUnavailable(Exception):
    """The service did not answer (network down, timeout, 5xx): try another geocoder."""


@dataclass(frozen=True)
class AddressQuery:
    address: str = ""
    postcode: str = ""
    city: str = ""

    @property
    def text(self) -> str:
        """One line, as the national address service reads it: « 5 rue X 59000 Lille »."""
        return " ".join(" ".join(p for p in (self.address, self.postcode, self.city) if p).split())

    @property
    def is_empty(self) -> bool:
        return not (self.postcode or self.city)


@dataclass(frozen=True)
class GeocodeResult:
    latitude: float
    longitude: float
    precision: str  # one of directory.models.structures.LOCATION_PRECISION_CHOICES
    source: str  # one of LOCATION_SOURCE_CHOICES
    label: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class Geocoder(Protocol):
    """Turns an address into a point, ``None`` when it knows no such place.

    Raises ``GeocoderUnavailable`` when it cannot tell (the caller then asks the next one).
    """

    source: str

    def geocode(self, query: AddressQuery) -> GeocodeResult | None: ...


_SAINT = re.compile(r"\b(ste?)\b")


def fold_place_name(name: str) -> str:
    """« Marcq-en-Barœul » -> « marcq en baroeul », « St-Omer » -> « saint omer », « Lille Cedex 9 » -> « lille »."""
    name = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    name = re.sub(r"[’'‘\-–—_.,/]", " ", name)
    name = re.sub(r"\bcedex\b.*$", "", name)
    name = _SAINT.sub(lambda m: "sainte" if m.group(1) == "ste" else "saint", name)
    return " ".join(name.split())
