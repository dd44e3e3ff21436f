"""Admin of search: the « Recherches » report (what visitors looked for, what found nothing, what they clicked)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import quality
from .models import IndexOutbox

REPORT_PERMISSION = "directory.change_skill"  # whoever can fix a search by adding a synonym


def _skills_url() -> str:
    try:
        return reverse("wagtailsnippets_directory_skill:list")
    except NoReverseMatch:
        return "/admin/snippets/directory/skill/"


def search_report(request):
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    since = quality.month_start()
    context = {
        "since": since,
        "top_searches": quality.top_searches(since),
        "zero_results": quality.zero_result_searches(since),
        "top_clicked": quality.top_clicked(since),
        "skills_url": _skills_url(),
        "queued": IndexOutbox.objects.count(),
    }
    return render(request, "search/admin/report.html", context)


@hooks.register("register_admin_urls")
def register_search_report_url():
    return [path("recherches/", search_report, name="search_report")]


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_search_report_menu_item():
    return SearchReportMenuItem("Recherches", reverse("search_report"), icon_name="search", order=900)


from search.web import wagtail_hooks as _directory_web_hooks  # noqa: E402,F401  (« Intégrer l’annuaire » screen)
