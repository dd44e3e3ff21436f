"""The search engine (Elasticsearch or OpenSearch) behind one small adapter."""


class EngineUnavailable(Exception):
    """The engine is configured but does not answer (down, timeout, refused)."""


def get_backend():
    """The engine adapter, or None when ELASTICSEARCH_URL is not set (database fallback)."""
    return None
