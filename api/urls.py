from django.conf import settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from api.views import PartnerGraphQLView

urlpatterns = [
    path("graphql/", csrf_exempt(PartnerGraphQLView.as_view(graphiql=settings.DEBUG)), name="graphql"),
]
