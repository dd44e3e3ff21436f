"""Open data (GeoJSON, CSV): published structures, public fields, no people, streamed."""

import csv
import io
import json

import pytest

GEOJSON = "/annuaire/donnees/structures.geojson"
CSV = "/annuaire/donnees/structures.csv"


@pytest.fixture
def directory(make_structure):
    make_structure(people=[("Alice", "Publique", True), ("Bruno", "Secret", False)], skills=("pv", "renov"))
    make_structure(slug="brouillon-cache", name="Brouillon caché", live=False, people=[("Carla", "Draft", True)])
    make_structure(
        slug="sans-coordonnees", name="Sans coordonnées", latitude=None, longitude=None, category="individuel"
    )


def body(response) -> str:
    assert response.streaming is True
    return b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_geojson_has_published_structures_with_points(client, directory):
    response = client.get(GEOJSON)

    data = json.loads(body(response))
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == ["sans-coordonnees", "soleil-du-nord"]
    soleil = data["features"][1]
    assert soleil["geometry"] == {"type": "Point", "coordinates": [3.084, 50.631]}
    assert soleil["properties"]["skills"] == ["Photovoltaïque", "Rénovation énergétique"]
    assert soleil["properties"]["url"] == "http://testserver/annuaire/structures/soleil-du-nord/"
    assert data["features"][0]["geometry"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "precision", "approximate"),
    [("ban", "address", False), ("ban", "street", True), ("communes", "municipality", True), ("manual", "", False)],
    ids=["address", "street", "commune centre", "placed by hand"],
)
def test_geojson_flags_a_point_that_is_only_approximate(client, make_structure, source, precision, approximate):
    make_structure(location_source=source, location_precision=precision)
    make_structure(slug="sans-point", name="Sans point", latitude=None, longitude=None, location_precision="")

    features = {f["id"]: f["properties"] for f in json.loads(body(client.get(GEOJSON)))["features"]}

    assert features["soleil-du-nord"]["approximate"] is approximate
    assert features["sans-point"]["approximate"] is None


@pytest.mark.django_db
def test_csv_has_published_structures_in_import_columns(client, directory):
    rows = list(csv.DictReader(io.StringIO(body(client.get(CSV)).lstrip("\ufeff"))))

    assert [r["slug"] for r in rows] == ["sans-coordonnees", "soleil-du-nord"]
    assert rows[1]["skills"] == "Photovoltaïque; Rénovation énergétique"
    assert rows[1]["url"] == "http://testserver/annuaire/structures/soleil-du-nord/"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [GEOJSON, CSV], ids=["geojson", "csv"])
def test_open_data_leaks_no_person_and_no_draft(client, directory, url):
    text = body(client.get(url))

    for secret in ("Bruno", "Secret", "bruno.secret", "Brouillon caché", "brouillon-cache", "Carla"):
        assert secret not in text, secret
    assert "Alice" not in text  # people are not redistributed in bulk at all


@pytest.mark.django_db
def test_open_data_query_count_is_constant(client, make_structure, django_assert_max_num_queries):
    for index in range(12):
        make_structure(slug=f"s-{index}", people=[("Alice", "Publique", True)])

    with django_assert_max_num_queries(6):  # structures + memberships + skills + sectors
        body(client.get(GEOJSON))
