"""The test settings never share the site's engine indexes (tests create and drop indexes under their prefix)."""

import os
import subprocess
import sys

from django.conf import settings

from lagrappe.settings.base import BASE_DIR


def test_the_tests_index_prefix_is_their_own():
    assert settings.SEARCH_INDEX_PREFIX.startswith("test_")
    assert os.environ["SEARCH_INDEX_PREFIX"] == settings.SEARCH_INDEX_PREFIX  # what the workers they start inherit
    page_prefix = settings.WAGTAILSEARCH_BACKENDS["default"].get("INDEX_PREFIX")
    assert page_prefix is None or page_prefix.startswith(settings.SEARCH_INDEX_PREFIX)


def test_a_site_prefix_gets_the_test_mark_once():
    def prefix(module: str, exported: str) -> str:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, "SEARCH_INDEX_PREFIX": exported}
        code = "from django.conf import settings; print(settings.SEARCH_INDEX_PREFIX)"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert prefix("lagrappe.settings.dev", "lagrappe") == "lagrappe"
    assert prefix("lagrappe.settings.test", "lagrappe") == "test_lagrappe"
    assert prefix("lagrappe.settings.test", "test_lagrappe") == "test_lagrappe"  # a worker started by a test
