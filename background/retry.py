"""How a failed piece of background work backs off: the one rule, used by every retrying task.

Search indexing and webhook deliveries keep their own state (attempts, next
attempt) in their own rows, so a retry survives a dead worker; they ask this
module when to try again.
"""

from datetime import timedelta


def backoff(attempts: int, base_seconds: float, max_seconds: float = 3600) -> timedelta:
    """Exponential back-off: ``base`` after the first failure, doubling, capped at ``max_seconds``."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))
