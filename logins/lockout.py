"""django-axes, fitted to this project (AXES_* settings point here).

* **Two limits.** Axes counts failures per account and per client address
  (``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``) against one limit. An office or a
  service centre shares one address, so the address gets its own, higher limit
  (``LOGIN_IP_FAILURE_LIMIT``): :class:`LoginsAxesHandler` counts an address's failures in units
  of the account limit.
* **Backoff.** A locked-out client that keeps trying restarts its cool-off with every try
  (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so a script never gets back in.
* **The answer.** API paths get the API's error shape (429 ``throttled``), pages a page.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginsAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        attempts_list = self.get_user_attempts(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        account_limit = settings.AXES_FAILURE_LIMIT
        worst = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=False):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                failures = failures * account_limit // settings.LOGIN_IP_FAILURE_LIMIT
            worst = max(worst, failures)
        return worst


def lockout_message() -> str:
    minutes = int(settings.LOGIN_LOCKOUT_MINUTES)
    return _(
        "Too many failed logins. Try again in %(minutes)s minutes, reset your password by SMS, "
        "or ask an administrator to unlock the account."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"code": "throttled", "detail": lockout_message(), "fields": {}}, status=429
        )
    return render(request, "logins/locked_out.html", {"message": lockout_message()}, status=429)
