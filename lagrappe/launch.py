"""Run the site as an operator does, on this machine: production settings, a fresh database, gunicorn.

Shared by the production smoke test (``tests/deploy/test_deploy_server.py``)
and the HTTP benchmark (``bench/http_bench.py``), so that what « production »
means for them (the settings module, the proxy in front, two workers, the
database cache, no outside service) is written once. Nothing here runs inside
the site: it only starts ``manage.py`` and gunicorn as child processes.
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
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
# What a request carries when it comes through the declared proxy (TRUSTED_PROXY_COUNT=1).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}
# Variables of the caller's process that must not reach the site (pytest's, a developer's Redis).
NOT_PASSED_ON = {"DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST", "REDIS_URL"}


class LaunchError(RuntimeError):
    """A preparation step or the server failed; the message holds what it printed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp: Path, database_url: str, port: int, index_prefix: str, **overrides: str) -> dict:
    """The environment of a production site in ``tmp``: behind one proxy, 2 workers, the database cache.

    ELASTICSEARCH_URL passes through from the caller (unset: the database answers
    searches); its indexes go under ``index_prefix``. No outside service is
    called (the shipped table of communes answers geocoding).
    """
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env.update(
        DJANGO_SETTINGS_MODULE="lagrappe.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        SEARCH_LOG_SPOOL_DIR=str(tmp / "search-log"),
        SEARCH_INDEX_PREFIX=index_prefix,
        TRUSTED_PROXY_COUNT="1",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        LOG_LEVEL="warning",
        GEOCODER_BAN_URL="",
    )
    env.update(overrides)
    return env


def fresh_database(url: str | None, tmp: Path):
    """(DATABASE_URL of a new empty database, function that drops it).

    ``url`` names a throwaway PostgreSQL database, dropped and created again;
    anything else gives a SQLite file in ``tmp``.
    """
    if not (url or "").startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'production.sqlite3'}", lambda: None
    config = dj_database_url.parse(url)

    def run(sql):
        with psycopg.connect(
            dbname="postgres",
            user=config["USER"],
            password=config["PASSWORD"],
            host=config["HOST"],
            port=config["PORT"] or 5432,
            autocommit=True,
        ) as connection:
            connection.execute(sql)

    name = config["NAME"]
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return url, lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def renamed_database(url: str, suffix: str) -> str:
    """The same server and role, another database name (PostgreSQL's 63-character limit kept)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{(parts.path.lstrip('/') + suffix)[:63]}"))


def drop_engine_indexes(engine_url: str, prefix: str) -> None:
    """Delete the indexes named after ``prefix`` (this run's own), and only those."""
    try:
        with urllib.request.urlopen(f"{engine_url}/_cat/indices/{prefix}*?h=index&format=json", timeout=10) as r:
            names = [row["index"] for row in json.load(r)]
        for name in names:
            if name.startswith(prefix):
                urllib.request.urlopen(urllib.request.Request(f"{engine_url}/{name}", method="DELETE"), timeout=30)
    except OSError as exc:  # the engine is not ours to fail on; say what was left
        print(f"could not drop the indexes {prefix}*: {exc}")


def manage(env: dict, *args: str, timeout: float = 240, verbose: bool = False) -> str:
    """``manage.py`` with ``env``; its output, or LaunchError with what it printed."""
    started = time.monotonic()
    if verbose:
        print(f"· manage.py {' '.join(args)[:80]}", flush=True)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise LaunchError(f"manage.py {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    if verbose:
        print(f"  {time.monotonic() - started:.0f} s", flush=True)
    return result.stdout


def prepare(env: dict, *more: tuple[str, ...], timeout: float = 240, verbose: bool = False, demo: bool = True) -> None:
    """What ``make serve`` does before gunicorn, with the demo: cache table, migrations, demo, static files.

    ``more`` are further ``manage.py`` commands run after the demo (a bigger
    directory, an index rebuild). ``collectstatic`` runs alongside: it does not
    touch the database. ``demo=False`` leaves the demo out (a database prepared
    by an earlier run, only brought up to date).
    """
    collectstatic = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        steps = [("createcachetable",), ("migrate", "--no-input", "--verbosity", "0")]
        steps += [("load_demo",), *more] if demo else list(more)
        for step in steps:  # the cache table first: Wagtail caches site roots there (make serve's order)
            manage(env, *step, timeout=timeout, verbose=verbose)
        if collectstatic.wait(timeout=timeout) != 0:
            raise LaunchError(f"manage.py collectstatic:\n{collectstatic.stderr.read()}")
    finally:
        if collectstatic.poll() is None:
            collectstatic.kill()
            collectstatic.wait()


class Gunicorn:
    """gunicorn with ``lagrappe/gunicorn.py`` serving ``app``; a context manager that waits until it answers."""

    def __init__(self, env: dict, log: Path, app: str = "lagrappe.wsgi", ready_timeout: float = 90):
        self.env, self.log, self.app, self.ready_timeout = env, log, app, ready_timeout
        self.port = int(env["PORT"])
        self.process = None

    def __enter__(self):
        with open(self.log, "w") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "lagrappe/gunicorn.py", self.app],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            self._wait_until_it_answers()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _wait_until_it_answers(self):
        deadline = time.monotonic() + self.ready_timeout
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("GET", "/robots.txt", headers=PROXY_HEADERS)
                connection.getresponse().read()
                return
            except OSError:
                pass
            finally:
                connection.close()
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise LaunchError(f"gunicorn did not answer:\n{self.log.read_text()}")
            time.sleep(0.2)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
