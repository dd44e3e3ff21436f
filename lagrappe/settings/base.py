"""Base settings: safe for production, everything configurable from the environment.

Environment variables (see README "Configuration"): DATABASE_URL, ELASTICSEARCH_URL,
SECRET_KEY, ALLOWED_HOSTS, CORS_ALLOWED_ORIGINS, MEDIA_ROOT, REDIS_URL, ...
"""

from pathlib import Path

import dj_database_url

from lagrappe.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "lagrappe"

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
INSTALLED_APPS = [
    # First: a test database is serialized and restored (serialized_rollback) in this
    # order, and restoring a Wagtail task looks its content type up (Task.__init__), in
    # the database once the content-type cache is cold (after tests/directory_pages'
    # migration test). Restored after the tasks, the content types met the one that
    # lookup had created: a duplicate. It has no templates to override.
    "django.contrib.contenttypes",
    # Project apps next so their templates override Wagtail's.
    "home",
    "directory",
    "search",
    "api",
    "directory_pages",
    # Before django_tasks_db: its `db_worker` command adds the periodic tasks.
    "background",
    "django_tasks",
    "django_tasks_db",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.table_block",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # GraphQL
    "grapple",
    "graphene_django",
    "wagtail_headless_preview",
    # Django
    "corsheaders",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Rich text and block links render for the request's Site (api/rich_text.py, home/blocks.py).
    "lagrappe.current_request.CurrentRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: the site is French first and has no /en/ URLs, so a visitor's
    # Accept-Language must not turn Django's form errors into English. The admin follows
    # each editor's own language setting (Wagtail activates it in its views).
    "django.middleware.common.CommonMiddleware",
    # The layout's cache entries in one round trip, after ALLOWED_HOSTS was checked (home/chrome.py).
    "home.middleware.LayoutCacheMiddleware",
    # Inside CommonMiddleware, so the Content-Length it sets counts the rewritten page.
    "lagrappe.typography.FrenchTypographyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lagrappe.urls"
WSGI_APPLICATION = "lagrappe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database: SQLite file by default, anything dj-database-url understands otherwise.
# ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache, shared by every worker: it holds the rate-limit counters (and persisted
# GraphQL queries). Redis when REDIS_URL is set; otherwise the database cache
# (``manage.py createcachetable``; lagrappe.cache makes its increments atomic).
# dev and test settings use local memory instead.
# https://docs.djangoproject.com/en/5.2/topics/cache/
# ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "lagrappe.cache.DatabaseCache", "LOCATION": "lagrappe_cache"}}

# ---------------------------------------------------------------------------
# Reverse proxies: trusted only when the operator declares them.
# TRUSTED_PROXY_COUNT proxies append to X-Forwarded-For (lagrappe.client_ip reads
# the address the outermost one saw); 0 = the site is reached directly.
# SECURE_PROXY_SSL_HEADER names the header a proxy sets to "https" on encrypted
# requests (e.g. X-Forwarded-Proto); unset, no header can claim HTTPS.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
# ---------------------------------------------------------------------------
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------------------
# Internationalisation: French first, the page tree ready for a second locale.
# https://docs.wagtail.org/en/stable/advanced_topics/i18n.html
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("en", "English")]

# ---------------------------------------------------------------------------
# Static and media files
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "lagrappe.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# ---------------------------------------------------------------------------
# Wagtail
# ---------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "LaGrappe"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip", "ods", "odp"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]  # no SVG: see grapple notes on renditions
# Documents only through Wagtail's serve view (/documents/<id>/<file>), which checks
# collection privacy; the proxy must not serve MEDIA_ROOT/documents/ (README, Production).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True

# ---------------------------------------------------------------------------
# Search engine (README « Moteur de recherche »)
# ELASTICSEARCH_URL unset -> Wagtail's database backend and the directory's database
# search. Set -> Elasticsearch 8/9 or OpenSearch 2/3, whichever answers there: it is
# probed on first use (lagrappe/engine_probe.py), never while settings are imported.
# ---------------------------------------------------------------------------
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "lagrappe")
# Optional: what runs at ELASTICSEARCH_URL (opensearch2, opensearch3, elasticsearch8,
# elasticsearch9). Only used while the engine cannot be reached; the probe decides otherwise.
SEARCH_ENGINE = env_str("SEARCH_ENGINE")
if SEARCH_ENGINE:
    from lagrappe.engine_probe import parse_declared

    parse_declared(SEARCH_ENGINE)  # a typo fails at start-up, naming the accepted values
