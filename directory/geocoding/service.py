"""Geocoding as the rest of the project uses it: a chain of geocoders behind a cache.

The chain is the national address service when ``GEOCODER_BAN_URL`` is set, then the
offline table of communes. A service that cannot be reached is skipped (and not
cached, so the next try asks it again); what a geocoder found — or that it found
nothing — is cached for ``GEOCODER_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from .ban import BANGeocoder
from .base import AddressQuery, Geocoder, GeocodeResult, GeocoderUnavailable
from .communes import CommuneCentreGeocoder

logger = logging.getLogger(__name__)
CACHE_PREFIX = "geocode:v1:"
_NOT_FOUND = "not-found"


def configured_geocoders() -> list[Geocoder]:
    geocoders: list[Geocoder] = []
    if getattr(settings, "GEOCODER_BAN_URL", ""):
        geocoders.append(BANGeocoder(settings.GEOCODER_BAN_URL, timeout=getattr(settings, "GEOCODER_TIMEOUT", 3.0)))
    geocoders.append(CommuneCentreGeocoder())
    return geocoders


def _cache_key(geocoder: Geocoder, query: AddressQuery) -> str:
    text = f"{geocoder.source}|{query.address}|{query.postcode}|{query.city}".casefold()
    return CACHE_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def geocode(
    query: AddressQuery, geocoders: list[Geocoder] | None = None, unavailable: set[str] | None = None
) -> GeocodeResult | None:
    """The first answer of the chain, or ``None`` when no geocoder knows the place.

    ``unavailable`` is shared by the calls of one batch (an import, a task over many
    structures): a geocoder that could not be reached once is not asked again, so a
    batch of 2,000 rows during an outage does not wait for the timeout 2,000 times.
    """
    if query.is_empty:
        return None
    unavailable = set() if unavailable is None else unavailable
    timeout = getattr(settings, "GEOCODER_CACHE_SECONDS", 30 * 24 * 3600)
    for geocoder in configured_geocoders() if geocoders is None else geocoders:
        if geocoder.source in unavailable:
            continue
        key = _cache_key(geocoder, query)
        cached = cache.get(key)
        if cached == _NOT_FOUND:
            continue
        if cached is not None:
            return GeocodeResult(**cached)
        try:
            result = geocoder.geocode(query)
        except GeocoderUnavailable as error:
            logger.warning("Géocodeur %s injoignable (%s) : on passe au suivant.", geocoder.source, error)
            unavailable.add(geocoder.source)
            continue
        cache.set(key, result.as_dict() if result else _NOT_FOUND, timeout)
        if result is not None:
            return result
    return None
