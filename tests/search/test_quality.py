"""The search-quality loop: logs without personal data, the click endpoint, the admin report."""

import pytest
from django.contrib.auth import get_user_model

from directory.models import Structure
from lagrappe.engine_probe import engine_info
from search.models import SearchClickLog, SearchQueryLog
from search.quality import record_search
from search.service import search_structures
from search.types import GeoPoint, SearchQuery

pytestmark = pytest.mark.django_db


def test_record_search_keeps_no_personal_data(backend, directory, settings, ingest_search_log):
    query = SearchQuery(text="  Énergie   SOLAIRE ", categories=["collectif"], near=GeoPoint(50.63, 3.06, 10))
    record_search(query, search_structures(query), client="198.51.100.7")
    spooled = "".join(path.read_text() for path in settings.SEARCH_LOG_SPOOL_DIR.iterdir())

    ingest_search_log()

    log = SearchQueryLog.objects.get()
    assert "198.51.100.7" not in spooled and "50.63" not in spooled  # not even on its way in

    assert (log.query, log.result_count, log.engine) == (
        "energie solaire",
        1,
        "database" if backend == "database" else engine_info().product,
    )
    assert log.filters == {"categories": ["collectif"], "radius_km": 10}  # the visitor's position is not kept
    assert {f.name for f in SearchQueryLog._meta.fields} == {
        "id",
        "query",
        "filters",
        "result_count",
        "engine",
        "created_at",
    }


def test_blank_listing_is_not_logged(directory, ingest_search_log):
    query = SearchQuery()

    assert record_search(query, search_structures(query)) is None
    assert ingest_search_log()["searches"] == 0
    assert SearchQueryLog.objects.count() == 0


def test_click_is_logged_from_the_ping_query_string(client, directory, ingest_search_log):
    log = SearchQueryLog.objects.create(query="menuisier", result_count=2, engine="database")

    # <a ping> POSTs "PING" (text/ping) to the URL holding the parameters.
    response = client.post(
        f"/annuaire/clic/?structure=menuiserie-lilloise&q={log.pk}&position=2", "PING", content_type="text/ping"
    )

    assert response.status_code == 204
    ingest_search_log()
    click = SearchClickLog.objects.get()
    assert (click.search_id, click.structure.slug, click.position) == (log.pk, "menuiserie-lilloise", 2)


def test_click_by_post_with_a_bogus_search_id(client, directory, ingest_search_log):
    response = client.post("/annuaire/clic/", {"structure": "photon-coop", "q": "abc", "position": "-3"})

    assert response.status_code == 204
    ingest_search_log()
    assert [(c.search_id, c.position) for c in SearchClickLog.objects.all()] == [(None, None)]


def test_click_endpoint_refuses_get_and_writes_nothing(client, directory, ingest_search_log):
    # A crawler or a prefetching browser following a link must not write a row.
    response = client.get("/annuaire/clic/", {"structure": "photon-coop", "position": 1})

    assert response.status_code == 405
    ingest_search_log()
    assert SearchClickLog.objects.count() == 0


@pytest.mark.parametrize("slug", ["brouillon-solaire", "inconnue", ""])
def test_click_on_an_unpublished_or_unknown_structure_is_404_and_not_logged(client, directory, slug, ingest_search_log):
    response = client.post("/annuaire/clic/", {"structure": slug})

    assert response.status_code == 404
    ingest_search_log()
    assert SearchClickLog.objects.count() == 0


def test_admin_report_lists_searches_zero_results_and_clicks(client, directory):
    for text, count in [("menuisier", 2), ("menuisier", 2), ("ombrieres", 0)]:
        SearchQueryLog.objects.create(query=text, result_count=count, engine="database")
    SearchClickLog.objects.create(structure=Structure.objects.get(slug="photon-coop"), position=1)
    admin = get_user_model().objects.create_superuser("editrice", "editrice@example.org", "motdepasse-long-42")
    client.force_login(admin)

    response = client.get("/admin/recherches/")

    assert response.status_code == 200
    assert [r["query"] for r in response.context["zero_results"]] == ["ombrieres"]
    assert [(r["query"], r["searches"]) for r in response.context["top_searches"]] == [
        ("menuisier", 2),
        ("ombrieres", 1),
    ]
    assert [(r["structure__name"], r["clicks"]) for r in response.context["top_clicked"]] == [("Photon Coop", 1)]
    assert "Ajouter un synonyme" in response.content.decode()


def test_admin_report_is_refused_without_the_skill_permission(client, directory):
    user = get_user_model().objects.create_user("lecteur", "lecteur@example.org", "motdepasse-long-42")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    response = client.get("/admin/recherches/")

    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
