"""API routes of process-centred intake, included under ``/api/v1/`` before the case routes
(``applications/anonymous/`` is not a case number)."""

from django.urls import path

from workflow.intake import api

urlpatterns = [
    path("applications/anonymous/", api.AnonymousCreateView.as_view(), name="api-anonymous-create"),
    path("applications/<str:number>/calls/", api.CallLinkView.as_view(), name="api-calls"),
    path(
        "applications/<str:number>/petition-reviews/",
        api.PetitionReviewListView.as_view(),
        name="api-petition-reviews",
    ),
    path(
        "applications/<str:number>/petition-extension/",
        api.PetitionExtensionView.as_view(),
        name="api-petition-extension",
    ),
    path(
        "petition-reviews/<int:review_id>/decide/",
        api.PetitionReviewDecideView.as_view(),
        name="api-petition-review-decide",
    ),
    path(
        "petition-reviews/<int:review_id>/hearing/",
        api.PetitionHearingView.as_view(),
        name="api-petition-hearing",
    ),
]
