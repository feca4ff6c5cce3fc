"""The service centre's endpoints of the REST API v1 (``centres.api``), mounted at ``/api/v1/``."""

from django.urls import path

from centres import api, queue_api

app_name = "centres_api"

urlpatterns = [
    path("centres/", queue_api.CentreListView.as_view(), name="centres"),
    path("centres/<str:code>/tickets/", queue_api.TicketIssueView.as_view(), name="tickets"),
    path("centres/<str:code>/display/", queue_api.DisplayView.as_view(), name="display"),
    path("windows/<int:window_id>/call-next/", queue_api.CallNextView.as_view(), name="call_next"),
    path("tickets/<int:ticket_id>/finish/", queue_api.FinishView.as_view(), name="finish"),
    path("tickets/<int:ticket_id>/skip/", queue_api.SkipView.as_view(), name="skip"),
    path("tickets/<int:ticket_id>/recall/", queue_api.RecallView.as_view(), name="recall"),
    path("tickets/<int:ticket_id>/transfer/", queue_api.TransferView.as_view(), name="transfer"),
    path("centres/<str:code>/slots/", api.SlotListView.as_view(), name="slots"),
    path("centres/<str:code>/appointments/", api.BookView.as_view(), name="book"),
    path("appointments/", api.MyAppointmentsView.as_view(), name="appointments"),
    path("appointments/<str:code>/", api.AppointmentView.as_view(), name="appointment"),
]
