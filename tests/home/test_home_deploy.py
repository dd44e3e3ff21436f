"""Production settings pass Django's deployment checklist."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def deployment_environment(**overrides):
    # The shared conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never has it.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="lagrappe.settings.production", ALLOWED_HOSTS="lagrappe.example", **overrides)
    return env


def test_production_settings_pass_check_deploy():
    env = deployment_environment(SECRET_KEY=secrets.token_urlsafe(64))

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = deployment_environment()

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 1
    assert "SECRET_KEY must be set in the environment for production." in result.stderr


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    # Given the production static storage, which refuses any file that names a missing one
    # (a source map, an image in a stylesheet), when every static file is collected…
    env = deployment_environment(SECRET_KEY=secrets.token_urlsafe(64), STATIC_ROOT=str(tmp_path))

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    # …then it succeeds and the manifest maps the vendored map library to a hashed name.
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert manifest["paths"]["vendor/leaflet/leaflet.js"].startswith("vendor/leaflet/leaflet.")
    assert manifest["paths"]["vendor/leaflet/leaflet.js"] != "vendor/leaflet/leaflet.js"
