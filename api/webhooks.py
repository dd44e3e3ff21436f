"""Publish notifications: signed JSON POSTs to partner webhooks, retried with back-off.

An event (page or structure published / unpublished / deleted) creates one
``WebhookDelivery`` per active webhook *after the transaction commits* (so a
rolled-back publish notifies nobody), then tries each delivery once with a
short timeout. Failures are retried by ``manage.py deliver_webhooks`` (run it
from cron every minute) with exponential back-off until GRAPHQL_WEBHOOK_MAX_ATTEMPTS.

Signature: ``X-LaGrappe-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-LaGrappe-Signature"


def setting(name, default):
    return getattr(settings, name, default)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notify(event: str, payload: dict) -> None:
    """Queue `event` for every active webhook once the current transaction commits."""
    payload = {"event": event, "occurredAt": timezone.now().isoformat(), **payload}

    def enqueue_and_send():
        deliveries = [
            WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload)
            for webhook in Webhook.objects.filter(active=True)
        ]
        for delivery in deliveries:
            attempt(delivery, timeout=setting("GRAPHQL_WEBHOOK_FIRST_TIMEOUT", 2))

    transaction.on_commit(enqueue_and_send)


def backoff(attempts: int) -> timedelta:
    base = setting("GRAPHQL_WEBHOOK_BACKOFF_SECONDS", 30)
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


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
    elif delivery.attempts >= setting("GRAPHQL_WEBHOOK_MAX_ATTEMPTS", 8):
        delivery.status = WebhookDelivery.FAILED
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "status", "response_code", "error", "next_attempt_at", "delivered_at"])
    if not ok:
        logger.warning("Webhook delivery %s failed (%s)", delivery.pk, delivery.error)
    return ok


def deliver_due(now=None, timeout: float = 10) -> tuple[int, int]:
    """Retry pending deliveries that are due; return (delivered, still failing)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING, next_attempt_at__lte=now, webhook__active=True)
    delivered = failing = 0
    for delivery in due.select_related("webhook").order_by("next_attempt_at"):
        if attempt(delivery, timeout=timeout):
            delivered += 1
        else:
            failing += 1
    return delivered, failing
