"""Addresses to points on the map.

- ``base``: the ``Geocoder`` protocol, its query and result;
- ``ban``: the national address service (Base Adresse Nationale / Géoplateforme);
- ``communes``: the offline fallback, a commune's centre from a shipped table;
- ``service``: the chain of geocoders behind the cache;
- ``structures``: when a structure needs a point and where it is written (row and draft revision);
- ``tasks``: the background task and its on-commit enqueueing.
"""
