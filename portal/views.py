from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.context_processors import LARGE_TEXT_COOKIE


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Switch the large-text mode (长者模式) on or off; remembered in a cookie for a year so the
    server renders the page in that mode from the first byte. Works without JavaScript."""
    response = HttpResponseRedirect(_safe_next(request))
    on = request.POST.get("large_text") == "1"
    if on:
        response.set_cookie(
            LARGE_TEXT_COOKIE,
            "1",
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response
