"""French dates as people write them: « 1er décembre 2026 » (Django's ``date:"j F Y"`` says « 1 décembre »)."""

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def date_fr(value, with_year=True):
    """« 1er décembre 2026 », « 15 mars 2026 »; ``date_fr:False`` leaves the year out."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y' if with_year else 'F')}"
