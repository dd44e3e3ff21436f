"""The national address service (Base Adresse Nationale, now served by the Géoplateforme).

Its ``/search/`` endpoint answers a GeoJSON FeatureCollection; we ask for the best
match only and keep it when its score is high enough. The base URL is a setting
(``GEOCODER_BAN_URL``): the service moved once already (api-adresse.data.gouv.fr
-> data.geopf.fr/geocodage) and tests point it at a local stand-in server.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from .base import AddressQuery, GeocodeResult, GeocoderUnavailable

# BAN result types -> our precision. « locality » is a lieu-dit: no better than the commune.
PRECISION_BY_TYPE = {
    "housenumber": "address",
    "street": "street",
    "locality": "municipality",
    "municipality": "municipality",
}
MIN_SCORE = 0.4  # below this the service is guessing (a typo'd town can match another region)


class BANGeocoder:
    source = "ban"

    def __init__(self, base_url: str, timeout: float = 3.0, user_agent: str = "LaGrappe annuaire"):
        self.base_url = base_url
        self.timeout = timeout
        self.user_agent = user_agent

    def url_for(self, query: AddressQuery) -> str:
        params = {"q": query.text, "limit": "1"}
        if query.postcode:
            params["postcode"] = query.postcode
        if not query.address:
            params["type"] = "municipality"
        return f"{self.base_url}?{urllib.parse.urlencode(params)}"

    def geocode(self, query: AddressQuery) -> GeocodeResult | None:
        if query.is_empty:
            return None
        request = urllib.request.Request(
            self.url_for(query), headers={"Accept": "application/json", "User-Agent": self.user_agent}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as error:
            if error.code in (400, 404):  # the service understood and found nothing usable
                return None
            raise GeocoderUnavailable(f"BAN: HTTP {error.code}") from error
        except OSError as error:  # URLError, timeouts, refused or reset connections
            raise GeocoderUnavailable(f"BAN: {error}") from error
        except ValueError as error:  # not JSON: a proxy's error page, a captive portal
            raise GeocoderUnavailable("BAN: réponse illisible") from error
        return self.parse(payload)

    @staticmethod
    def parse(payload: dict) -> GeocodeResult | None:
        for feature in payload.get("features") or []:
            properties = feature.get("properties") or {}
            coordinates = (feature.get("geometry") or {}).get("coordinates") or []
            if len(coordinates) != 2 or float(properties.get("score") or 0) < MIN_SCORE:
                continue
            longitude, latitude = (float(c) for c in coordinates)
            return GeocodeResult(
                latitude=round(latitude, 6),
                longitude=round(longitude, 6),
                precision=PRECISION_BY_TYPE.get(properties.get("type"), "municipality"),
                source="ban",
                label=properties.get("label", ""),
            )
        return None
