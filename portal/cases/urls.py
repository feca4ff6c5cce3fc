"""URLs of applying online, "my cases", the progress query and certificate verification.
Included by ``portal.urls`` (so the names are ``portal:<name>``)."""

from django.urls import path

from portal.cases import anonymous, public, views

urlpatterns = [
    path("items/<str:code>/apply/", views.apply_start, name="apply"),
    path("items/<str:code>/anonymous/", anonymous.anonymous_apply, name="anonymous_apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", views.case_detail, name="case_detail"),
    path("my/cases/<str:number>/form/", views.apply_form, name="apply_form"),
    path("my/cases/<str:number>/materials/", views.apply_materials, name="apply_materials"),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/delete/",
        views.material_delete,
        name="material_delete",
    ),
    path(
        "my/cases/<str:number>/materials/<int:material_id>/file/",
        views.material_file,
        name="material_file",
    ),
    path("my/cases/<str:number>/review/", views.apply_review, name="apply_review"),
    path("my/cases/<str:number>/submitted/", views.apply_done, name="apply_done"),
    path("my/cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("track/", public.track, name="track"),
    path("certificates/verify/", public.verify, name="verify"),
]
