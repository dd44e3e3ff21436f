from django.urls import path

from directory import opendata, views

urlpatterns = [
    path("annuaire/structures/<slug:slug>/", views.structure_detail, name="structure_detail"),
    path("annuaire/rejoindre/", views.join_directory, name="directory_join"),
    path("annuaire/rejoindre/merci/", views.join_directory_done, name="directory_join_done"),
    path("annuaire/donnees/structures.geojson", opendata.structures_geojson, name="directory_opendata_geojson"),
    path("annuaire/donnees/structures.csv", opendata.structures_csv, name="directory_opendata_csv"),
]
