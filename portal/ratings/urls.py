"""URLs of the citizen's rating pages; included by ``portal.urls`` (names ``portal:<name>``)."""

from django.urls import path

from portal.ratings import views

urlpatterns = [
    path("my/cases/<str:number>/rate/", views.rate, name="rate"),
    path("my/cases/<str:number>/rate/fix/", views.fix_answer, name="rating_fix_answer"),
    path("r/<str:token>/", views.rate_by_link, name="rating_link"),
    path("ratings/", views.results, name="rating_results"),
    path("ratings/<str:code>/", views.results, name="rating_results_department"),
]
