"""Find out which search engine answers at ELASTICSEARCH_URL.

Settings need to know, before Django starts, whether the server is
Elasticsearch 8/9 or OpenSearch 2/3: Wagtail's page search needs the matching
backend and the directory index the matching client. The root endpoint of both
engines names its distribution and version; we read it with the standard
library (the clients themselves refuse the other product) and with a short
timeout, so a down engine never blocks start-up.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineInfo:
    distribution: str  # "opensearch" or "elasticsearch"
    version: str  # e.g. "3.8.0"
    reachable: bool

    @property
    def major(self) -> int:
        try:
            return int(self.version.split(".")[0])
        except ValueError:
            return 0

    @property
    def wagtail_backend(self) -> str:
        """Dotted path of the Wagtail (modelsearch) backend for this engine."""
        if self.distribution == "opensearch":
            return "wagtail.search.backends.opensearch2" if self.major == 2 else "wagtail.search.backends.opensearch3"
        return "wagtail.search.backends.elasticsearch8" if self.major == 8 else "wagtail.search.backends.elasticsearch9"


def parse_root_response(payload: dict) -> EngineInfo:
    version = payload.get("version") or {}
    distribution = version.get("distribution") or "elasticsearch"
    return EngineInfo(distribution=distribution, version=str(version.get("number", "0")), reachable=True)


def probe_engine(url: str, timeout: float = 3.0, declared: str | None = None) -> EngineInfo:
    """Ask the engine what it is; fall back to ``declared`` (SEARCH_ENGINE) when unreachable."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout) as response:  # noqa: S310 (configured URL)
            return parse_root_response(json.loads(response.read().decode("utf-8")))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        logger.warning("Search engine at %s is unreachable at start-up (%s)", url, exc)
        kind = (declared or "opensearch3").lower()
        distribution = "opensearch" if kind.startswith("opensearch") else "elasticsearch"
        major = "".join(ch for ch in kind if ch.isdigit()) or ("3" if distribution == "opensearch" else "9")
        return EngineInfo(distribution=distribution, version=f"{major}.0.0", reachable=False)
