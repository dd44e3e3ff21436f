"""The project's own Python packages, for tests that read the source (guards generated from the code)."""

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def first_party_packages() -> list[Path]:
    """The configuration package and every installed app of this project (not Wagtail's, not Django's)."""
    paths = {
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(ROOT) and "site-packages" not in Path(app.path).parts
    }
    return sorted(paths | {ROOT / "lagrappe"})
