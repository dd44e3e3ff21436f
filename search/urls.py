from django.urls import path

from search import views as search_views
from search.web import views as web_views

urlpatterns = [
    path("embed/annuaire/", web_views.directory_embed, name="directory_embed"),
    path("annuaire/suggestions/", web_views.directory_suggest, name="directory_suggest"),
    path("annuaire/clic/", search_views.search_click, name="search_click"),
]
