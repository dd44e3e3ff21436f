"""The site's URLs plus GraphiQL switched on (it is on only with DEBUG), for the offline GraphiQL test."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from api.views import PartnerGraphQLView
from lagrappe.urls import handler404
from lagrappe.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("graphiql/", csrf_exempt(PartnerGraphQLView.as_view(graphiql=True)), name="graphiql_test")]
urlpatterns += site_urlpatterns

__all__ = ["handler404", "urlpatterns"]
