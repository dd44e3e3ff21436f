"""A real worker for the background-work tests: ``manage.py db_worker`` in its own process.

The worker reads and writes the test database through its own connection, so the
tests' rows must be committed (``transactional_db``) and the database must be one a
second process can open: PostgreSQL. On SQLite (an in-memory test database) these
tests are skipped with the reason printed; CI runs them on PostgreSQL.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """Starts ``manage.py db_worker`` on the test database (``--batch`` runs, or a long-lived one)."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = ROOT / ".cache" / f"test-worker-{os.getpid()}.log"
        self.log.parent.mkdir(exist_ok=True)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", *args]

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**os.environ, **self.env, **(extra or {})}

    def run_batch(self, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
        """Process what is queued (and due), then exit."""
        done = subprocess.run(
            self.command("--batch", "--interval", "0"),
            cwd=ROOT, env=self.environment(extra), capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def start(self, **extra: str) -> subprocess.Popen:
        """A long-running worker, polling every 0.1 s, until ``stop()``."""
        assert self.process is None, "one worker at a time"
        self.output = self.log.open("w")
        self.process = subprocess.Popen(
            self.command("--interval", "0.1"), cwd=ROOT, env=self.environment(extra),
            stdout=self.output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self.process

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # SIGTERM: the worker finishes its task and exits
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self.output.close()

    def output_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@pytest.fixture
def worker(request, transactional_db, settings):
    """Tasks go to the database backend; ``worker.run_batch()`` / ``worker.start()`` run the real worker."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the worker runs in its own process on the test database")
    settings.TASKS = DATABASE_BACKEND
    # A transactional test's flush also empties rows that migrations create: put them back.
    from directory.models import Membership
    from directory.models.structures import MEMBERSHIP_LABELS

    for slug, name in MEMBERSHIP_LABELS.items():
        Membership.objects.update_or_create(slug=slug, defaults={"name": name})
    env = {
        "DJANGO_SETTINGS_MODULE": "lagrappe.settings.test",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "CONN_MAX_AGE": "0",
    }
    if settings.ELASTICSEARCH_URL:
        env["ELASTICSEARCH_URL"] = settings.ELASTICSEARCH_URL
        env["SEARCH_INDEX_PREFIX"] = settings.SEARCH_INDEX_PREFIX
    running = Worker(env)
    yield running
    running.stop()


def wait_for(condition, timeout: float = 30, every: float = 0.1, message: str = "condition"):
    """Poll ``condition()`` until it is truthy; fail with ``message`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {message}")
