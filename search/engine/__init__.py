"""The search engine (Elasticsearch or OpenSearch) behind one small adapter (``backend.EngineBackend``)."""


class EngineUnavailable(Exception):
    """The engine is configured but does not answer (down, timeout, refused, index missing)."""


def get_backend():
    """The engine adapter, or None when ELASTICSEARCH_URL is not set (database fallback)."""
    from .backend import build_backend

    return build_backend()
