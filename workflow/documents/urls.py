"""Mounted at ``/office/`` (namespace ``documents``): a case's generated notices as PDF."""

from django.urls import path

from workflow.documents import views

app_name = "documents"

urlpatterns = [
    path(
        "cases/<str:number>/documents/<str:kind>/",
        views.document_file,
        name="file",
    ),
]
