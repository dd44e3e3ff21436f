"""Test settings: fast hashing, in-memory mail, media in a temp dir (see conftest)."""

import os

from lagrappe.env import env_str

from .base import *  # noqa: F401,F403
from .base import SEARCH_INDEX_PREFIX, WAGTAILSEARCH_BACKENDS, tasks_setting

# Tests create and drop engine indexes under their prefix: never the site's own (``lagrappe`` by
# default, or whatever SEARCH_INDEX_PREFIX a developer exported for the site). Exported again, so the
# workers and servers the tests start inherit the same prefix (already marked: left as is).
if not SEARCH_INDEX_PREFIX.startswith("test_"):
    SEARCH_INDEX_PREFIX = f"test_{SEARCH_INDEX_PREFIX}"
os.environ["SEARCH_INDEX_PREFIX"] = SEARCH_INDEX_PREFIX
if "INDEX_PREFIX" in WAGTAILSEARCH_BACKENDS["default"]:
    WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"] = f"{SEARCH_INDEX_PREFIX}_wagtail_"

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "test-only-key")
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"

# Tasks run in the test process; tests of the worker switch to the database backend
# (TASKS_BACKEND=database) and start `manage.py db_worker` themselves.
TASKS = tasks_setting("immediate")

# No network in tests: the offline table of communes answers; BAN tests start their own stand-in server.
GEOCODER_BAN_URL = ""
# Local memory, cleared by the fixtures that count (production shares counters: see base).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lagrappe"}}
