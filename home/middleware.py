"""Find the request's Site in the cache (``home.chrome.find_site``) before Wagtail looks for it."""

from home.chrome import find_site


class CachedSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            find_site(request)
        return self.get_response(request)
