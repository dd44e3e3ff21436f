"""The open-data files carry their licence (Licence Ouverte 2.0), as the directory page says."""

import json

import pytest

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/annuaire/donnees/structures.geojson", "/annuaire/donnees/structures.csv"])
def test_download_names_its_licence_in_a_link_header(client, make_structure, path):
    make_structure()
    response = client.get(path)
    assert response.status_code == 200
    assert response["Link"] == f'<{LICENCE_URL}>; rel="license"; title="Licence Ouverte 2.0 (Etalab)"'


@pytest.mark.django_db
def test_geojson_carries_its_licence_and_attribution(client, make_structure):
    make_structure()
    data = json.loads(b"".join(client.get("/annuaire/donnees/structures.geojson").streaming_content))
    assert data["license"] == "Licence Ouverte 2.0 (Etalab)"
    assert data["license_url"] == LICENCE_URL
    assert data["name"] == "Annuaire LaGrappe (initiativesETcité)"
    assert [f["id"] for f in data["features"]] == ["soleil-du-nord"]
