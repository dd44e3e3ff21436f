"""Wagtail's page-search backend, chosen when it is first used rather than in settings.

``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]`` names this module; Wagtail
(modelsearch) calls ``SearchBackend(params)`` each time it needs a backend, i.e.
when a page is saved or searched, never at import. We return an instance of the
matching modelsearch backend:

- the engine is probed on that first call (``lagrappe.engine_probe``, cached for
  the process) and its product and major version pick the backend;
- a node without ``analysis-common`` (Elastic's minimal distribution, some managed
  services) cannot hold Wagtail's indexes, whose settings need ``asciifolding``,
  ``ngram`` and ``edge_ngram``: pages are then searched by Wagtail's database
  backend, and the directory keeps the engine with its portable profile;
- an engine that cannot be reached yet: the backend ``SEARCH_ENGINE`` declares
  (``opensearch3``, ``elasticsearch9``...), else OpenSearch 3's, so saves keep
  working (Wagtail logs the failed index writes); a later call probes again.
"""

import copy
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .engine_probe import EngineProbeError, declared_backend, engine_info

logger = logging.getLogger(__name__)

DATABASE_BACKEND = "wagtail.search.backends.database"
DEFAULT_WHEN_UNREACHABLE = "opensearch3"


def backend_path(url: str) -> str:
    """Dotted path of the modelsearch backend module to use now for the engine at ``url``."""
    declared = getattr(settings, "SEARCH_ENGINE", None)
    try:
        info = engine_info(url)
    except EngineProbeError as exc:
        chosen = declared or DEFAULT_WHEN_UNREACHABLE
        logger.warning("Page search: engine not reachable (%s), using the %s backend for now", exc, chosen)
        return declared_backend(chosen)
    if not info.analysis_common:
        return DATABASE_BACKEND
    if declared and declared_backend(declared) != info.wagtail_backend:
        logger.warning("SEARCH_ENGINE=%s but the engine is %s: using what the engine is", declared, info.describe())
    return info.wagtail_backend


def SearchBackend(params):  # noqa: N802 (modelsearch looks this name up in the module)
    # The engine Wagtail will write to (its URLS), which tests may point elsewhere than ELASTICSEARCH_URL.
    urls = params.get("URLS") or [settings.ELASTICSEARCH_URL]
    path = backend_path(urls[0] if isinstance(urls, list | tuple) else urls)
    # modelsearch's engine backends write their client's timeout option into OPTIONS,
    # a dict shared with settings: an OpenSearch backend built while the engine was
    # unknown would leave ``timeout`` there for a later Elasticsearch client to refuse.
    params = copy.deepcopy(params)
    if path == DATABASE_BACKEND:
        params = {key: value for key, value in params.items() if key in ("AUTO_UPDATE", "ATOMIC_REBUILD")}
    return import_string(f"{path}.SearchBackend")(params)
