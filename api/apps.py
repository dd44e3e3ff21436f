from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API GraphQL et partenaires"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
