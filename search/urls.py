from django.urls import path

from search.web import views as web_views

urlpatterns = [
    path("embed/annuaire/", web_views.directory_embed, name="directory_embed"),
    path("annuaire/suggestions/", web_views.directory_suggest, name="directory_suggest"),
]
