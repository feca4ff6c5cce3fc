"""Session guards: the second factor and the idle timeout.

Both run after django-otp's ``OTPMiddleware`` (which tells whether this session showed a second
factor) and look only at session logins: an API token carries its own rules
(``logins.authentication``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from logins import policy

# The idle clock is written to the session at most this often.
_TOUCH_EVERY_SECONDS = 60


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class SecondFactorMiddleware:
    """A session of an account that needs a second factor reaches nothing but the second-factor
    pages (and log-out, static files, the language switch) until it has shown one: pages
    redirect there, the API answers 403 ``second_factor_required``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _exempt(self, request: HttpRequest) -> bool:
        path = request.path_info
        if any(path.startswith(prefix) for prefix in settings.SECOND_FACTOR_EXEMPT_PATHS):
            return True
        for name in settings.SECOND_FACTOR_EXEMPT_URL_NAMES:
            try:
                if path.startswith(reverse(name)):
                    return True
            except NoReverseMatch:
                continue
        return False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not policy.is_verified(user)
            and policy.session_needs_second_factor(request)
            and not self._exempt(request)
        ):
            if _is_api(request):
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "detail": _("Log in with your second factor first."),
                        "fields": {},
                    },
                    status=403,
                )
            target = reverse(settings.SECOND_FACTOR_URL_NAME)
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log a session out after ``STAFF_IDLE_TIMEOUT`` (staff) or ``CITIZEN_IDLE_TIMEOUT``
    seconds without a request. The request then goes on anonymous, so pages send the visitor
    to the login and the API answers 401/403 as for anyone not logged in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            staff = session.get(policy.SESSION_STAFF)
            if staff is None:
                staff = session[policy.SESSION_STAFF] = policy.is_staff_account(user)
            now = int(time.time())
            last = session.get(policy.SESSION_LAST_SEEN)
            if last is not None and now - last > policy.idle_timeout_seconds(staff=staff):
                logout(request)
                if not _is_api(request):
                    messages.info(request, _("You were logged out after a period of inactivity."))
            elif last is None or now - last >= _TOUCH_EVERY_SECONDS:
                session[policy.SESSION_LAST_SEEN] = now
        return self.get_response(request)
