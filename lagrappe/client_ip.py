"""The visitor's address, read the one way every throttle and log uses.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (0 by default: the site is
reached directly), each proxy appends to ``X-Forwarded-For`` the address of
the hop it received the request from. The client writes whatever it likes on
the left of that header, so only the entries the trusted proxies appended
count: with N proxies, the N-th entry from the right is the address the
outermost trusted proxy saw, i.e. the visitor's. With no proxy declared the
header is ignored and the TCP peer (``REMOTE_ADDR``) is the visitor.

A library such as django-ipware reads a dozen headers in a precedence order
and counts proxies from the left by default; the rule we need fits in a few
lines, so it lives here, once.
"""

import ipaddress

from django.conf import settings

UNKNOWN = "unknown"


def _parse(value: str) -> str | None:
    """A normalised IP address from one header entry (port and IPv6 brackets removed), or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The visitor's address as the nearest trusted proxy saw it (``unknown`` if unreadable)."""
    remote = _parse(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not entries:  # the request did not come through the proxy
        return remote
    # Fewer entries than declared proxies: a hop did not append (a misconfigured
    # proxy); the leftmost entry is then the furthest address one of them recorded.
    return _parse(entries[-min(proxies, len(entries))]) or UNKNOWN


def client_bucket(request) -> str:
    """The key a throttle counts under: the address, or its /64 network for IPv6.

    One IPv6 subscriber usually holds a whole /64; counting single addresses
    would let them rotate through 2^64 of them.
    """
    address = client_ip(request)
    if ":" not in address:
        return address
    return str(ipaddress.ip_network(f"{address}/64", strict=False))
