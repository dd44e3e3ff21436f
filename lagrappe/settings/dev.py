"""Local development: debug on, demo secret, mails printed to the console."""

from lagrappe.env import env_str

from .base import *  # noqa: F401,F403
from .base import GRAPPLE, tasks_setting

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
GRAPPLE = {**GRAPPLE, "EXPOSE_GRAPHIQL": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# `make run` needs no second process: tasks run after the commit, in the web process.
TASKS = tasks_setting("immediate")
# One process: local memory is enough (production shares counters: see base).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lagrappe"}}
