from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API GraphQL et partenaires"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
        register_every_page_model()


def register_every_page_model():
    """Give every Wagtail page model a grapple type, whichever app defines it.

    grapple types the page models of the apps in ``GRAPPLE["APPS"]`` only; a page
    of another app (the directory's search page) then reaches grapple's ``Page``
    type, whose resolution fails ("Expected value of type 'Page'") and nulls the
    whole ``pages`` answer. Listing the app itself would also type its other
    models (search logs, index outbox). This runs before grapple's own ``ready()``
    (``api`` comes first in INSTALLED_APPS), which then builds the fields of
    everything registered; ``tests/api/test_page_types.py`` fails if a page model
    is left out.
    """
    from grapple.actions import register_page_model
    from grapple.registry import registry
    from wagtail.models import Page, get_page_models

    # In label order: the order of the types in schema.graphql then does not follow import order.
    for model in sorted(get_page_models(), key=lambda m: m._meta.label):
        if model is not Page and model not in registry.pages:
            register_page_model(model, "")
