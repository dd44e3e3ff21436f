"""Who is calling (partner key or anonymous) and how often they may.

Rate limits are the project's one throttle (``lagrappe.ratelimit``: fixed
windows in the cache every worker shares), per partner key or per client
address (``lagrappe.client_ip``).
"""

from dataclasses import dataclass

from django.conf import settings

from lagrappe.client_ip import client_bucket
from lagrappe.ratelimit import Throttle

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
    ip: str  # the client's address, or its /64 network for IPv6 (lagrappe.client_ip.client_bucket)

    @property
    def rate_key(self) -> str:
        return f"key:{self.partner_key.pk}" if self.partner_key else f"ip:{self.ip}"

    @property
    def rate_limit(self) -> int:
        if self.partner_key:
            return settings.GRAPHQL_RATE_LIMIT_KEY
        return settings.GRAPHQL_RATE_LIMIT_ANONYMOUS


def raw_key_from(request) -> str | None:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.META.get("HTTP_X_API_KEY") or None


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
    return Caller(partner_key=partner_key, ip=client_bucket(request))


def consume(caller: Caller, amount: int = 1) -> None:
    """Count `amount` requests in the caller's current window; AccessDenied(429) when over."""
    window = settings.GRAPHQL_RATE_LIMIT_WINDOW
    verdict = Throttle("graphql", caller.rate_limit, window).hit(caller.rate_key, amount)
    if not verdict.allowed:
        raise AccessDenied(
            429,
            f"Trop de requêtes : au plus {caller.rate_limit} par {window} s "
            f"{'pour cette clé' if caller.partner_key else 'par adresse IP sans clé d’API'}. "
            f"Réessayez dans {verdict.retry_after} s.",
            "RATE_LIMITED",
            retry_after=verdict.retry_after,
        )
