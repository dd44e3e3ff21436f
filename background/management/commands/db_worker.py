"""``manage.py db_worker``: django-tasks-db's worker, plus the project's periodic tasks.

This app is listed before ``django_tasks_db`` in INSTALLED_APPS, so Django runs
this command under the same name, with the same options. The only addition: a
small thread enqueues the tasks of ``settings.BACKGROUND_PERIODIC_TASKS`` on
their period (search sweep, webhook retries), so one worker process is all an
operator runs — no cron. With ``--batch`` they are enqueued once, before the
queue is processed, so a batch run also sweeps.

Several workers may run side by side: each enqueues the periodic tasks, which
are idempotent (a sweep that finds nothing does nothing).
"""

import logging
import threading
import time

from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from background.scheduling import enqueue_periodic, periodic_tasks

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5  # how often the periodic schedule is looked at (each task has its own period)


class PeriodicTasksThread(threading.Thread):
    """Enqueues each periodic task when its period has elapsed, until stopped."""

    def __init__(self):
        super().__init__(name="periodic-tasks", daemon=True)
        self.stopped = threading.Event()
        self.last_run: dict[str, float] = {}

    def tick(self) -> None:
        now = time.monotonic()
        due = [p for p, every in periodic_tasks().items() if now - self.last_run.get(p, -1e9) >= every]
        if not due:
            return
        close_old_connections()
        try:
            enqueue_periodic(due)
        finally:
            connection.close()  # this thread's own connection: never left open between ticks
        for path in due:
            self.last_run[path] = now

    def run(self):
        while not self.stopped.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 — the schedule must outlive a database hiccup
                logger.exception("Periodic tasks could not be enqueued; trying again shortly")
            self.stopped.wait(BEAT_SECONDS)


class Command(db_worker.Command):
    help = (
        "Exécute les tâches en arrière-plan (indexation, webhooks, imports, géocodage) "
        "et planifie les tâches périodiques. --batch : traite la file puis s’arrête."
    )

    def handle(self, *args, batch=False, **options):
        if batch:
            enqueue_periodic()
            return super().handle(*args, batch=batch, **options)
        beat = PeriodicTasksThread()
        beat.start()
        try:
            return super().handle(*args, batch=batch, **options)
        finally:
            beat.stopped.set()
