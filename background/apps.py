from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """Background work on Django's Tasks API: retries, periodic tasks, the worker's admin view."""

    name = "background"
    verbose_name = "Travaux en arrière-plan"
    default_auto_field = "django.db.models.BigAutoField"
