"""The layout's display switches: language and large-text mode (长者模式).

Both are plain GET links (``?language=en&next=…``, ``?large_text=1&next=…``) to a view that sets
a cookie and sends the visitor back, so the public pages carry no form and no CSRF token and
can be cached whole for anonymous visitors (``portal.pagecache``). The cookies only choose how
the site is shown, so a link that sets them needs no CSRF protection; ``POST`` is still
accepted (older pages, scripts). The way back is a path on this site only: anything else (another
host, ``//host``, ``/\\host``, a scheme) goes to the home page, so the switch is no open
redirect.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.context_processors import LARGE_TEXT_COOKIE

YEAR = 365 * 24 * 3600


def same_site_path(target: str) -> str:
    """``target`` when it is a path on this site (``/…``, not ``//…`` nor ``/\\…``), else ""."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=set()):
        return ""
    return target


def back_to(request: HttpRequest) -> str:
    """Where the switch sends the visitor: ``next``, else the page it came from on this site,
    else the home page."""
    params = request.POST if request.method == "POST" else request.GET
    target = same_site_path(params.get("next", ""))
    if not target:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if referer.netloc and referer.netloc == request.get_host():
            path = referer.path + (f"?{referer.query}" if referer.query else "")
            target = same_site_path(path)
    return target or reverse("portal:home")


def _value(request: HttpRequest, name: str) -> str:
    return (request.POST if request.method == "POST" else request.GET).get(name, "")


@never_cache
@require_http_methods(["GET", "POST"])
def large_text(request: HttpRequest) -> HttpResponse:
    """Large-text mode on (``large_text=1``) or off; remembered in a cookie for a year so the
    server renders the page in that mode from the first byte. Works without JavaScript."""
    response = HttpResponseRedirect(back_to(request))
    if _value(request, "large_text") == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE,
            "1",
            max_age=YEAR,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    """The site's language (``language=zh-hans`` or ``en``), in Django's language cookie; an
    unknown code changes nothing."""
    response = HttpResponseRedirect(back_to(request))
    code = _value(request, "language")
    if code and code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE or YEAR,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
