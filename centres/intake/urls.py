"""Mounted at ``/centres/intake/`` (namespace ``centres:intake``)."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("cases/<str:number>/handover/", views.handover, name="handover"),
]
