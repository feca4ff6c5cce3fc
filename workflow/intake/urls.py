"""Back-office pages of process-centred intake (included at ``/office/``)."""

from django.urls import path

from workflow.intake import views

app_name = "intake"

urlpatterns = [
    path("hotline/", views.hotline_intake, name="hotline"),
    path("hotline/link/", views.hotline_link, name="hotline_link"),
]
