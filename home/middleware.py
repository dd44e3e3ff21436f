"""Read the layout's cache entries in one round trip (``home.site_cache.prefetch``) before the page needs them."""

from home.site_cache import prefetch


class LayoutCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            prefetch(request)
        return self.get_response(request)
