"""Coordinates of the cities structures are in, for « autour d’une ville ».

No geocoding service: a city's point is the average position of the published
structures located there. Small (one row per city), computed by the database
and cached for a few minutes.
"""

from django.core.cache import cache
from django.db.models import Avg, Count

from directory.models import Structure

CACHE_KEY = "search:web:city-points"
CACHE_SECONDS = 300


def city_points() -> list[dict]:
    """``[{"name", "latitude", "longitude", "count"}]`` sorted by name, published structures only."""
    points = cache.get(CACHE_KEY)
    if points is None:
        rows = (
            Structure.objects.public()
            .exclude(city="")
            .filter(latitude__isnull=False, longitude__isnull=False)
            .values("city")
            .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"), count=Count("id"))
            .order_by("city")
        )
        merged: dict[str, dict] = {}
        for row in rows:
            # « Lille » and « LILLE » typed by different editors are the same city.
            key = row["city"].strip().casefold()
            if key in merged:
                point = merged[key]
                total = point["count"] + row["count"]
                point["latitude"] = (point["latitude"] * point["count"] + row["latitude"] * row["count"]) / total
                point["longitude"] = (point["longitude"] * point["count"] + row["longitude"] * row["count"]) / total
                point["count"] = total
            else:
                merged[key] = {"name": row["city"].strip(), **{k: row[k] for k in ("latitude", "longitude", "count")}}
        points = sorted(merged.values(), key=lambda p: p["name"].casefold())
        cache.set(CACHE_KEY, points, CACHE_SECONDS)
    return points


def city_coordinates(name: str) -> tuple[float, float] | None:
    key = (name or "").strip().casefold()
    for point in city_points():
        if point["name"].casefold() == key:
            return point["latitude"], point["longitude"]
    return None
