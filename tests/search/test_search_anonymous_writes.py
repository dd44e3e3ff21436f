"""Visitors write the search-quality log: one client cannot fill the editors' « Recherches » report."""

import re

import pytest
from django.contrib.auth import get_user_model

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


def test_one_client_logs_at_most_its_hourly_quota_of_searches(client, directory, settings):
    settings.SEARCH_LOG_RATE_LIMIT = 5
    for n in range(8):
        search(client, f"menuisier {n}")

    search(client, "menuisier", address=B)

    assert SearchQueryLog.objects.count() == 5 + 1


def test_a_repeated_search_counts_once_per_client_and_keeps_its_id(client, directory):
    pings = [re.search(r'ping="[^"]*q=(\d+)', search(client, "menuisier")).group(1) for _ in range(3)]
    search(client, "menuisier", address=B)

    assert SearchQueryLog.objects.count() == 2
    assert len(set(pings)) == 1  # the result links of the repeats point at the row logged first


def test_one_client_logs_at_most_its_hourly_quota_of_clicks(client, directory, settings):
    settings.SEARCH_CLICK_RATE_LIMIT = 3
    logs = [SearchQueryLog.objects.create(query=f"solaire {n}", result_count=1, engine="database") for n in range(5)]
    statuses = [click(client, "photon-coop", 1, log.pk).status_code for log in logs[:4]]
    other = click(client, "photon-coop", 1, logs[0].pk, address=B)

    assert statuses == [204, 204, 204, 429]
    assert "Trop de clics" in click(client, "photon-coop", 1, logs[4].pk).content.decode()
    assert other.status_code == 204
    assert SearchClickLog.objects.count() == 3 + 1


def test_a_repeated_click_on_the_same_result_counts_once(client, directory):
    log = SearchQueryLog.objects.create(query="menuisier", result_count=2, engine="database")

    statuses = [click(client, "menuiserie-lilloise", 1, log.pk).status_code for _ in range(3)]

    assert statuses == [204, 204, 204]
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
