"""URLs of the deadlines' back-office pages, under /office/ (namespace ``deadlines``)."""

from django.urls import path

from workflow.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("supervision/", views.supervision_board, name="supervision"),
    path("clock/<str:number>/", views.case_clock, name="case_clock"),
    path("clock/<str:number>/pause/", views.case_clock_pause, name="case_clock_pause"),
    path("clock/<str:number>/resume/", views.case_clock_resume, name="case_clock_resume"),
    path("clock/<str:number>/extend/", views.case_clock_extend, name="case_clock_extend"),
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/days/", views.calendar_day_add, name="calendar_day_add"),
    path("calendar/days/remove/", views.calendar_day_remove, name="calendar_day_remove"),
    path("calendar/year/", views.calendar_year_mark, name="calendar_year_mark"),
    path("calendar/seed/", views.calendar_year_seed, name="calendar_year_seed"),
]
