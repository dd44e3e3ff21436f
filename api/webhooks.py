"""Publish notifications: signed JSON POSTs to partner webhooks, delivered by the worker.

An event (page or structure published / unpublished / deleted) writes one
``WebhookDelivery`` per active webhook *in the transaction that publishes*: a
rolled-back publish notifies nobody, a committed one is never forgotten (the
rows are the outbox). After the commit, the ``deliver_webhooks`` task is
enqueued; the worker (``manage.py db_worker``) POSTs each due delivery. No
editor ever waits on a partner's server.

A non-2xx answer or a network error schedules the next attempt with
exponential back-off (``background.retry``; WEBHOOK_BACKOFF_SECONDS,
doubling) and enqueues the task again for that time, until
WEBHOOK_MAX_ATTEMPTS, then the delivery is abandoned. The worker also
runs the task every minute (``BACKGROUND_PERIODIC_TASKS``), which catches a
delivery whose task was lost (a process killed between commit and enqueue).

A delivery is locked while it is sent (``select_for_update(skip_locked=True)``
on PostgreSQL), so two workers never POST the same one, and it is marked
delivered in the same transaction as the successful POST: a partner receives
each event once, however many retries it took.

Signature: ``X-LaGrappe-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from background.retry import backoff as retry_backoff
from background.scheduling import enqueue_once

from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-LaGrappe-Signature"
TASK_KEY = "api:deliver-webhooks"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notify(event: str, payload: dict) -> None:
    """Record `event` for every active webhook in this transaction; the worker delivers it after commit."""
    payload = {"event": event, "occurredAt": timezone.now().isoformat(), **payload}
    webhooks = list(Webhook.objects.filter(active=True))
    if not webhooks:
        return
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=webhook, event=event, payload=payload) for webhook in webhooks]
    )
    transaction.on_commit(schedule_delivery)


def schedule_delivery(run_after: datetime | None = None) -> None:
    enqueue_once(deliver_webhooks, TASK_KEY, run_after=run_after)


def backoff(attempts: int) -> timedelta:
    return retry_backoff(attempts, settings.WEBHOOK_BACKOFF_SECONDS, max_seconds=24 * 3600)


def attempt(delivery: WebhookDelivery, timeout: float = 10) -> bool:
    """POST the delivery once; record the outcome and schedule the next attempt."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "LaGrappe-Webhooks/1",
            "X-LaGrappe-Event": delivery.event,
            "X-LaGrappe-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: sign(delivery.webhook.secret, body),
        },
    )
    delivery.attempts += 1
    now = timezone.now()
    delivery.last_attempt_at = now
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (URL set by editors)
            delivery.response_code = response.status
        ok = 200 <= delivery.response_code < 300
        delivery.error = "" if ok else f"HTTP {delivery.response_code}"
    except urllib.error.HTTPError as exc:
        delivery.response_code = exc.code
        delivery.error = f"HTTP {exc.code}"
        ok = False
    except (urllib.error.URLError, OSError, ValueError) as exc:
        delivery.response_code = None
        delivery.error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        ok = False
    if ok:
        delivery.status = WebhookDelivery.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.FAILED
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "status",
            "response_code",
            "error",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]
    )
    if not ok:
        logger.warning("Webhook delivery %s failed (%s)", delivery.pk, delivery.error)
    return ok


def pending():
    return WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING, webhook__active=True)


def deliver_due(now=None, timeout: float = 10) -> tuple[int, int]:
    """Send the pending deliveries that are due, each under a row lock; return (delivered, still failing)."""
    now = now or timezone.now()
    delivered = failing = 0
    ids = list(pending().filter(next_attempt_at__lte=now).order_by("next_attempt_at").values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            # Another worker holding this row is sending it: skip it rather than send it twice.
            delivery = (
                pending()
                .filter(pk=pk, next_attempt_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("webhook")
                .first()
            )
            if delivery is None:
                continue
            if attempt(delivery, timeout=timeout):
                delivered += 1
            else:
                failing += 1
    return delivered, failing


@task()
def deliver_webhooks() -> dict:
    """Livrer les notifications de webhooks dues."""
    delivered, failing = deliver_due(timeout=settings.WEBHOOK_TIMEOUT)
    following = pending().order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if following is not None:
        # Retries survive on their own; the periodic run is only the safety net.
        schedule_delivery(run_after=max(following, timezone.now()))
    return {"delivered": delivered, "failing": failing}
