"""Publish webhooks: signed JSON delivered after commit to a real local HTTP server, retried with back-off."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Site

from api.models import Webhook, WebhookDelivery
from api.webhooks import deliver_due
from home.models.pages import ContentPage

SECRET = "s3cret-partenaire"


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 recording what it receives."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def dead_url():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more: connection refused
    return f"http://127.0.0.1:{port}/hook"


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a partner does (same snippet as docs/graphql.md)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_structure_publish_is_delivered_signed_after_commit(directory, receiver, django_capture_on_commit_callbacks):
    url, received = receiver
    Webhook.objects.create(name="Métropole", url=url, secret=SECRET)
    structure = directory["draft"]

    with django_capture_on_commit_callbacks(execute=True):
        structure.save_revision().publish()

    [request] = received
    payload = json.loads(request["body"])
    assert verify(SECRET, request["body"], request["headers"]["x-lagrappe-signature"])
    assert not verify("autre-secret", request["body"], request["headers"]["x-lagrappe-signature"])
    assert request["headers"]["x-lagrappe-event"] == "structure.published"
    assert {k: payload[k] for k in ("event", "type", "slug", "url")} == {
        "event": "structure.published",
        "type": "structure",
        "slug": "brouillon-secret",
        "url": "/annuaire/structures/brouillon-secret/",
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 204)


def test_unpublish_and_delete_are_notified(directory, receiver, django_capture_on_commit_callbacks):
    url, received = receiver
    Webhook.objects.create(name="Métropole", url=url, secret=SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        directory["soleil"].unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        directory["panier"].delete()

    assert [json.loads(r["body"])["event"] for r in received] == ["structure.unpublished", "structure.deleted"]


def test_page_publish_and_delete_are_notified(db, receiver, django_capture_on_commit_callbacks):
    url, received = receiver
    Webhook.objects.create(name="Métropole", url=url, secret=SECRET)
    root = Site.objects.get(is_default_site=True).root_page
    page = root.add_child(instance=ContentPage(title="Portes ouvertes", slug="portes-ouvertes", live=False))

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()

    events = [json.loads(r["body"]) for r in received]
    assert [(e["event"], e["slug"]) for e in events] == [
        ("page.published", "portes-ouvertes"),
        ("page.unpublished", "portes-ouvertes"),  # Wagtail unpublishes a live page before deleting it
        ("page.deleted", "portes-ouvertes"),
    ]


def test_rolled_back_publish_notifies_nobody(directory, receiver, django_capture_on_commit_callbacks):
    url, received = receiver
    Webhook.objects.create(name="Métropole", url=url, secret=SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                directory["draft"].save_revision().publish()
                raise RuntimeError("annulé")

    assert received == []
    assert WebhookDelivery.objects.count() == 0


def test_dead_url_is_retried_with_exponential_backoff_then_delivered(
    directory, receiver, django_capture_on_commit_callbacks
):
    url, received = receiver
    webhook = Webhook.objects.create(name="Partenaire en panne", url=dead_url(), secret=SECRET)
    inactive = Webhook.objects.create(name="Inactif", url=url, secret=SECRET, active=False)

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        directory["draft"].save_revision().publish()
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == webhook  # the inactive webhook got nothing
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
    assert "Connection refused" in delivery.error
    # Structural, not timed: the wait is counted from the attempt itself, whatever the machine's load.
    assert delivery.last_attempt_at >= before
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=30)

    # Not due yet: nothing happens.
    assert deliver_due(now=delivery.next_attempt_at - timedelta(seconds=1), timeout=1) == (0, 0)
    # Due: a second failure doubles the wait.
    assert deliver_due(now=delivery.next_attempt_at, timeout=1) == (0, 1)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=60)

    # The partner is back: the command delivers it.
    webhook.url = url
    webhook.save()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("deliver_webhooks", "--timeout", "2")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 204)
    assert len(received) == 1 and inactive.deliveries.count() == 0


def test_delivery_gives_up_after_max_attempts(directory, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    Webhook.objects.create(name="Partenaire en panne", url=dead_url(), secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        directory["draft"].save_revision().publish()

    deliver_due(now=timezone.now() + timedelta(hours=1), timeout=1)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
