from django.urls import path

from directory import views

urlpatterns = [
    path("annuaire/structures/<slug:slug>/", views.structure_detail, name="structure_detail"),
]
