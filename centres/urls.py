"""The service centre's pages, mounted at ``/centres/`` (namespace ``centres``): the kiosk and the
hall display (public), the clerk's and the centre head's pages. Walk-in intake adds its own
patterns from ``centres/intake_urls.py``."""

from django.urls import include, path

app_name = "centres"

urlpatterns: list = [
    path("intake/", include("centres.intake.urls")),
]
