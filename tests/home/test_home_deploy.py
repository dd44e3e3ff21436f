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


def test_collectstatic_keeps_vendored_files_byte_for_byte_without_their_source_maps(tmp_path):
    # Given vendored scripts whose last line names a source map that is not shipped…
    sources = BASE_DIR / "static"
    vendored = ["vendor/graphiql/graphiql.min.js", "vendor/graphiql/graphiql.min.css", "vendor/leaflet/leaflet.js"]
    for name in vendored:
        assert b"sourceMappingURL=" in (sources / name).read_bytes()
        assert not (sources / f"{name}.map").exists()
    env = deployment_environment(SECRET_KEY=secrets.token_urlsafe(64), STATIC_ROOT=str(tmp_path))

    # …when the production storage collects them…
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip

    # …then it succeeds, and each hashed copy is the upstream bytes: graphene-django's
    # Subresource Integrity hashes for GraphiQL still match what the browser receives.
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    for name in vendored:
        assert manifest["paths"][name] != name
        assert (tmp_path / manifest["paths"][name]).read_bytes() == (sources / name).read_bytes(), name
    # Other references are still hashed, vendored or not: Leaflet's stylesheet names its images.
    leaflet_css = (tmp_path / manifest["paths"]["vendor/leaflet/leaflet.css"]).read_text()
    assert "url(images/layers.png)" in (sources / "vendor/leaflet/leaflet.css").read_text()
    assert "url(images/layers.png)" not in leaflet_css
    hashed_image = manifest["paths"]["vendor/leaflet/images/layers.png"].removeprefix("vendor/leaflet/")
    assert f'url("{hashed_image}")' in leaflet_css
