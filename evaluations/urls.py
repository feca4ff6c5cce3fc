from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("ratings/comments/", views.moderation_queue, name="moderation"),
]
