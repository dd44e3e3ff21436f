from wagtail.models import Page


class HomePage(Page):
    """The site's root page (expanded by the editorial work)."""

    max_count = 1
