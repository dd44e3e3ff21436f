from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from wagtail.contrib.forms.views import SubmissionsListView
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from home.sitemaps import site_root_url, sitemaps_for


@require_GET
def robots_txt(request):
    """Allow everything public; keep crawlers out of the admin and the API."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /graphql/",
        f"Sitemap: {site_root_url(request)}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def sitemap(request):
    """Pages and structure profiles, with absolute URLs from the Wagtail Site (see home.sitemaps)."""
    return wagtail_sitemap(request, sitemaps=sitemaps_for(request))


@require_GET
def site_icon(request, name):
    """``/favicon.ico`` and ``/apple-touch-icon.png``: browsers ask the root, the files live in static/."""
    response = redirect(static(name))
    patch_cache_control(response, public=True, max_age=86400)
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


class LocalTimeSubmissionsListView(SubmissionsListView):
    """Exports give the submission time in Lille's time, as the listing does.

    Wagtail writes it in UTC (« 2026-11-25 19:34:30.224905+00:00 »): an hour or two off for the team.
    """

    custom_field_preprocess = {
        "submit_time": {
            SubmissionsListView.FORMAT_CSV: lambda value: timezone.localtime(value).strftime("%d/%m/%Y %H:%M"),
            SubmissionsListView.FORMAT_XLSX: lambda value: timezone.make_naive(value),
        }
    }
