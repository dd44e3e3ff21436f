"""Admin hooks of the visitors' directory: the « Intégrer l’annuaire » screen.

Imported by ``search/wagtail_hooks.py`` (Wagtail only discovers that module name).
"""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from search.web.admin import embed_snippet_view


@hooks.register("register_admin_urls")
def register_embed_snippet_url():
    return [path("annuaire/integration/", embed_snippet_view, name="directory_embed_snippet")]


@hooks.register("register_settings_menu_item")
def register_embed_snippet_menu_item():
    return MenuItem("Intégrer l’annuaire", reverse("directory_embed_snippet"), icon_name="code", order=900)
