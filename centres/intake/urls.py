"""Mounted at ``/centres/intake/`` (namespace ``centres:intake``): walk-in intake and hand-over."""

from django.urls import path

from . import views, walkin

app_name = "intake"

urlpatterns = [
    path("", walkin.start, name="start"),
    path("items/<str:code>/", walkin.new, name="new"),
    path("cases/<str:number>/", walkin.case, name="case"),
    path("cases/<str:number>/handover/", views.handover, name="handover"),
]
