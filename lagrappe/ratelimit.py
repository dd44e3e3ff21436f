"""Per-client throttles and de-duplication, counted in the default cache.

One implementation for every anonymous door (the GraphQL API, « Rejoindre
l'annuaire », the search log and the click endpoint). Counters are fixed
windows in Django's default cache: Redis when ``REDIS_URL`` is set, the
database cache otherwise in production (``lagrappe.cache``, atomic increments),
so every worker counts in the same place. Clients are told apart by
``lagrappe.client_ip.client_bucket``.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window resets


@dataclass(frozen=True)
class Throttle:
    """At most ``limit`` hits per ``window`` seconds for each bucket."""

    name: str
    limit: int
    window: int

    def hit(self, bucket: str, amount: int = 1, at: float | None = None) -> Verdict:
        """Count ``amount`` hits for ``bucket`` in the current window (the one holding ``at``, a timestamp)."""
        now = time.time() if at is None else at
        window_start = int(now // self.window) * self.window
        key = f"throttle:{self.name}:{_safe(bucket)}:{window_start}"
        timeout = self.window + 5
        try:
            # The window is usually open already: one atomic increment (with the database
            # cache, a read and a compare-and-swap update instead of add's count, read and insert).
            count = cache.incr(key, amount)
        except ValueError:  # the first hit of this window: open it, then count as every other worker does
            cache.add(key, 0, timeout=timeout)
            try:
                count = cache.incr(key, amount)
            except ValueError:  # expired or evicted between add and incr: this hit opens a window
                cache.set(key, amount, timeout=timeout)
                count = amount
        retry_after = max(1, math.ceil(window_start + self.window - now))
        return Verdict(allowed=count <= self.limit, count=count, retry_after=retry_after)


def dedup_key(name: str, *parts) -> str:
    """A short cache key standing for ``parts`` (a client and what it did)."""
    return f"once:{name}:{_digest(parts)}"


def first_time(name: str, *parts, ttl: int) -> bool:
    """True the first time these ``parts`` are seen within ``ttl`` seconds (then False)."""
    return cache.add(dedup_key(name, *parts), 1, timeout=ttl)


def _digest(parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _safe(bucket: str) -> str:
    # Cache keys must stay short and free of spaces/control characters (memcached rules,
    # warned about by every backend); addresses and "key:<id>" already are.
    return bucket if len(bucket) <= 64 and bucket.isprintable() and " " not in bucket else _digest([bucket])
