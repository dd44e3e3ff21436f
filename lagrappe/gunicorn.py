"""gunicorn settings for production: ``gunicorn -c lagrappe/gunicorn.py lagrappe.wsgi``.

Every value comes from the environment (README, « Production »), with defaults
for a small server. https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import sys
from pathlib import Path

# gunicorn loads this file by path: make the project importable for lagrappe.env.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lagrappe.env import env_int, env_str  # noqa: E402

# Behind the reverse proxy on the same machine by default; HOST=0.0.0.0 in a container.
bind = env_str("GUNICORN_BIND", f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000)}")
# Sync workers: the usual (2 × cores) + 1, capped so a big machine does not run
# dozens of Wagtail processes (~150 MB each) by default.
workers = env_int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = env_int("GUNICORN_THREADS", 1)
timeout = env_int("GUNICORN_TIMEOUT", 30)  # seconds a request may take before its worker is replaced
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never takes the site down.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
loglevel = env_str("LOG_LEVEL", "info").lower()
# gunicorn would otherwise believe X-Forwarded-Proto from 127.0.0.1 on its own;
# whether a proxy is trusted is the operator's declaration, read by Django
# (SECURE_PROXY_SSL_HEADER, TRUSTED_PROXY_COUNT), not gunicorn's guess.
secure_scheme_headers = {}
forwarded_allow_ips = ""
# Recent gunicorn versions open a control socket at one path per user (~/.gunicorn/gunicorn.ctl):
# two servers on one machine (a deploy beside the CI smoke test) would fight over it.
control_socket_disable = True
