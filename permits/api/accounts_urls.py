"""URLs of the accounts API, included under ``/api/v1/``."""

from django.urls import path

from permits.api import accounts

urlpatterns = [
    path("auth/register/", accounts.RegisterView.as_view(), name="api-auth-register"),
    path("auth/token/", accounts.TokenView.as_view(), name="api-auth-token"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="api-auth-logout"),
    path(
        "enterprises/<str:credit_code>/handlers/",
        accounts.EnterpriseHandlersView.as_view(),
        name="api-enterprise-handlers",
    ),
    path(
        "enterprises/<str:credit_code>/handlers/<str:username>/",
        accounts.EnterpriseHandlerView.as_view(),
        name="api-enterprise-handler",
    ),
]
