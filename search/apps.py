from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Recherche dans l’annuaire"

    def ready(self):
        # Directory changes feed the search outbox (search/signals.py).
        from . import signals
        from .web import taxonomy

        signals.connect()
        taxonomy.connect()  # the page's skills facet groups by a cached taxonomy
