"""The REST API v1 (API.md), mounted at ``/api/v1/``: one include line per app's API module."""

from django.urls import include, path

urlpatterns = [
    path("", include("permits.api.accounts_urls")),
    path("", include("permits.api.urls")),
    path("", include("workflow.intake.api_urls")),  # before the case routes: "anonymous"
    path("", include("workflow.api.urls")),
    path("", include("evaluations.api_urls")),
    path("", include("centres.api_urls")),
    path("", include("disclosure.api_urls")),
]