# How the directory index analyses French (README « Moteur de recherche »): "auto" takes
# the engine's own French chain when the node has the analysis-common module ("full"),
# else LaGrappe's analysis on built-in analyzers ("portable"); either can be forced.
SEARCH_ANALYSIS_PROFILE = env_str("SEARCH_ANALYSIS_PROFILE", "auto")
if SEARCH_ANALYSIS_PROFILE not in ("auto", "full", "portable"):
    raise ValueError(f"SEARCH_ANALYSIS_PROFILE must be auto, full or portable, got {SEARCH_ANALYSIS_PROFILE!r}")
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            # Picks opensearch2/3, elasticsearch8/9 or, on a node without analysis-common,
            # the database backend, when Wagtail first needs it (lagrappe/page_search.py).
            "BACKEND": "lagrappe.page_search",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": f"{SEARCH_INDEX_PREFIX}_wagtail_",
            "TIMEOUT": 5,
            "OPTIONS": {},
            "INDEX_SETTINGS": {"settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}}},
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# ---------------------------------------------------------------------------
# Background work: Django's Tasks API (django-tasks, the backport of Django 6's
# django.tasks). https://github.com/RealOrangeOne/django-tasks
# TASKS_BACKEND: "database" (default: django-tasks-db, tasks stored in this
# database, run by `manage.py db_worker`), "immediate" (run in the process that
# enqueues them, after the commit: `make run`, most tests), or the dotted path of
# any other backend (a broker: Celery, RQ…) — the code only uses the public API.
# ---------------------------------------------------------------------------
TASK_BACKEND_ALIASES = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks_setting(default: str) -> dict:
    """TASKS for the backend named by TASKS_BACKEND (an alias above or a dotted path), else ``default``."""
    name = env_str("TASKS_BACKEND", default)
    return {"default": {"BACKEND": TASK_BACKEND_ALIASES.get(name, name)}}


TASKS = tasks_setting("database")
# Enqueued by the worker on their period, in seconds (see background/scheduling.py).
BACKGROUND_PERIODIC_TASKS = {
    "api.webhooks.deliver_webhooks": 60,
    "directory.tasks.purge_expired_imports": 3600,
    "search.sync.sweep": 60,
    "search.quality.ingest_search_log": 60,
}

# Admin imports: uploaded files wait for confirmation this long under MEDIA_ROOT/imports/pending/.
DIRECTORY_IMPORT_EXPIRY_HOURS = env_int("DIRECTORY_IMPORT_EXPIRY_HOURS", 24)

# ---------------------------------------------------------------------------
# GraphQL (grapple + graphene-django)
# https://wagtail-grapple.readthedocs.io/en/latest/general-usage/settings.html
# ---------------------------------------------------------------------------
GRAPHENE = {
    # grapple's schema less the editorial metadata (api/schema.py).
    "SCHEMA": "api.schema.schema",
    # None: graphql-core middleware runs around every field of every response. The guards
    # (visibility, order allowlist, search text, image arguments) are wrapped around the
    # resolvers of the fields they concern, once, when the schema is built (api/field_guards.py).
    "MIDDLEWARE": [],
}
GRAPPLE = {
    # Not "directory": its models are exposed by hand-written types with visibility on
    # querysets (api/graphql/directory/, registered by api/wagtail_hooks.py). Listing it here
    # would make grapple generate clashing `Structure`/`Person` types and put every
    # structure, drafts included, behind its generic `snippets` and `search` queries.
    "APPS": ["home"],
    # Off: grapple would write a row on every `searchQuery`, cacheable GETs included.
    # api.middleware.SearchHitMiddleware counts hits on POST requests only.
    "ADD_SEARCH_HIT": False,
    "EXPOSE_GRAPHIQL": False,
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Renditions only from this list: a client cannot make the server generate arbitrary images.
    "ALLOWED_IMAGE_FILTERS": [
        "width-320",
        "width-480",
        "width-640",
        "width-800",
        "width-1024",
        "width-1280",
        "width-1600",
        "fill-100x100",
        "fill-200x200",
        "fill-400x300",
        "fill-800x600",
        "fill-1200x630",
        "max-800x600",
        "original",
        "format-webp",
    ],
}
# Bounds and limits of /graphql/ (api/): see docs/graphql.md.
# False (advised in production): introspection refused to anonymous callers; partner
# keys and editors' sessions keep it. Introspection is costed either way (api/limits.py).
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", True)
GRAPHQL_MAX_BODY_BYTES = env_int("GRAPHQL_MAX_BODY_BYTES", 100_000)
GRAPHQL_MAX_QUERY_LENGTH = env_int("GRAPHQL_MAX_QUERY_LENGTH", 50_000)
GRAPHQL_MAX_TOKENS = env_int("GRAPHQL_MAX_TOKENS", 2000)
GRAPHQL_MAX_COMMENTS = env_int("GRAPHQL_MAX_COMMENTS", 100)
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 15)
GRAPHQL_MAX_COST = env_int("GRAPHQL_MAX_COST", 25_000)
GRAPHQL_MAX_BATCH = env_int("GRAPHQL_MAX_BATCH", 5)
GRAPHQL_CACHE_MAX_AGE = env_int("GRAPHQL_CACHE_MAX_AGE", 60)  # seconds a GET answer may be cached
GRAPHQL_APQ_TTL = env_int("GRAPHQL_APQ_TTL", 7 * 24 * 3600)  # seconds a persisted query is kept
GRAPHQL_RATE_LIMIT_WINDOW = env_int("GRAPHQL_RATE_LIMIT_WINDOW", 60)  # seconds
GRAPHQL_RATE_LIMIT_ANONYMOUS = env_int("GRAPHQL_RATE_LIMIT_ANONYMOUS", 60)  # requests per window and client
GRAPHQL_RATE_LIMIT_KEY = env_int("GRAPHQL_RATE_LIMIT_KEY", 600)  # requests per window and partner key
# Fields an `order:` argument may sort on (api.middleware.OrderAllowlistMiddleware).
GRAPHQL_ORDER_ALLOWLIST = env_list(
    "GRAPHQL_ORDER_ALLOWLIST",
    ["id", "title", "slug", "path", "first_published_at", "last_published_at", "created_at", "name"],
)

