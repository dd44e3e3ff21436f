"""Admin (French): partner keys shown once, stored hashed; webhooks and deliveries listed."""

import re

from django.urls import reverse

from api.models import PartnerKey, Webhook, WebhookDelivery, hash_key


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(admin_client):
    response = admin_client.post(
        reverse("partner_keys:add"),
        {"name": "Métropole européenne de Lille", "allowed_origins": "https://www.lillemetropole.fr", "revoked": ""},
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    [raw] = re.findall(r"<code>(lgr_[0-9a-f]{8}_[A-Za-z0-9-]+)</code>", html)
    key = PartnerKey.objects.get()
    assert key.key_hash == hash_key(raw) and raw.startswith(f"lgr_{key.prefix}_")
    assert PartnerKey.authenticate(raw) == key
    # Never shown again: the edit page and the listing do not contain it.
    assert raw not in admin_client.get(reverse("partner_keys:edit", args=[key.pk])).content.decode()
    assert raw not in admin_client.get(reverse("partner_keys:index")).content.decode()


def test_webhook_and_delivery_listings(admin_client):
    webhook = Webhook.objects.create(name="Réseau", url="https://partenaire.example/hook")
    WebhookDelivery.objects.create(webhook=webhook, event="structure.published", payload={"slug": "x"})

    assert admin_client.get(reverse("webhooks:index")).status_code == 200
    listing = admin_client.get(reverse("webhook_deliveries:index"))
    assert listing.status_code == 200
    assert "structure.published" in listing.content.decode()
    # Deliveries are read-only: no add view for editors.
    assert admin_client.get(reverse("webhook_deliveries:add")).status_code in (302, 403)


def test_key_and_webhook_listings_say_oui_non_not_true_false(admin_client):
    for k in (PartnerKey(name="Mairie de Lille"), PartnerKey(name="Ancien partenaire", revoked=True)):
        k.set_new_key()
        k.save()
    Webhook.objects.create(name="Réseau", url="https://partenaire.example/hook", active=False)

    keys = admin_client.get(reverse("partner_keys:index")).content.decode()
    hooks_html = admin_client.get(reverse("webhooks:index")).content.decode()

    for html in (keys, hooks_html):
        assert ">False<" not in html.replace(" ", "").replace("\n", "")
        assert ">True<" not in html.replace(" ", "").replace("\n", "")
    assert re.search(r"<td[^>]*>\s*Oui\s*</td>", keys) and re.search(r"<td[^>]*>\s*Non\s*</td>", keys)
    assert re.search(r"<td[^>]*>\s*Non\s*</td>", hooks_html)
