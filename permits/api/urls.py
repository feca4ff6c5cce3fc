"""URLs of the catalogue API, included under ``/api/v1/`` by ``onestop/api_urls.py``."""

from django.urls import path

from permits.api import views

urlpatterns = [
    path("items/", views.ItemListView.as_view(), name="api-items"),
    path("items/<str:code>/", views.ItemDetailView.as_view(), name="api-item"),
]
