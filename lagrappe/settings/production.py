"""Production: refuses to start without a secret key; HTTPS everywhere.

Behind a reverse proxy, declare it (TRUSTED_PROXY_COUNT, SECURE_PROXY_SSL_HEADER:
see lagrappe.settings.base and the README's « Production » section).
"""

from django.core.exceptions import ImproperlyConfigured

from lagrappe.env import env_bool, env_int

from .base import *  # noqa: F401,F403
from .base import SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
