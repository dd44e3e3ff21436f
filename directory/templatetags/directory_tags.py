"""Template helpers for the directory's public pages."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Same escapes as django.utils.html.json_script: a value containing "</script>"
# or "<!--" cannot close or comment out the script element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value):
    """Render ``value`` as a ``<script type="application/ld+json">`` element, safely escaped.

    Django's ``json_script`` filter fixes the type to ``application/json``, which
    search engines ignore for structured data; the escaping is the same.
    """
    payload = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def osm_url(latitude, longitude, zoom=17):
    """Link to OpenStreetMap centred on a point with a marker."""
    return f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}#map={zoom}/{latitude:.5f}/{longitude:.5f}"
