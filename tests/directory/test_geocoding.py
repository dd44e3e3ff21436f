"""Geocoding: the national address service (against a local stand-in server), the offline
table of communes, the cache, and structures getting their point in the background."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache

from directory.geocoding.ban import BANGeocoder
from directory.geocoding.base import AddressQuery, GeocoderUnavailable, fold_place_name
from directory.geocoding.communes import CommuneCentreGeocoder, find_commune, load_communes
from directory.geocoding.service import geocode
from directory.geocoding.structures import geocode_structures
from directory.geocoding.tasks import geocode_structures_task
from directory.models import Structure

BAN_HOUSENUMBER = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [3.08402, 50.63157]},
            "properties": {
                "label": "36 Rue Pierre Legrand 59800 Lille",
                "score": 0.96,
                "type": "housenumber",
                "postcode": "59800",
                "city": "Lille",
            },
        }
    ],
}


class StandInBAN:
    """A real HTTP server on a free local port that answers like the BAN's /search/."""

    def __init__(self, status=200, payload=BAN_HOUSENUMBER):
        self.status, self.payload, self.requests = status, payload, []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                stand_in.requests.append(self.path)
                body = json.dumps(stand_in.payload).encode()
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/search/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """A local URL nothing listens on: connection refused, as with no network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/search/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# --- The national address service ------------------------------------------------
def test_ban_client_sends_the_address_and_reads_the_best_match():
    with StandInBAN() as ban:
        result = BANGeocoder(ban.url).geocode(AddressQuery("36 rue Pierre Legrand", "59800", "Lille"))
    assert (result.latitude, result.longitude) == (50.63157, 3.08402)
    assert (result.source, result.precision) == ("ban", "address")
    assert result.label == "36 Rue Pierre Legrand 59800 Lille"
    sent = parse_qs(urlparse(ban.requests[0]).query)
    assert sent == {"q": ["36 rue Pierre Legrand 59800 Lille"], "limit": ["1"], "postcode": ["59800"]}


def test_ban_client_asks_for_a_municipality_when_there_is_no_street():
    payload = {"features": [{**BAN_HOUSENUMBER["features"][0], "properties": {"score": 0.9, "type": "municipality"}}]}
    with StandInBAN(payload=payload) as ban:
        result = BANGeocoder(ban.url).geocode(AddressQuery("", "", "Lille"))
    assert result.precision == "municipality"
    assert parse_qs(urlparse(ban.requests[0]).query)["type"] == ["municipality"]


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"type": "FeatureCollection", "features": []}, id="no-feature"),
        pytest.param(
            {"features": [{**BAN_HOUSENUMBER["features"][0], "properties": {"score": 0.2, "type": "street"}}]},
            id="low-score",
        ),
    ],
)
def test_ban_client_returns_none_when_the_service_knows_no_such_place(payload):
    with StandInBAN(payload=payload) as ban:
        assert BANGeocoder(ban.url).geocode(AddressQuery("1 rue Imaginaire", "59000", "Lille")) is None


def test_ban_client_says_unavailable_on_a_server_error():
    with StandInBAN(status=503, payload={"message": "maintenance"}) as ban:
        with pytest.raises(GeocoderUnavailable, match="HTTP 503"):
            BANGeocoder(ban.url).geocode(AddressQuery("1 rue X", "59000", "Lille"))


def test_ban_client_says_unavailable_when_nothing_answers():
    with pytest.raises(GeocoderUnavailable):
        BANGeocoder(closed_port_url(), timeout=1).geocode(AddressQuery("1 rue X", "59000", "Lille"))


# --- The offline table ------------------------------------------------------------
def test_communes_table_covers_the_region_with_plausible_coordinates():
    communes = load_communes()
    assert len(communes) >= 900
    assert all(48.8 < c.latitude < 51.1 and 1.3 < c.longitude < 4.3 for c in communes)  # Hauts-de-France's box
    prefectures = {
        c.name: c.postcodes[0] for c in communes if c.name in {"Lille", "Arras", "Amiens", "Beauvais", "Laon"}
    }
    assert prefectures == {"Lille": "59000", "Arras": "62000", "Amiens": "80000", "Beauvais": "60000", "Laon": "02000"}


@pytest.mark.parametrize(
    ("city", "postcode", "expected"),
    [
        pytest.param("Lille", "59800", "Lille", id="second-postcode"),
        pytest.param("marcq en baroeul", "", "Marcq-en-Barœul", id="folded-ligature"),
        pytest.param("Villeneuve-d’Ascq", "59650", "Villeneuve-d'Ascq", id="typographic-apostrophe"),
        pytest.param("St-Omer", "", "Saint-Omer", id="abbreviated-saint"),
        pytest.param("LILLE CEDEX 9", "", "Lille", id="cedex"),
        pytest.param("", "62200", "Boulogne-sur-Mer", id="postcode-only"),
        pytest.param("Lile", "59000", "Lille", id="misspelt-town-known-postcode"),
    ],
)
def test_find_commune(city, postcode, expected):
    assert find_commune(city, postcode).name == expected


def test_find_commune_knows_nothing_of_places_outside_the_table():
    assert find_commune("Marseille", "13001") is None
    assert CommuneCentreGeocoder().geocode(AddressQuery("", "", "Nulle-Part")) is None


def test_fold_place_name():
    assert fold_place_name("Nœux-les-Mines") == "noeux les mines"
    assert fold_place_name("Ste-Catherine") == "sainte catherine"


# --- The chain and its cache --------------------------------------------------------
def test_unreachable_service_falls_back_to_the_commune_centre(settings):
    settings.GEOCODER_BAN_URL = closed_port_url()
    settings.GEOCODER_TIMEOUT = 1
    result = geocode(AddressQuery("36 rue Pierre Legrand", "59800", "Lille"))
    assert (result.source, result.precision, result.label) == ("communes", "municipality", "Lille")
    assert (result.latitude, result.longitude) == (50.6339, 3.0551)


def test_service_answers_are_cached(settings):
    with StandInBAN() as ban:
        settings.GEOCODER_BAN_URL = ban.url
        first = geocode(AddressQuery("36 rue Pierre Legrand", "59800", "Lille"))
        second = geocode(AddressQuery("36 rue Pierre Legrand", "59800", "Lille"))
    assert first == second
    assert first.source == "ban"
    assert len(ban.requests) == 1


def test_an_outage_is_not_cached(settings):
    query = AddressQuery("36 rue Pierre Legrand", "59800", "Lille")
    settings.GEOCODER_BAN_URL = closed_port_url()
    assert geocode(query).source == "communes"
    with StandInBAN() as ban:
        settings.GEOCODER_BAN_URL = ban.url
        assert geocode(query).source == "ban"  # asked again once back


# --- Structures --------------------------------------------------------------------
def test_a_structure_saved_without_a_point_gets_one_in_the_background(
    make_structure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        structure = make_structure(latitude=None, longitude=None, city="Roubaix", postcode="59100")
    structure.refresh_from_db()
    assert (structure.latitude, structure.longitude) == (50.6942, 3.1746)
    assert (structure.location_source, structure.location_precision) == ("communes", "municipality")
    assert structure.location_query == "12 rue Pierre Legrand 59100 Roubaix"


def test_a_point_placed_by_hand_is_never_replaced(make_structure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        structure = make_structure(location_source="manual")
        structure.city, structure.postcode = "Arras", "62000"
        structure.save()
    structure.refresh_from_db()
    assert (structure.latitude, structure.longitude, structure.location_source) == (50.631, 3.084, "manual")


def test_an_automatic_point_follows_the_address(make_structure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        structure = make_structure(latitude=None, longitude=None)
    with django_capture_on_commit_callbacks(execute=True):
        structure.city, structure.postcode = "Arras", "62000"
        structure.save()
    structure.refresh_from_db()
    assert (structure.latitude, structure.longitude, structure.location_source) == (50.293, 2.7819, "communes")


def test_geocoding_reports_each_structure(make_structure):
    lille = make_structure(slug="a", latitude=None, longitude=None)
    nowhere = make_structure(slug="b", latitude=None, longitude=None, city="Nulle-Part", postcode="")
    placed = make_structure(slug="c")
    reports = {r.structure_id: r for r in geocode_structures([lille.pk, nowhere.pk, placed.pk, 999999])}
    assert (reports[lille.pk].status, reports[lille.pk].source, reports[lille.pk].label) == (
        "geocoded",
        "communes",
        "Lille",
    )
    assert reports[nowhere.pk].status == "not_found"
    assert reports[placed.pk].status == "unchanged"
    assert reports[999999].status == "missing"


def test_the_task_takes_and_returns_json(make_structure, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    structure = make_structure(latitude=None, longitude=None)
    Structure.objects.filter(pk=structure.pk).update(latitude=None, longitude=None)  # as a bulk import leaves it
    result = geocode_structures_task.enqueue([structure.pk])
    assert json.loads(json.dumps(result.return_value)) == [
        {
            "structure_id": structure.pk,
            "status": "geocoded",
            "source": "communes",
            "precision": "municipality",
            "label": "Lille",
        }
    ]
    assert Structure.objects.get(pk=structure.pk).latitude == 50.6339


def test_a_joining_structure_is_on_the_map_once_approved(client, taxonomy, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group, User

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/annuaire/rejoindre/",
            {
                "name": "Les Jardins de la Deûle", "category": "collectif", "summary": "Jardins partagés.",
                "address": "2 quai de l’Ouest", "postcode": "59000", "city": "Lille",
                "contact_first_name": "Nadia", "contact_last_name": "Haddad", "contact_email": "nadia@deule.example",
                "accept": "on",
            },
        )  # fmt: skip
    assert response.status_code == 302
    structure = Structure.objects.get()
    assert (structure.latitude, structure.location_precision) == (50.6339, "municipality")
    assert structure.latest_revision.content["latitude"] == 50.6339  # what approval will publish

    moderator = User.objects.create_user("moderatrice", "mod@example.org", "x")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    with django_capture_on_commit_callbacks(execute=True):
        task_state = structure.current_workflow_task_state
        task_state.task.specific.on_action(task_state, moderator, "approve")

    structure.refresh_from_db()
    assert (structure.live, structure.latitude, structure.longitude) == (True, 50.6339, 3.0551)
    features = json.loads(client.get("/annuaire/donnees/structures.geojson").getvalue())["features"]
    assert [(f["properties"]["name"], f["geometry"]["coordinates"]) for f in features] == [
        ("Les Jardins de la Deûle", [3.0551, 50.6339])
    ]


def test_geocode_structures_command_places_and_retries_approximate_points(make_structure, settings):
    from io import StringIO

    from django.core.management import call_command

    make_structure(slug="a", latitude=None, longitude=None)
    make_structure(slug="b", latitude=None, longitude=None, city="Nulle-Part", postcode="")
    out = StringIO()
    call_command("geocode_structures", stdout=out)
    assert out.getvalue().splitlines() == [
        "2 structure(s) à placer.",
        "  1 placée(s) : centre de la commune (approximatif), précision « municipality »",
        "  1 introuvable(s) : adresse inconnue du service et de la table des communes",
    ]
    # The service is back: commune centres are replaced by the address's point.
    with StandInBAN() as ban:
        settings.GEOCODER_BAN_URL = ban.url
        out = StringIO()
        call_command("geocode_structures", "--approximate", stdout=out)
    # (the stand-in knows every address, Nulle-Part included)
    assert "  2 placée(s) : Base Adresse Nationale, précision « address »" in out.getvalue().splitlines()
    placed = Structure.objects.get(slug="a")
    assert (placed.latitude, placed.location_source, placed.location_precision) == (50.63157, "ban", "address")


def test_background_geocoding_enqueues_no_task_per_structure(
    make_structure, settings, django_capture_on_commit_callbacks
):
    """40,000 of Wagtail's per-object tasks followed an import of 20,000 addresses: none now."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    structures = [make_structure(slug=f"s{i}", latitude=None, longitude=None) for i in range(5)]
    ids = [s.pk for s in structures]
    Structure.objects.filter(pk__in=ids).update(latitude=None, longitude=None)  # as a bulk import leaves them
    task_backends["default"].clear()
    with django_capture_on_commit_callbacks(execute=True):
        reports = geocode_structures(ids)
    assert [r.status for r in reports] == ["geocoded"] * 5
    assert list(Structure.objects.filter(pk__in=ids).values_list("latitude", flat=True)) == [50.6339] * 5
    # Only the search indexing (one per burst with the database backend, which dedupes what is still queued).
    enqueued = {result.task.module_path for result in task_backends["default"].results}
    assert enqueued == {"search.sync.index_changes"}
    from search.models import IndexOutbox

    IndexOutbox.objects.all().delete()  # what the structures' creation queued
    with django_capture_on_commit_callbacks(execute=True):
        Structure.objects.filter(pk__in=ids).update(latitude=None, longitude=None)
        geocode_structures(ids)
    # Each new point still reaches search, announced with its UPDATE.
    assert sorted(IndexOutbox.objects.values_list("structure_id", flat=True)) == sorted(ids)
