"""The back office (HTML), mounted at ``/office/`` (namespace ``workflow``)."""

from django.urls import path

from workflow import office_views

app_name = "workflow"

urlpatterns = [
    path("", office_views.home, name="home"),
]
