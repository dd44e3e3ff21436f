"""Who is calling (partner key or anonymous) and how often they may.

Rate limits are fixed windows counted in Django's cache (local memory by
default, Redis when REDIS_URL is set, shared by every worker then).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .models import PartnerKey


class AccessDenied(Exception):
    def __init__(self, status: int, message: str, code: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.retry_after = retry_after


@dataclass
class Caller:
    partner_key: PartnerKey | None
    ip: str

    @property
    def rate_key(self) -> str:
        return f"key:{self.partner_key.pk}" if self.partner_key else f"ip:{self.ip}"

    @property
    def rate_limit(self) -> int:
        if self.partner_key:
            return int(getattr(settings, "GRAPHQL_RATE_LIMIT_KEY", 600))
        return int(getattr(settings, "GRAPHQL_RATE_LIMIT_ANONYMOUS", 60))


def raw_key_from(request) -> str | None:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.META.get("HTTP_X_API_KEY") or None


def client_ip(request) -> str:
    # Behind a proxy, set GRAPHQL_TRUSTED_PROXY_HEADER (e.g. HTTP_X_FORWARDED_FOR) so limits are per visitor.
    header = getattr(settings, "GRAPHQL_TRUSTED_PROXY_HEADER", None)
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def identify(request) -> Caller:
    """The caller, or AccessDenied (401 bad/revoked key, 403 origin not allowed)."""
    raw_key = raw_key_from(request)
    partner_key = None
    if raw_key:
        partner_key = PartnerKey.authenticate(raw_key)
        if partner_key is None:
            raise AccessDenied(401, "Clé d’API invalide ou révoquée.", "INVALID_API_KEY")
        origin = request.META.get("HTTP_ORIGIN")
        if not partner_key.allows_origin(origin):
            message = (
                f"Origine {origin!r} non autorisée pour cette clé d’API."
                if origin
                else "Cette clé d’API est réservée à ses origines autorisées : l’en-tête Origin manque."
            )
            raise AccessDenied(403, message, "ORIGIN_NOT_ALLOWED")
        partner_key.touch()
    return Caller(partner_key=partner_key, ip=client_ip(request))


def consume(caller: Caller, amount: int = 1) -> None:
    """Count `amount` requests in the caller's current window; AccessDenied(429) when over."""
    window = int(getattr(settings, "GRAPHQL_RATE_LIMIT_WINDOW", 60))
    now = time.time()
    window_start = int(now // window) * window
    key = f"graphql-rate:{caller.rate_key}:{window_start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key, amount)
    except ValueError:  # evicted between add and incr
        cache.set(key, amount, timeout=window + 5)
        count = amount
    if count > caller.rate_limit:
        retry_after = max(1, int(window_start + window - now + 0.999))
        raise AccessDenied(
            429,
            f"Trop de requêtes : au plus {caller.rate_limit} par {window} s "
            f"{'pour cette clé' if caller.partner_key else 'par adresse IP sans clé d’API'}. "
            f"Réessayez dans {retry_after} s.",
            "RATE_LIMITED",
            retry_after=retry_after,
        )
