"""Automatic persisted queries, compatible with Apollo Client's protocol.

https://github.com/apollographql/apollo-link-persisted-queries#protocol
A client first sends only ``extensions.persistedQuery.sha256Hash``; unknown
hash -> error ``PersistedQueryNotFound``; the client retries with the query
and the hash, we check that the hash is the query's SHA-256 and keep it in the
cache; later requests (GET too, hence CDN-cacheable URLs) send the hash only.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def cache_key(sha: str) -> str:
    return f"graphql-apq:{sha}"


def resolve_persisted_query(query: str | None, extensions: dict | None) -> str | None:
    """The query text to run, using and feeding the persisted query store."""
    persisted = (extensions or {}).get("persistedQuery") if isinstance(extensions, dict) else None
    if not persisted:
        return query
    if not isinstance(persisted, dict) or persisted.get("version", 1) != 1:
        raise PersistedQueryError("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
    sha = str(persisted.get("sha256Hash") or "").lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise PersistedQueryError("provided sha does not match query", "BAD_USER_INPUT")
    if query:
        if hashlib.sha256(query.encode()).hexdigest() != sha:
            raise PersistedQueryError("provided sha does not match query", "BAD_USER_INPUT")
        cache.set(cache_key(sha), query, timeout=settings.GRAPHQL_APQ_TTL)
        return query
    stored = cache.get(cache_key(sha))
    if stored is None:
        raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
    return stored
