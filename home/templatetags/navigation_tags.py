"""Menus of the base layout, built from NavigationSettings."""

from django import template

from home.blocks import live_public_page
from home.models import NavigationSettings

register = template.Library()


def _links(stream, request):
    """(text, href, is_current) for each link whose target a visitor can open."""
    links = []
    current_path = request.path if request else ""
    for child in stream:
        value = child.value
        page = live_public_page(value.get("page"))
        href = page.get_url(request=request) if page is not None else value.get("url")
        if not href:
            continue  # a link to an unpublished page disappears rather than leading to a 404
        # A section stays highlighted on its sub-pages (the home page only on itself).
        is_current = href == current_path or (page is not None and href != "/" and current_path.startswith(href))
        links.append({"text": value.get("link_text"), "href": href, "is_current": is_current})
    return links


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    navigation = NavigationSettings.for_request(request) if request else None
    return {"links": _links(navigation.main_menu, request) if navigation else []}


@register.inclusion_tag("includes/footer_links.html", takes_context=True)
def footer_links(context):
    request = context.get("request")
    navigation = NavigationSettings.for_request(request) if request else None
    return {
        "links": _links(navigation.footer_links, request) if navigation else [],
        "footer_text": navigation.footer_text if navigation else "",
    }