# Publish notifications to partner webhooks (api/webhooks.py, sent by the task worker).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)  # seconds the worker waits for a partner's answer
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30)  # doubled after each failed attempt
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)  # then the delivery is abandoned

# Headless preview for a partner front end (wagtail-headless-preview).
HEADLESS_PREVIEW_CLIENT_URLS = {"default": env_str("HEADLESS_PREVIEW_URL", "http://localhost:3000/preview")}
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": HEADLESS_PREVIEW_CLIENT_URLS,
    "SERVE_BASE_URL": None,
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": True,
}
PREVIEW_TOKEN_MAX_AGE = env_int("PREVIEW_TOKEN_MAX_AGE", 3600)

# CORS: only partner origins may call /graphql/ from a browser.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/(graphql|api)/.*$"
# Origins allowed to frame the embeddable directory (CSP frame-ancestors).
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS", CORS_ALLOWED_ORIGINS)
# No page may be framed, except /embed/annuaire/ (xframe_options_exempt + CSP frame-ancestors).
X_FRAME_OPTIONS = "DENY"

# ---------------------------------------------------------------------------
# Anonymous writes: the search-quality log (search.quality) is fed by visitors;
# one client cannot flood the editors' « Recherches » report.
# ---------------------------------------------------------------------------
SEARCH_LOG_RATE_LIMIT = env_int("SEARCH_LOG_RATE_LIMIT", 30)  # logged searches per client and hour
SEARCH_CLICK_RATE_LIMIT = env_int("SEARCH_CLICK_RATE_LIMIT", 60)  # logged clicks per client and hour
SEARCH_LOG_DEDUP_SECONDS = env_int("SEARCH_LOG_DEDUP_SECONDS", 900)  # the same search or click counts once
# Searches and clicks are appended here by the web processes and written to the database by
# the worker (search.log_spool): no write on a visitor's GET. Shared by both, like MEDIA_ROOT.
SEARCH_LOG_SPOOL_DIR = Path(env_str("SEARCH_LOG_SPOOL_DIR", str(BASE_DIR / "var" / "search-log")))
# Blank and filter-only listings cached under the index generation (search.service); 0 turns it off.
SEARCH_LISTING_CACHE_SECONDS = env_int("SEARCH_LISTING_CACHE_SECONDS", 600)

# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LaGrappe <ne-pas-repondre@lagrappe.example>")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
DIRECTORY_NOTIFICATION_EMAIL = env_str("DIRECTORY_NOTIFICATION_EMAIL", "annuaire@lagrappe.example")

# ---------------------------------------------------------------------------
# Geocoding (directory/geocoding/): the national address service, then the
# shipped table of communes. Empty GEOCODER_BAN_URL = offline table only.
# https://adresse.data.gouv.fr/outils/api-doc/adresse (moving to data.geopf.fr/geocodage/search/)
# ---------------------------------------------------------------------------
GEOCODER_BAN_URL = env_str("GEOCODER_BAN_URL", "https://api-adresse.data.gouv.fr/search/")
GEOCODER_TIMEOUT = env_int("GEOCODER_TIMEOUT", 3)  # seconds; the request never waits for it (background task)
GEOCODER_CACHE_SECONDS = env_int("GEOCODER_CACHE_SECONDS", 30 * 24 * 3600)

# Map tiles for the directory page (OpenStreetMap by default).
MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION", "© les contributeurs d’OpenStreetMap")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING").upper()},
}
