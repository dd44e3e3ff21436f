"""The demo agrees with itself: names, towns, postcodes and points; roles and first names;
the tenants in LaGrappe's building in Lille; events on days LaGrappe is open."""

import datetime as dt
import math

import pytest

from directory import seed_data as data
from directory.geocoding.communes import find_commune
from directory.seed import generate_structures
from home.demo import french_public_holidays, opening_day, tenants_count_text

MAX_KM_FROM_CENTRE = 5
TOWNS = {city for city, *_ in data.CITIES}
FEMININE_ROLES = {f for f, _ in data.ROLES}
MASCULINE_ROLES = {m for _, m in data.ROLES}


def km(lat1, lon1, lat2, lon2):
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def assert_located_in_its_commune(record):
    commune = find_commune(record["city"], record["postcode"])
    assert commune is not None, f"{record['name']}: {record['city']} absente de la table des communes"
    assert record["postcode"] in commune.postcodes, f"{record['name']}: {record['postcode']} n’est pas {commune.name}"
    distance = km(record["latitude"], record["longitude"], commune.latitude, commune.longitude)
    assert distance < MAX_KM_FROM_CENTRE, f"{record['name']}: {distance:.1f} km du centre de {commune.name}"


@pytest.fixture(scope="module")
def generated():
    return list(generate_structures(1000))


def test_every_demo_town_is_in_the_communes_table_near_its_centre():
    for city, postcode, lat, lon, *_ in data.CITIES:
        assert_located_in_its_commune(
            {"name": city, "city": city, "postcode": postcode, "latitude": lat, "longitude": lon}
        )


def test_generated_structures_agree_with_their_town(generated):
    for record in generated:
        assert_located_in_its_commune(record.__dict__)
        for place, towns in data.NAME_PLACES.items():
            if record.name.endswith(" " + place):
                assert record.city in towns, f"« {record.name} » à {record.city}"
        text = f"{record.summary} {record.description}"
        assert not [town for town in TOWNS - {record.city} if f"à {town} " in text or f"à {town}." in text]


def test_place_names_are_used_where_they_fit(generated):
    fives = [r for r in generated if r.name.endswith(" de Fives")]
    assert fives and {r.city for r in fives} == {"Lille"}


def test_roles_agree_with_first_names(generated):
    people = [p for r in generated for p in r.people]
    assert len(people) > 500
    for person in people:
        if person.first_name in data.FEMININE_FIRST_NAMES:
            assert person.role in FEMININE_ROLES, f"{person.first_name} {person.last_name}, {person.role}"
        elif person.first_name in data.MASCULINE_FIRST_NAMES:
            assert person.role in MASCULINE_ROLES, f"{person.first_name} {person.last_name}, {person.role}"
    thomas = next(p for p in people if p.first_name == "Thomas")
    assert thomas.role in MASCULINE_ROLES


def test_only_the_hand_written_tenants_are_permanent_tenants_and_they_are_at_lagrappe(generated):
    assert not [r.name for r in generated if "locataire" in r.memberships]
    for tenant in data.TENANTS:
        assert "locataire" in tenant["memberships"]
        assert {k: tenant[k] for k in data.LAGRAPPE_ADDRESS} == data.LAGRAPPE_ADDRESS
        assert_located_in_its_commune(tenant)
    assert tenants_count_text() == "Six structures" and len(data.TENANTS) == 6


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_events_fall_on_days_lagrappe_is_open(year):
    holidays = french_public_holidays(year)
    assert {dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 7, 14), dt.date(year, 12, 25)} <= holidays
    assert len(holidays) == 11
    day = dt.date(year, 1, 1)
    while day.year == year:
        opened = opening_day(day)
        assert opened.weekday() < 5 and opened not in french_public_holidays(opened.year)
        assert not ((opened.month, opened.day) >= (12, 24) or (opened.month, opened.day) <= (1, 2))
        assert 0 <= (opened - day).days <= 12
        day += dt.timedelta(days=1)


def test_easter_based_holidays():
    assert {dt.date(2026, 4, 6), dt.date(2026, 5, 14), dt.date(2026, 5, 25)} <= french_public_holidays(2026)
