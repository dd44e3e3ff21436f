"""The engine backend (Elasticsearch or OpenSearch): client, index definition, queries, indexer, result reading."""

from .backend import EngineBackend, get_backend
from .client import EngineUnavailable

__all__ = ["EngineBackend", "EngineUnavailable", "get_backend"]
