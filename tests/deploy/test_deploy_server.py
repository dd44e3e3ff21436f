"""Production smoke test: the configuration an operator runs, for real.

Production settings, ``collectstatic`` into a temporary STATIC_ROOT, a fresh
database (PostgreSQL when DATABASE_URL names one, a SQLite file otherwise)
migrated and loaded with the demo, then gunicorn with ``lagrappe/gunicorn.py``
on 127.0.0.1 behind a declared proxy (TRUSTED_PROXY_COUNT=1,
SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto): ``lagrappe.launch``, which the
HTTP benchmark runs too. The pages requested come from
Wagtail's page models and the demo's live pages, not from a hand-kept list.
"""

import http.client
import json
import os
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest

from lagrappe.launch import (
    PROXY_HEADERS,
    ROOT,
    Gunicorn,
    drop_engine_indexes,
    free_port,
    fresh_database,
    manage,
    prepare,
    production_env,
    renamed_database,
)

ANONYMOUS_API_LIMIT = 20  # per client and minute, low enough to watch two workers share the count

pytestmark = pytest.mark.deploy

# Run by `manage.py shell` in the production environment (one process start for two jobs):
# a counter at 0, then the inventory printed as JSON: one live, public page of every page
# model Wagtail knows (None when the demo has none), a public profile, a term.
INVENTORY = """
import json
from django.core.cache import cache
cache.set("deploy-smoke-counter", 0, 600)
from wagtail.models import Page, get_page_models
from directory.models import Structure
pages = {}
for model in get_page_models():
    if model is Page:
        continue
    page = model.objects.live().public().first()
    pages[model._meta.label] = page.url if page else None
structure = Structure.objects.public().order_by("pk").first()
print(json.dumps({"pages": pages, "profile": structure.get_absolute_url(), "term": structure.city,
                  "home_title": Page.objects.get(depth=2).specific.title}))
"""


class Site:
    """The running server and a tiny HTTP client that goes through the 'proxy'."""

    def __init__(self, port, env, static_root, inventory):
        self.port, self.env, self.static_root, self.inventory = port, env, static_root, inventory

    def request(self, method, path, body=None, headers=None, proxy=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {**(PROXY_HEADERS if proxy else {}), **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        return response, content

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def graphql(self, query, client="203.0.113.10"):
        return self.request(
            "POST",
            "/graphql/",
            body=json.dumps({"query": query}),
            headers={"Content-Type": "application/json", "X-Forwarded-For": client},
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    database = os.environ.get("DATABASE_URL", "")
    database_url, drop_database = fresh_database(database and renamed_database(database, "_deploy_smoke"), tmp_path)
    index_prefix = f"{os.environ.get('SEARCH_INDEX_PREFIX', 'lagrappe')}_deploy_smoke"
    # The database cache (no REDIS_URL): the counters an operator without Redis gets.
    env = production_env(
        tmp_path, database_url, free_port(), index_prefix, GRAPHQL_RATE_LIMIT_ANONYMOUS=str(ANONYMOUS_API_LIMIT)
    )
    try:
        prepare(env)
        inventory = json.loads(manage(env, "shell", "--command", INVENTORY).strip().splitlines()[-1])
        with Gunicorn(env, tmp_path / "gunicorn.log"):
            yield Site(int(env["PORT"]), env, tmp_path / "static", inventory)
    finally:
        drop_database()
        if env.get("ELASTICSEARCH_URL"):
            drop_engine_indexes(env["ELASTICSEARCH_URL"], index_prefix)


def test_every_page_type_has_a_live_page_in_the_demo(site):
    # A page type added without demo content would go untested below.
    assert {label: url for label, url in site.inventory["pages"].items() if url is None} == {}


def test_every_page_type_answers_200(site):
    statuses = {label: site.get(url)[0].status for label, url in site.inventory["pages"].items() if url}

    assert statuses == {label: 200 for label in statuses}
    assert len(statuses) >= 8  # home, content, news and events (index and page), form, directory


def test_a_profile_and_the_directory_with_a_query_answer_200(site):
    profile, profile_html = site.get(site.inventory["profile"])
    term = urllib.parse.quote(site.inventory["term"])
    directory, directory_html = site.get(f"/annuaire/?q={term}")

    assert (profile.status, directory.status) == (200, 200)
    assert b'"@context"' in profile_html  # the structure's JSON-LD: the real profile, not an error page
    assert b"data-dir-hit" in directory_html  # at least one result for the profile's own city


def test_a_hashed_static_asset_is_served_with_a_long_cache(site):
    manifest = json.loads((site.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/leaflet/leaflet.js"]

    response, body = site.get(f"/static/{hashed}")

    assert response.status == 200
    assert b"window.L" in body
    assert "max-age=315360000" in response.getheader("Cache-Control")


def test_graphql_answers(site):
    response, body = site.graphql('{ page(urlPath: "/") { title } structures(perPage: 1) { items { name } } }')

    payload = json.loads(body)
    assert response.status == 200, payload
    assert "errors" not in payload
    assert payload["data"]["page"]["title"] == site.inventory["home_title"]
    assert len(payload["data"]["structures"]["items"]) == 1


def test_the_admin_login_works(site):
    page, html = site.get("/admin/login/")
    assert page.status == 200
    cookies = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie"):
        cookies.load(header)
    token = html.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    cookie_header = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())

    login, _ = site.request(
        "POST",
        "/admin/login/",
        body=urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "admin", "password": "lagrappe"}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header,
            "Referer": f"https://127.0.0.1:{site.port}/admin/login/",
        },
    )
    for header in login.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    dashboard, _ = site.get(
        "/admin/", headers={"Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())}
    )

    assert (login.status, login.getheader("Location")) == (302, "/admin/")
    assert "Secure" in cookies["sessionid"].output()  # only ever sent back over HTTPS
    assert dashboard.status == 200


def test_without_the_proxy_https_header_the_site_redirects_to_https(site):
    response, _ = site.get("/", proxy=False)

    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{site.port}/"


def test_both_workers_count_one_client_in_the_same_window(site):
    # Given two gunicorn workers and the database cache, when one client sends more
    # requests at once than its limit, exactly the limit gets through: per-process
    # counters would let each worker grant the full limit.
    extra = 10
    with ThreadPoolExecutor(max_workers=ANONYMOUS_API_LIMIT + extra) as pool:
        statuses = list(
            pool.map(
                lambda _: site.graphql("{ __typename }", client="203.0.113.77")[0].status,
                range(ANONYMOUS_API_LIMIT + extra),
            )
        )

    assert sorted(statuses) == [200] * ANONYMOUS_API_LIMIT + [429] * extra


def test_database_cache_increments_are_atomic_across_processes(site):
    # The counter was set to 0 when the site was prepared; three processes add 50 each.
    # (Django's own DatabaseCache.incr is get-then-set: 112 of 200 counted with four processes.)
    counter = "from django.core.cache import cache; [cache.incr('deploy-smoke-counter') for _ in range(50)]"

    workers = [
        subprocess.Popen([sys.executable, "manage.py", "shell", "--command", counter], cwd=ROOT, env=site.env)
        for _ in range(3)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0]

    total = manage(
        site.env, "shell", "--command", "from django.core.cache import cache; print(cache.get('deploy-smoke-counter'))"
    )
    assert total.strip().splitlines()[-1] == "150"
