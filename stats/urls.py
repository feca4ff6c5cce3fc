"""URLs of the statistics pages, under /office/ (namespace ``statistics``)."""

from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("statistics/", views.board, name="board"),
    path("statistics/scorecard/", views.scorecard_page, name="scorecard"),
    path("statistics/cases/", views.cases, name="cases"),
]
