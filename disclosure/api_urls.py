"""The public open-data endpoint of the REST API v1, mounted at ``/api/v1/``."""

from django.urls import path

from disclosure import api

app_name = "disclosure_api"

urlpatterns = [
    path("open-data/", api.OpenDataListView.as_view(), name="open-data"),
]
