"""Visitors feed the search-quality log: one client cannot fill the editors' « Recherches » report,
and a visitor's search writes nothing to the database (the worker writes the log from the spool)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagrappe.typography import french_html as typeset
from search.models import SearchClickLog, SearchQueryLog

pytestmark = pytest.mark.django_db

A, B = "198.51.100.1", "198.51.100.2"


@pytest.fixture(autouse=True)
def on_the_database(settings):
    settings.ELASTICSEARCH_URL = None


def search(client, text, address=A):
    return client.get("/embed/annuaire/", {"q": text}, REMOTE_ADDR=address).content.decode()


def click(client, slug, position, search_id="", address=A):
    return client.post(
        f"/annuaire/clic/?structure={slug}&q={search_id}&position={position}",
        "PING",
        content_type="text/ping",
        REMOTE_ADDR=address,
    )


def test_one_client_logs_at_most_its_hourly_quota_of_searches(client, directory, settings, ingest_search_log):
    settings.SEARCH_LOG_RATE_LIMIT = 5
    for n in range(8):
        search(client, f"menuisier {n}")

    search(client, "menuisier", address=B)
    assert SearchQueryLog.objects.count() == 0  # the worker writes them
    ingest_search_log()

    assert SearchQueryLog.objects.count() == 5 + 1


def test_a_repeated_search_counts_once_per_client_and_keeps_its_id(client, directory, ingest_search_log):
    pings = [re.search(r'ping="[^"]*q=([0-9a-f]{32})', search(client, "menuisier")).group(1) for _ in range(3)]
    other = re.search(r'ping="[^"]*q=([0-9a-f]{32})', search(client, "menuisier", address=B)).group(1)
    ingest_search_log()

    assert SearchQueryLog.objects.count() == 2
    assert len(set(pings)) == 1  # the result links of the repeats point at the row logged first
    assert other != pings[0]


def test_one_client_logs_at_most_its_hourly_quota_of_clicks(client, directory, settings, ingest_search_log):
    settings.SEARCH_CLICK_RATE_LIMIT = 3
    logs = [SearchQueryLog.objects.create(query=f"solaire {n}", result_count=1, engine="database") for n in range(5)]
    statuses = [click(client, "photon-coop", 1, log.pk).status_code for log in logs[:4]]
    other = click(client, "photon-coop", 1, logs[0].pk, address=B)

    assert statuses == [204, 204, 204, 429]
    assert "Trop de clics" in click(client, "photon-coop", 1, logs[4].pk).content.decode()
    assert other.status_code == 204
    ingest_search_log()
    assert SearchClickLog.objects.count() == 3 + 1


def test_a_repeated_click_on_the_same_result_counts_once(client, directory, ingest_search_log):
    log = SearchQueryLog.objects.create(query="menuisier", result_count=2, engine="database")

    statuses = [click(client, "menuiserie-lilloise", 1, log.pk).status_code for _ in range(3)]

    assert statuses == [204, 204, 204]
    ingest_search_log()
    assert SearchClickLog.objects.count() == 1


def test_the_report_shows_the_filters_of_a_zero_result_search(client, directory):
    SearchQueryLog.objects.create(
        query="ombrieres", filters={"categories": ["collectif"], "city": "Lens"}, result_count=0, engine="database"
    )
    SearchQueryLog.objects.create(query="ombrieres", filters={}, result_count=0, engine="database")
    SearchQueryLog.objects.create(query="", filters={"skills": ["menuiserie"]}, result_count=0, engine="database")
    client.force_login(get_user_model().objects.create_superuser("editrice", "e@example.org", "motdepasse-long-42"))

    response = client.get("/admin/recherches/")

    rows = [(r["query"], r["filters_label"]) for r in response.context["zero_results"]]
    assert sorted(rows) == [
        ("", "compétences : menuiserie"),
        ("ombrieres", ""),
        ("ombrieres", "catégories : collectif ; ville : Lens"),
    ]
    assert typeset("catégories : collectif ; ville : Lens") in response.content.decode()  # pages are typeset


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/embed/annuaire/", {}),
        ("/embed/annuaire/", {"HTTP_X_DIRECTORY_FRAGMENT": "1"}),
        ("/annuaire/suggestions/", {}),
    ],
    ids=["embed-page", "fragment", "suggestions"],
)
def test_a_visitors_search_writes_nothing_to_the_database(client, directory, url, headers, ingest_search_log):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "menuisier"}, REMOTE_ADDR=A, **headers)

    assert response.status_code == 200
    assert [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)] == []
    logged = 0 if "suggestions" in url else 1  # suggestions are typing, not a search
    assert ingest_search_log()["searches"] == logged
    assert SearchQueryLog.objects.filter(query="menuisier").count() == logged


def test_a_click_is_tied_to_its_search_once_the_worker_has_written_both(client, directory, ingest_search_log):
    token = re.search(r'ping="[^"]*q=([0-9a-f]{32})', search(client, "menuisier")).group(1)
    assert click(client, "menuiserie-lilloise", 1, token).status_code == 204

    report = ingest_search_log()

    assert (report["searches"], report["clicks"]) == (1, 1)
    click_row = SearchClickLog.objects.get()
    assert click_row.search == SearchQueryLog.objects.get(query="menuisier")
    # A later click from the same result links, written by a later batch, finds the same row.
    assert click(client, "photon-coop", 2, token).status_code == 204
    ingest_search_log()
    assert set(SearchClickLog.objects.values_list("search__query", flat=True)) == {"menuisier"}


def test_a_replayed_spool_file_does_not_log_a_search_twice(client, directory, settings, ingest_search_log):
    search(client, "menuisier")
    spooled = {path: path.read_bytes() for path in settings.SEARCH_LOG_SPOOL_DIR.iterdir()}
    ingest_search_log()
    for path, content in spooled.items():  # a worker died after writing the rows, before deleting its file
        path.write_bytes(content)

    ingest_search_log()

    assert SearchQueryLog.objects.count() == 1
