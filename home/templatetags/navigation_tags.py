"""The base layout's menus and contact details, from the per-Site cache (``home.chrome``)."""

from django import template

from home.chrome import site_chrome

register = template.Library()


def _links(links, request) -> list[dict]:
    path = request.path if request is not None else ""
    return [{"text": link.text, "href": link.href, "is_current": link.is_current(path)} for link in links]


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    return {"links": _links(site_chrome(request).main_menu, request)}


@register.inclusion_tag("includes/footer_links.html", takes_context=True)
def footer_links(context):
    request = context.get("request")
    chrome = site_chrome(request)
    return {"links": _links(chrome.footer_links, request), "footer_text": chrome.footer_text}


@register.simple_tag(takes_context=True)
def site_contact(context):
    """``{% site_contact as contact %}``: the Site's ContactSettings, without a query once cached."""
    return site_chrome(context.get("request")).contact
