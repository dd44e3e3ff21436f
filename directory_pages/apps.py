from django.apps import AppConfig


class DirectoryPagesConfig(AppConfig):
    """The directory's pages: the search page type, the excerpt block's rendering, the demo site.

    The top floor: it renders the directory through the search service and
    places its pages among the editorial ones (``home``).
    """

    name = "directory_pages"
    verbose_name = "Pages de l’annuaire"
