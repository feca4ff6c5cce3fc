"""The service centre's pages, mounted at ``/centres/`` (namespace ``centres``): the kiosk and the
hall display (public, per centre: ``<code>`` is the centre's region code), the clerk's queue
page. Walk-in intake adds its own patterns (``centres/intake/urls.py``)."""

from django.urls import include, path

from centres import appointment_views, rating_views, slip_pdf, views

app_name = "centres"

urlpatterns = [
    path("intake/", include("centres.intake.urls")),
    path("desk/", views.desk_home, name="desk_home"),
    path("desk/<int:window_id>/", views.desk, name="desk"),
    path("desk/<int:window_id>/act/", views.desk_act, name="desk_act"),
    path(
        "desk/<int:window_id>/rate/<int:ticket_id>/",
        rating_views.rating_pad,
        name="rating_pad",
    ),
    path("appointments/", appointment_views.my_appointments, name="my_appointments"),
    path("appointments/<int:pk>/cancel/", appointment_views.cancel, name="appointment_cancel"),
    path("<str:code>/kiosk/", views.kiosk, name="kiosk"),
    path("<str:code>/kiosk/check-in/", appointment_views.check_in, name="check_in"),
    path("<str:code>/appointments/", appointment_views.book, name="book"),
    path("<str:code>/slip/<str:token>/", views.slip, name="slip"),
    path("<str:code>/slip/<str:token>/pdf/", slip_pdf.slip_pdf, name="slip_pdf"),
    path("<str:code>/display/", views.display, name="display"),
    path("<str:code>/display/data/", views.display_data, name="display_data"),
    path("<str:code>/windows/", views.configure, name="configure"),
]
