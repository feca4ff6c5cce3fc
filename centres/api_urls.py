"""The service centre's endpoints of the REST API v1 (``centres.api``), mounted at ``/api/v1/``."""

from django.urls import path

from centres import api

app_name = "centres_api"

urlpatterns = [
    path("centres/<str:code>/slots/", api.SlotListView.as_view(), name="slots"),
    path("centres/<str:code>/appointments/", api.BookView.as_view(), name="book"),
    path("appointments/", api.MyAppointmentsView.as_view(), name="appointments"),
    path("appointments/<str:code>/", api.AppointmentView.as_view(), name="appointment"),
]
