"""Retire the per-Site cache (``home.site_cache``: the layout, the pages' pre-filters, where each
path leads) whenever a menu link, a page's place or its privacy could have changed.

Connected in ``HomeConfig.ready``. Retired at once and again when the
transaction commits: a request rebuilding in between read the old rows, and its
entry must not outlive the change.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from directory.models import Sector, Skill
from home.models import ContactSettings, NavigationSettings
from home.site_cache import retire_all_sites


def retire_chrome(sender=None, **kwargs):
    retire_all_sites()
    transaction.on_commit(retire_all_sites)


def retire_chrome_on_page_delete(sender, instance, **kwargs):
    # Multi-table inheritance sends post_delete for the specific model and for Page: once per page.
    if type(instance) is Page:
        retire_chrome()


def connect():
    uid = "home-chrome"
    page_published.connect(retire_chrome, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(retire_chrome, dispatch_uid=f"{uid}-unpublished")
    post_page_move.connect(retire_chrome, dispatch_uid=f"{uid}-moved")
    page_slug_changed.connect(retire_chrome, dispatch_uid=f"{uid}-slug-changed")
    post_delete.connect(retire_chrome_on_page_delete, sender=Page, dispatch_uid=f"{uid}-page-deleted")
    # Skills and sectors: a directory page's cached pre-filters name them by slug.
    for model in (PageViewRestriction, Site, ContactSettings, NavigationSettings, Skill, Sector):
        post_save.connect(retire_chrome, sender=model, dispatch_uid=f"{uid}-{model.__name__}-saved")
        post_delete.connect(retire_chrome, sender=model, dispatch_uid=f"{uid}-{model.__name__}-deleted")
