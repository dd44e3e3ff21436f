"""Enqueueing without flooding the worker, and the periodic tasks the worker starts.

Only the public Tasks API is used (``enqueue``, ``using``, ``get_result``), so a
broker backend (Celery, RQ…) stays a settings change.

``enqueue_once``: a « something changed, catch up » task (search indexing after
every admin save, webhook deliveries after every publication) is useful once
per burst. If the task this process enqueued last under the same key has not
started yet and will start no later than wanted, it will see our committed rows
anyway: nothing is enqueued. The remembered id lives in the cache (shared
between processes with Redis, per process otherwise), so the rule is only an
economy: a missed dedup costs one cheap no-op task, never a lost change.

Periodic tasks (``settings.BACKGROUND_PERIODIC_TASKS``: dotted path -> seconds) are
enqueued by the worker itself (``manage.py db_worker``, see
``background/management/commands/db_worker.py``): no cron, no second scheduler.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

logger = logging.getLogger(__name__)

CACHE_PREFIX = "background:enqueued:"
REMEMBER_SECONDS = 24 * 3600


def enqueue_once(task, key: str, *args, run_after: datetime | None = None, **kwargs):
    """Enqueue ``task`` unless the one last enqueued under ``key`` is still waiting to start by then.

    ``run_after``: not before this time (a retry). Returns the task result, or None
    when the backend cannot defer (the immediate backend) and the time is not come.
    """
    cache_key = CACHE_PREFIX + key
    backend = task.get_backend()
    if run_after is not None and run_after > timezone.now() and not backend.supports_defer:
        # The immediate backend would run it now, before it is due (and a retry
        # loop would spin): the periodic run or the next change picks it up.
        return None
    previous_id = cache.get(cache_key)
    if previous_id and backend.supports_get_result:
        try:
            previous = task.get_result(previous_id)
        except TaskResultDoesNotExist:
            previous = None
        if previous is not None and previous.status == TaskResultStatus.READY:
            starts = previous.task.run_after
            if starts is None or starts <= (run_after or timezone.now()):
                return previous
    if run_after is not None and run_after > timezone.now():
        result = task.using(run_after=run_after).enqueue(*args, **kwargs)
    else:
        result = task.enqueue(*args, **kwargs)
    if backend.supports_get_result:
        cache.set(cache_key, result.id, REMEMBER_SECONDS)
    return result


def periodic_tasks() -> dict[str, float]:
    return dict(getattr(settings, "BACKGROUND_PERIODIC_TASKS", {}))


def enqueue_periodic(paths=None) -> int:
    """Enqueue each periodic task whose previous run is not still waiting (called by the worker)."""
    count = 0
    for path in periodic_tasks() if paths is None else paths:
        try:
            task = import_string(path)
            enqueue_once(task, f"periodic:{path}")
            count += 1
        except Exception:  # noqa: BLE001 — one broken task must not stop the others' schedule
            logger.exception("Could not enqueue the periodic task %s", path)
    return count
