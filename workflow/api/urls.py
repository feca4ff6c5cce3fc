"""Case, task and public endpoints (mounted under ``/api/v1/``)."""

from django.urls import path

from workflow.api import views
from workflow.documents import api as documents_api
from workflow.grants import api as grants_api

app_name = "workflow_api"

urlpatterns = [
    path("applications/", views.ApplicationListCreateView.as_view(), name="applications"),
    path("applications/<str:number>/", views.ApplicationDetailView.as_view(), name="application"),
    path(
        "applications/<str:number>/materials/",
        views.MaterialListView.as_view(),
        name="materials",
    ),
    path(
        "applications/<str:number>/materials/<int:material_id>/",
        views.MaterialDetailView.as_view(),
        name="material",
    ),
    path(
        "applications/<str:number>/materials/<int:material_id>/file/",
        views.MaterialFileView.as_view(),
        name="material-file",
    ),
    path("applications/<str:number>/submit/", views.SubmitView.as_view(), name="submit"),
    path("applications/<str:number>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("applications/<str:number>/handover/", views.HandoverView.as_view(), name="handover"),
    path(
        "applications/<str:number>/documents/",
        documents_api.DocumentListView.as_view(),
        name="documents",
    ),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:task_id>/", views.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:task_id>/claim/", views.TaskClaimView.as_view(), name="task-claim"),
    path("tasks/<int:task_id>/release/", views.TaskReleaseView.as_view(), name="task-release"),
    path("tasks/<int:task_id>/reassign/", views.TaskReassignView.as_view(), name="task-reassign"),
    path("tasks/<int:task_id>/complete/", views.TaskCompleteView.as_view(), name="task-complete"),
    path("track/", views.TrackView.as_view(), name="track"),
    path("certificates/verify/", views.CertificateVerifyView.as_view(), name="certificate-verify"),
]

# The exceptional grants (workflow.grants): shares of a case, delegations (代岗).
urlpatterns += [
    path(
        "applications/<str:number>/shares/", grants_api.ShareListCreateView.as_view(), name="shares"
    ),
    path(
        "applications/<str:number>/shares/<str:username>/",
        grants_api.ShareDetailView.as_view(),
        name="share",
    ),
    path("delegations/", grants_api.DelegationListCreateView.as_view(), name="delegations"),
    path(
        "delegations/<int:delegation_id>/",
        grants_api.DelegationDetailView.as_view(),
        name="delegation",
    ),
]
