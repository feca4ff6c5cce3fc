from django.urls import path

from . import hotline_views, views, visit_views

app_name = "evaluations"

urlpatterns = [
    path("ratings/comments/", views.moderation_queue, name="moderation"),
    path("ratings/download/", views.ratings_download, name="download"),
    path("ratings/hotline/", hotline_views.hotline_rating, name="hotline"),
    path("ratings/visits/", visit_views.visit_rectifications, name="visit_rectifications"),
]
