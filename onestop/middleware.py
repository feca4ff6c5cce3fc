"""Project-wide request guards: the input policy at the edge, and response headers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from onestop import inputpolicy

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def refuse(
    request: HttpRequest, detail: str, *, status: int = 400, page: str = "input_refused.html"
) -> HttpResponse:
    """The input policy's answer: the API's error shape, or a page in the site's layout."""
    if _is_api(request):
        code = "too_large" if status == 413 else "invalid"
        return JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)
    heading = _("Request too large") if status == 413 else _("Bad request")
    return render(
        request,
        page,
        {"code": status, "heading": heading, "explanation": detail},
        status=status,
    )


def _address_message() -> str:
    return _("The address contains a character that is not allowed.")


class InputPolicyMiddleware:
    """One input policy for every page and endpoint (issue 12, item 3).

    Refused before any view runs, so no bad value can reach the database or a template:

    - a NUL or a lone surrogate in the path, a query-string key or value, or a form field's key
      or value: 400 (PostgreSQL cannot store NUL in text, and a lone
      surrogate cannot be encoded to UTF-8, so either answered 500 and, once stored, broke
      every page of the case);
    - a query-string value that is a whole number beyond a signed 64-bit integer: 400 (no id,
      page or filter is that large; the database raised on it);
    - a body larger than ``REQUEST_MAX_BODY_BYTES`` (``UPLOAD_MAX_BODY_BYTES`` for multipart
      uploads): 413. Django only caps form bodies it parses itself; DRF's JSON parser read any
      size.

    JSON bodies get the same character checks, and a nesting-depth cap, in
    ``onestop.parsers.JSONParser``. API paths answer in the API's error shape; pages with a
    page in the site's layout (the middleware sits after the auth and messages middleware so
    that page renders like any other).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.check(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        try:
            query = list(request.GET.lists())
        except TooManyFieldsSent:
            return refuse(request, _("The request has too many fields."))
        if inputpolicy.bad_text(request.path_info) or any(
            inputpolicy.bad_text(key) or any(inputpolicy.bad_text(v) for v in values)
            for key, values in query
        ):
            return refuse(request, _address_message(), page="400.html")
        if any(inputpolicy.out_of_range_integer(v) for _key, values in query for v in values):
            return refuse(request, _("A number in the address is out of range."))

        content_type = request.content_type or ""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = (
            settings.UPLOAD_MAX_BODY_BYTES
            if content_type == "multipart/form-data"
            else settings.REQUEST_MAX_BODY_BYTES
        )
        if length > limit:
            return refuse(request, inputpolicy.too_large_message(limit), status=413)

        if request.method == "POST" and content_type in FORM_TYPES:
            try:
                # Uploaded file names need no check: Django drops unprintable characters.
                fields = list(request.POST.lists())
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                return refuse(request, inputpolicy.too_large_message(limit), status=413)
            except (TooManyFieldsSent, TooManyFilesSent):
                return refuse(request, _("The request has too many fields."))
            except MultiPartParserError:
                return refuse(request, _("The request body could not be read."))
            if any(
                inputpolicy.bad_text(key) or any(inputpolicy.bad_text(v) for v in values)
                for key, values in fields
            ):
                return refuse(request, inputpolicy.bad_text_message())
        return None


# The name the NUL guard had before it became the whole input policy.
RejectNulMiddleware = InputPolicyMiddleware


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response that may carry personal data: every API
    response (lists and cases carry names, masked IDs, phones; errors are cheap to recompute)
    every page served to a signed-in user, and every answer to a form sent (a progress query's
    result names the applicant, masked). Public pages for anonymous visitors keep their
    own caching (the performance work caches them). Static files are served by WhiteNoise
    before this middleware and keep their long cache lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (
            _is_api(request)
            or signed_in
            or request.method not in ("GET", "HEAD")  # e.g. a progress query's answer
            or request.path_info.startswith("/admin/")
        ):
            # no-store, no-cache, must-revalidate, private, max-age=0 (and Expires now).
            add_never_cache_headers(response)
        return response
