"""Production smoke test: the configuration an operator runs, for real.

Production settings, ``collectstatic`` into a temporary STATIC_ROOT, a fresh
database (PostgreSQL when DATABASE_URL names one, a SQLite file otherwise)
migrated and loaded with the demo, then gunicorn with ``lagrappe/gunicorn.py``
on 127.0.0.1 behind a declared proxy (TRUSTED_PROXY_COUNT=1,
SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto). The pages requested come from
Wagtail's page models and the demo's live pages, not from a hand-kept list.
"""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

import dj_database_url
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(tmp_path: Path):
    """(DATABASE_URL of a new empty database, function that drops it)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'production.sqlite3'}", lambda: None
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_deploy_smoke"[:63]
    admin = {k: config[k] for k in ("USER", "PASSWORD", "HOST", "PORT")}

    def run(sql):
        with psycopg.connect(
            dbname="postgres",
            user=admin["USER"],
            password=admin["PASSWORD"],
            host=admin["HOST"],
            port=admin["PORT"] or 5432,
            autocommit=True,
        ) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), lambda: run(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def drop_engine_indexes(engine_url: str, prefix: str) -> None:
    """Delete the indexes this test created (named after its own prefix), and only those."""
    try:
        with urllib.request.urlopen(f"{engine_url}/_cat/indices/{prefix}*?h=index&format=json", timeout=10) as r:
            names = [row["index"] for row in json.load(r)]
        for name in names:
            if name.startswith(prefix):
                urllib.request.urlopen(urllib.request.Request(f"{engine_url}/{name}", method="DELETE"), timeout=10)
    except OSError as exc:  # the engine is not ours to fail on; say what was left
        print(f"could not drop the smoke-test indexes {prefix}*: {exc}")


def manage(env, *args, timeout=240) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


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
    database_url, drop_database = fresh_database(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"}}
    engine_url = env.get("ELASTICSEARCH_URL")
    index_prefix = f"{env.get('SEARCH_INDEX_PREFIX', 'lagrappe')}_deploy_smoke"
    env.update(
        DJANGO_SETTINGS_MODULE="lagrappe.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SEARCH_LOG_SPOOL_DIR=str(tmp_path / "search-log"),
        SEARCH_INDEX_PREFIX=index_prefix,
        TRUSTED_PROXY_COUNT="1",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        GRAPHQL_RATE_LIMIT_ANONYMOUS=str(ANONYMOUS_API_LIMIT),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        LOG_LEVEL="warning",
        GEOCODER_BAN_URL="",  # no outside service in tests: the shipped table of communes answers
    )
    env.pop("REDIS_URL", None)  # the database cache: the counters an operator without Redis gets
    server = None
    try:
        collectstatic = subprocess.Popen(  # independent of the database: alongside migrate
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=BASE_DIR,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        manage(env, "createcachetable")  # first: Wagtail caches site roots there (make serve's order)
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "load_demo")
        assert collectstatic.wait(timeout=240) == 0, collectstatic.stderr.read()
        inventory = json.loads(manage(env, "shell", "--command", INVENTORY).strip().splitlines()[-1])
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "lagrappe/gunicorn.py", "lagrappe.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "gunicorn.log", "w"),  # noqa: SIM115 (closed with the process)
        )
        running = Site(port, env, tmp_path / "static", inventory)
        deadline = time.monotonic() + 60
        while True:
            try:
                running.get("/robots.txt")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield running
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        drop_database()
        if engine_url:
            drop_engine_indexes(engine_url, index_prefix)


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
        subprocess.Popen([sys.executable, "manage.py", "shell", "--command", counter], cwd=BASE_DIR, env=site.env)
        for _ in range(3)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0]

    total = manage(
        site.env, "shell", "--command", "from django.core.cache import cache; print(cache.get('deploy-smoke-counter'))"
    )
    assert total.strip().splitlines()[-1] == "150"
