from django.apps import AppConfig
from django.db.backends.signals import connection_created

from lagrappe.collation import register_sqlite_collation


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        from lagrappe.spreadsheets import guard_wagtail_exports

        from . import signals  # noqa: F401  (geocoding on save)
        from .moderation import connect_submission_notifiers

        # The directory's listings export structures submitted by anyone through the join form;
        # the guard covers every Wagtail listing export (form submissions, reports) the same way.
        guard_wagtail_exports()
        # Self-service submissions send one e-mail, ours (see directory.moderation).
        connect_submission_notifiers()
        # The name columns use the « french » collation (PostgreSQL's ICU); SQLite
        # needs it registered on each connection before it reads or creates them.
        connection_created.connect(register_sqlite_collation, dispatch_uid="lagrappe_french_collation")
