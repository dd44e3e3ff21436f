"""The sitemap: Wagtail's live public pages and every published structure profile.

Both halves speak with the address of the Wagtail Site serving the request
(Paramètres → Sites), and robots.txt points at the same address, so a crawler is
never sent from one host to another (it was ``http://testserver`` in robots.txt and
``http://localhost`` in the sitemap).
"""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps import Sitemap as PageSitemap
from wagtail.models import Site

from directory.models import Structure


def site_root_url(request) -> str:
    """``https://host[:port]`` of the Wagtail Site for this request (the default Site otherwise)."""
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return request.build_absolute_uri("/").rstrip("/")
    return site.root_url


class StructureSitemap(Sitemap):
    """Published structure profiles only: drafts and unpublished ones answer 404, they stay out."""

    changefreq = "weekly"
    limit = 10000

    def __init__(self, root_url: str):
        self.root_url = root_url

    def items(self):
        return Structure.objects.public().order_by("slug").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        parts = urlsplit(self.root_url)
        return super().get_urls(page=page, site=SimpleNamespace(domain=parts.netloc), protocol=parts.scheme)


def sitemaps_for(request) -> dict:
    return {"pages": PageSitemap(request), "structures": StructureSitemap(site_root_url(request))}
