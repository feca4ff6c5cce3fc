"""Project-wide request guards."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


class RejectNulMiddleware:
    """Answer 400 to a path or query string with a NUL character (``%00``).

    PostgreSQL cannot store or compare NUL in text, so any lookup with one raised ``ValueError``
    and every view answered 500 (API.md: bad input never yields a 5xx). Nothing legitimate has a
    NUL in a URL, so one check before the views covers every page and endpoint. API paths answer
    in the API's error shape, pages with the 400 page (the middleware sits after the auth and
    messages middleware so that page renders like any other).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path_info.startswith("/api/"):
                detail = _("The address contains a character that is not allowed.")
                return JsonResponse({"code": "invalid", "detail": detail, "fields": {}}, status=400)
            return render(request, "400.html", status=400)
        return self.get_response(request)
