"""The request being rendered, for code that is handed values rather than a request.

Rich-text handlers (``api/rich_text.py``) and StreamField blocks rendered by grapple
(``home/blocks.py``) only receive attributes or block values, yet what they may show
depends on the request's Site. ``CurrentRequestMiddleware`` keeps the request in a
context variable for the length of the response; outside a request (a management
command, a task) ``current_request()`` is None.
"""

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("lagrappe_current_request", default=None)


class CurrentRequestMiddleware:
    """Keep the request at hand for code that is given values only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_request():
    return _current_request.get()
