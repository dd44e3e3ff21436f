"""Webhooks delivered by the real worker: signed, retried with back-off, each event received once."""

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from api.models import Webhook, WebhookDelivery
from directory.models import Structure
from tests.tasks.conftest import wait_for

SECRET = "secret-du-partenaire"


@pytest.fixture
def flaky_endpoint():
    """A real HTTP server on 127.0.0.1 that answers 503 to the first two POSTs of each event, then 204."""
    calls = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            key = (json.loads(body)["event"], json.loads(body)["id"])
            with lock:
                seen = sum(1 for c in calls if c["key"] == key)
                status = 503 if seen < 2 else 204
                calls.append(
                    {
                        "key": key,
                        "status": status,
                        "body": body,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", calls
    server.shutdown()
    server.server_close()


def test_endpoint_failing_twice_receives_each_event_exactly_once(worker, flaky_endpoint):
    url, calls = flaky_endpoint
    Webhook.objects.create(name="Métropole", url=url, secret=SECRET)
    first = Structure.objects.create(slug="atelier-velo", name="Atelier Vélo", category="collectif", live=False)
    second = Structure.objects.create(slug="grainerie", name="Grainerie", category="collectif", live=False)

    # Each publication commits with its deliveries; nothing is sent from the saving process.
    first.save_revision().publish()
    second.save_revision().publish()
    first.refresh_from_db()
    first.unpublish()
    assert calls == []
    assert WebhookDelivery.objects.filter(status="pending", attempts=0).count() == 3

    worker.start(WEBHOOK_BACKOFF_SECONDS="1")
    wait_for(
        lambda: WebhookDelivery.objects.filter(status="delivered").count() == 3,
        timeout=60,
        message=f"three deliveries (worker log: {worker.output_text()[-2000:]})",
    )
    # Let a duplicate arrive, if the worker were to send one.
    time.sleep(2.5)
    worker.stop()
    connection.close()

    events = [
        ("structure.published", first.pk),
        ("structure.published", second.pk),
        ("structure.unpublished", first.pk),
    ]
    assert Counter(c["key"] for c in calls if c["status"] == 204) == Counter(events)  # once each
    assert Counter(c["key"] for c in calls) == Counter({e: 3 for e in events})  # after two failures each
    for call in calls:
        expected = "sha256=" + hmac.new(SECRET.encode(), call["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(call["headers"]["x-lagrappe-signature"], expected)
    for delivery in WebhookDelivery.objects.all():
        assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == ("delivered", 3, 204, "")
        assert delivery.last_attempt_at == delivery.delivered_at
        # Back-off: 1 s then 2 s between the three attempts.
        assert (delivery.delivered_at - delivery.created_at).total_seconds() >= 3
