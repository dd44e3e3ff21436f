from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        from lagrappe.spreadsheets import guard_wagtail_exports

        # The directory's listings export structures submitted by anyone through the join form;
        # the guard covers every Wagtail listing export (form submissions, reports) the same way.
        guard_wagtail_exports()
