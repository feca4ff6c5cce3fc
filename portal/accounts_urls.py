"""Account pages, included by ``portal.urls`` under ``accounts/`` (names in the ``portal``
namespace: ``portal:login``, ``portal:account`` …)."""

from django.urls import path

from portal import accounts_security as security
from portal import accounts_views as views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("after-login/", views.after_login, name="after_login"),
    path("two-factor/", security.two_factor, name="two_factor"),
    path("two-factor/recovery-codes/", security.recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/off/", security.two_factor_off, name="two_factor_off"),
    path("password-reset/", security.password_reset, name="password_reset"),
    path("password-reset/confirm/", security.password_reset_confirm, name="password_reset_confirm"),
    path("register/", views.register, name="register"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("me/", views.account, name="account"),
    path("me/enterprises/new/", views.enterprise_new, name="enterprise_new"),
    path(
        "me/enterprises/<str:credit_code>/handlers/",
        views.handler_add,
        name="handler_add",
    ),
    path(
        "me/enterprises/<str:credit_code>/handlers/<str:username>/remove/",
        views.handler_remove,
        name="handler_remove",
    ),
]
