from django.urls import path

from . import api

app_name = "evaluations_api"

urlpatterns = [
    path(
        "applications/<str:number>/rating/",
        api.ApplicationRatingView.as_view(),
        name="application-rating",
    ),
    path("ratings/export/", api.RatingsExportView.as_view(), name="ratings-export"),
    path(
        "ratings/by-link/<str:token>/",
        api.RatingByLinkView.as_view(),
        name="rating-by-link",
    ),
]
