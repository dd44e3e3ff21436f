"""Partner access and publish notifications.

``PartnerKey``: an API key an editor issues to a partner site; only a prefix
(for lookup) and a SHA-256 hash are stored, the raw key is shown once in the
admin. ``Webhook``/``WebhookDelivery``: partner URLs notified (signed JSON)
when a page or a structure is published, unpublished or deleted, so partners
revalidate their caches. Registered in the admin in ``api/wagtail_hooks.py``.
"""

import hashlib
import hmac
import secrets

from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel

KEY_PREFIX_LENGTH = 8
KEY_NAMESPACE = "lgr"


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def split_key(raw_key: str) -> tuple[str, str] | None:
    """`lgr_<prefix>_<secret>` -> (prefix, secret), or None when malformed."""
    parts = raw_key.split("_")
    if len(parts) != 3 or parts[0] != KEY_NAMESPACE or len(parts[1]) != KEY_PREFIX_LENGTH or not parts[2]:
        return None
    return parts[1], parts[2]


class PartnerKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked=False)


class PartnerKey(models.Model):
    """An API key for a partner site: raises its rate limit, optionally bound to its origins."""

    name = models.CharField("nom du partenaire", max_length=150)
    prefix = models.CharField("préfixe", max_length=KEY_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField("empreinte SHA-256", max_length=64, editable=False)
    allowed_origins = models.TextField(
        "origines autorisées",
        blank=True,
        help_text="Une origine par ligne (ex. https://www.partenaire.fr). Vide : toutes les origines. "
        "Les appels depuis un navigateur d’une autre origine sont refusés.",
    )
    revoked = models.BooleanField("révoquée", default=False, help_text="Une clé révoquée est refusée immédiatement.")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True, editable=False)

    objects = PartnerKeyQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("allowed_origins"), FieldPanel("revoked")]

    class Meta:
        ordering = ["name"]
        verbose_name = "clé d’API partenaire"
        verbose_name_plural = "clés d’API partenaires"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new raw key with its prefix and hash: (raw_key, prefix, key_hash)."""
        prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
        raw_key = f"{KEY_NAMESPACE}_{prefix}_{secrets.token_urlsafe(32).replace('_', '-')}"
        return raw_key, prefix, hash_key(raw_key)

    def set_new_key(self) -> str:
        """Give this instance a fresh key; return the raw key (to show once, never stored)."""
        raw_key, self.prefix, self.key_hash = self.generate()
        return raw_key

    @classmethod
    def authenticate(cls, raw_key: str) -> "PartnerKey | None":
        parts = split_key(raw_key.strip())
        if parts is None:
            return None
        key = cls.objects.active().filter(prefix=parts[0]).first()
        if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw_key.strip())):
            return None
        return key

    @property
    def origin_list(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()]

    def allows_origin(self, origin: str | None) -> bool:
        """A key bound to origins needs one of them in ``Origin``; a call without the header is refused."""
        if not self.origin_list:
            return True
        return bool(origin) and origin.rstrip("/") in self.origin_list

    def touch(self, every_seconds: int = 60):
        """Record use, at most once a minute (no write per request)."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= every_seconds:
            PartnerKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class Webhook(models.Model):
    """A partner URL notified when published content changes."""

    name = models.CharField("nom", max_length=150)
    url = models.URLField("adresse de réception", max_length=500)
    secret = models.CharField(
        "secret de signature",
        max_length=128,
        default=secrets.token_hex,
        help_text="Sert à signer chaque notification (en-tête X-LaGrappe-Signature, HMAC-SHA256). À transmettre au partenaire.",
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    panels = [FieldPanel("name"), FieldPanel("url"), FieldPanel("secret"), FieldPanel("active")]

    class Meta:
        ordering = ["name"]
        verbose_name = "webhook de publication"
        verbose_name_plural = "webhooks de publication"

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    """One notification to one webhook, with its attempts: written in the publishing
    transaction, sent by the worker, retried with back-off (``api/webhooks.py``)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    STATUS_CHOICES = [(PENDING, "en attente"), (DELIVERED, "livrée"), (FAILED, "abandonnée")]

    webhook = models.ForeignKey(Webhook, verbose_name="webhook", related_name="deliveries", on_delete=models.CASCADE)
    event = models.CharField("événement", max_length=60)
    payload = models.JSONField("contenu")
    status = models.CharField("état", max_length=12, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_attempt_at = models.DateTimeField("dernière tentative", null=True, blank=True)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now, db_index=True)
    response_code = models.PositiveSmallIntegerField("code de réponse", null=True, blank=True)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    delivered_at = models.DateTimeField("livrée le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "livraison de webhook"
        verbose_name_plural = "livraisons de webhooks"

    def __str__(self):
        return f"{self.event} → {self.webhook}"
