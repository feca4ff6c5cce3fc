"""The back office (HTML), mounted at ``/office/`` (namespace ``workflow``): the home page and
the task pages. The API that moves cases and tasks is workflow/api/."""

from django.urls import path

from workflow import office_views, views

app_name = "workflow"

urlpatterns = [
    path("", office_views.home, name="home"),
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/queue/", views.queue, name="queue"),
    path("tasks/done/", views.done, name="done"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:task_id>/release/", views.task_release, name="task_release"),
    path("tasks/<int:task_id>/reassign/", views.task_reassign, name="task_reassign"),
    path(
        "tasks/<int:task_id>/materials/<int:material_id>/file/",
        views.task_material_file,
        name="task_material_file",
    ),
]
