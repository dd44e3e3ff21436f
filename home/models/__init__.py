"""Models of the editorial site: page types, form page, site settings."""

from .forms import FormField, FormPage
from .mixins import BasePage, HeadlessPreviewPageMixin, SeoMixin
from .pages import (
    ContentPage,
    EventIndexPage,
    EventPage,
    EventPageTag,
    HomePage,
    NewsIndexPage,
    NewsPage,
    NewsPageTag,
)
from .settings import ContactSettings, NavigationSettings

__all__ = [
    "BasePage",
    "ContactSettings",
    "ContentPage",
    "EventIndexPage",
    "EventPage",
    "EventPageTag",
    "FormField",
    "FormPage",
    "HeadlessPreviewPageMixin",
    "HomePage",
    "NavigationSettings",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "SeoMixin",
]
