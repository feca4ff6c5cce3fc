"""The grants' back-office pages, under /office/ (namespace ``grants``)."""

from django.urls import path

from workflow.grants import views

app_name = "grants"

urlpatterns = [
    path("cases/<str:number>/", views.case_page, name="case"),
    path(
        "cases/<str:number>/materials/<int:material_id>/file/",
        views.case_material_file,
        name="case_material_file",
    ),
    path("cases/<str:number>/shares/", views.case_share, name="case_share"),
    path(
        "cases/<str:number>/shares/<int:share_id>/end/",
        views.case_share_end,
        name="case_share_end",
    ),
    path("shared/", views.shared_with_me, name="shared"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:delegation_id>/end/", views.delegation_end, name="delegation_end"),
]
