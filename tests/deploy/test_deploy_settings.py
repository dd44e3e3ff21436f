"""Every setting the code reads is declared, configurable from the environment and documented."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .test_deploy_client_ip import project_modules

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_DIR = BASE_DIR / "lagrappe" / "settings"
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}
PROJECT_SETTING = re.compile(r"^(GRAPHQL|WEBHOOK|SEARCH_LOG|SEARCH_CLICK)_[A-Z0-9_]+$")


def settings_read_by_the_code() -> dict[str, set[str]]:
    """NAME -> modules, for ``settings.NAME``, ``getattr(settings, "NAME", …)`` and project setting names."""
    found: dict[str, set[str]] = {}
    for relative, path in project_modules():
        if relative.parts[0] == "lagrappe" and relative.parts[1] == "settings":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings":
                name = node.attr
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and PROJECT_SETTING.match(node.value):
                name = node.value
            if name and name.isupper():
                found.setdefault(name, set()).add(str(relative))
    return found


def environment_variables_read_by_settings() -> set[str]:
    """Variables read by the settings modules and the gunicorn configuration."""
    names = set()
    for path in [*SETTINGS_DIR.glob("*.py"), BASE_DIR / "lagrappe" / "gunicorn.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ENV_READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def test_every_setting_the_code_reads_is_declared():
    undeclared = {
        name: sorted(where) for name, where in settings_read_by_the_code().items() if not hasattr(settings, name)
    }

    assert undeclared == {}


def test_every_environment_variable_is_in_the_readme_configuration_table():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    first_cells = re.findall(r"^\|([^|]*)\|", table, flags=re.M)
    documented = {name for cell in first_cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}

    missing = environment_variables_read_by_settings() - documented

    assert missing == set()


def test_project_settings_are_configurable_from_the_environment():
    # GRAPHQL_*, WEBHOOK_* and the search-log quotas are read from variables of the same name.
    names = {name for name in settings_read_by_the_code() if PROJECT_SETTING.match(name)}

    assert names - environment_variables_read_by_settings() == set()
    assert "GRAPHQL_MAX_COST" in names and "WEBHOOK_MAX_ATTEMPTS" in names


def test_webhook_settings_are_not_named_after_graphql():
    offenders = [
        str(relative) for relative, path in project_modules() if "GRAPHQL_WEBHOOK_" in path.read_text(encoding="utf-8")
    ]
    # Tests too: a worker started with the old name would silently use the default.
    others = [BASE_DIR / "README.md", *BASE_DIR.glob("docs/*.md"), *BASE_DIR.glob("tests/**/*.py")]
    offenders += [
        str(path.relative_to(BASE_DIR))
        for path in others
        if path != Path(__file__) and "GRAPHQL_WEBHOOK_" in path.read_text(encoding="utf-8")
    ]

    assert offenders == []


def test_locale_paths_exist():
    assert [str(path) for path in settings.LOCALE_PATHS if not Path(path).is_dir()] == []


def test_x_frame_options_is_set_in_one_place():
    assigned_in = [
        path.name
        for path in sorted(SETTINGS_DIR.glob("*.py"))
        if any(
            isinstance(node, ast.Name) and node.id == "X_FRAME_OPTIONS" and isinstance(node.ctx, ast.Store)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]

    assert assigned_in == ["base.py"]


def production_setting(name: str, **environ) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"SECURE_PROXY_SSL_HEADER", "TRUSTED_PROXY_COUNT"}}
    env.pop("ELASTICSEARCH_URL", None)  # importing the settings must not depend on an engine here
    env.update(SECRET_KEY="x" * 50, **environ)
    code = f"from lagrappe.settings import production as s; print(repr(getattr(s, {name!r}, None)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({}, "None", id="no-proxy-declared"),
        pytest.param(
            {"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"},
            "('HTTP_X_FORWARDED_PROTO', 'https')",
            id="proxy-declared",
        ),
    ],
)
def test_the_proxy_https_header_is_trusted_only_when_declared(environ, expected):
    assert production_setting("SECURE_PROXY_SSL_HEADER", **environ) == expected


def test_production_shares_counters_between_workers():
    # Without Redis, the database cache (atomic increments); with REDIS_URL, Redis.
    assert "lagrappe.cache.DatabaseCache" in production_setting("CACHES")
    assert "RedisCache" in production_setting("CACHES", REDIS_URL="redis://127.0.0.1:6390/0")


def test_gunicorn_trusts_no_forwarding_header_by_itself(monkeypatch):
    # gunicorn believes X-Forwarded-Proto from 127.0.0.1 by default: the declaration
    # (SECURE_PROXY_SSL_HEADER) must be the only thing that makes a request HTTPS.
    import runpy

    for name in ("GUNICORN_BIND", "HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(BASE_DIR / "lagrappe" / "gunicorn.py"))

    assert (config["secure_scheme_headers"], config["forwarded_allow_ips"]) == ({}, "")
    assert config["bind"] == "127.0.0.1:8000"  # reachable by the local proxy only, unless told otherwise
    assert 1 <= config["workers"] <= 8


def test_the_documented_production_commands_start_gunicorn_with_its_config():
    # `make serve` and the Procfile are what the README tells an operator to run.
    serve = subprocess.run(["make", "-n", "serve"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60).stdout
    procfile = dict(
        line.split(":", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines() if line and line[0] != "#"
    )

    # The cache table first: Wagtail keeps its site roots in the cache, page work needs it.
    steps = [
        "createcachetable",
        "migrate --no-input",
        "collectstatic --no-input",
        "gunicorn --config lagrappe/gunicorn.py",
    ]
    assert [serve.find(step) > 0 for step in steps] == [True] * 4
    assert sorted(serve.find(step) for step in steps) == [serve.find(step) for step in steps]
    assert "lagrappe.settings.production" in serve
    assert set(procfile) == {"release", "web", "worker"}
    assert "gunicorn --config lagrappe/gunicorn.py" in procfile["web"]
    assert "manage.py db_worker" in procfile["worker"]
