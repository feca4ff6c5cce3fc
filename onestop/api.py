"""Project-wide REST conventions of API.md: the error shape and pagination."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from onestop.inputpolicy import BadQueryParameter

# DRF's own codes mapped onto the contract's codes.
_CODE_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


class ApiError(exceptions.APIException):
    """An error with an explicit contract code, e.g. ``ApiError("conflict", msg, status=409)``."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.fields = fields or {}
        super().__init__(detail=detail, code=code)


def _flatten_fields(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return {
            key: (_flatten_fields(value) if isinstance(value, dict) else _as_list(value))
            for key, value in data.items()
        }
    return {"non_field_errors": _as_list(data)}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            out.extend(_as_list(v) if isinstance(v, list | tuple | dict) else [str(v)])
        return out
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(value)]


def api_error_from(exc: BaseException) -> ApiError | None:
    """A domain error (``onestop.errors.DomainError``: every app's), or a lock not had within
    the lock timeout (recognised by the database error's SQLSTATE or viewflow's lock failure,
    never by its text), as the API's ``ApiError``; None for anything else. The one mapping of
    domain errors onto API.md's codes and statuses."""
    from onestop.errors import STATUS_BY_CODE, DomainError, busy_from

    if not isinstance(exc, DomainError):
        exc = busy_from(exc)
        if exc is None:
            return None
    code = getattr(exc, "code", "invalid")
    return ApiError(
        code,
        str(exc.message),
        status_code=STATUS_BY_CODE.get(code, status.HTTP_400_BAD_REQUEST),
        fields=_plain_fields(exc.fields),
    )


def _plain_fields(value: Any) -> Any:
    """Lazy translations → strings, keeping nested fields (``fields.form.<name>``)."""
    if isinstance(value, dict):
        return {key: _plain_fields(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every 4xx answers ``{"code", "detail", "fields"}`` (API.md, Conventions)."""
    exc = api_error_from(exc) or exc
    if isinstance(exc, BadQueryParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )

    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES (this module's
    # JSONParser) when it loads, so importing it at the top made a cycle whenever this module
    # was imported first (e.g. by DRF's pagination check, whose order among the system checks
    # varies from process to process).
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, ApiError):
        body = {"code": exc.code, "detail": str(exc.detail), "fields": exc.fields}
    elif isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "detail": _("The submitted data is not valid."),
            "fields": _flatten_fields(exc.detail),
        }
    else:
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response.status_code = status.HTTP_401_UNAUTHORIZED
        code = _CODE_BY_STATUS.get(response.status_code, "error")
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {"code": code, "detail": str(detail), "fields": {}}
    response.data = body
    return response


class ApiDocsPermission(BasePermission):
    """The schema and the interactive docs: public unless ``API_DOCS_PUBLIC`` is false (the
    default with ``PRODUCTION=true``), then for signed-in staff only."""

    def has_permission(self, request, view) -> bool:
        if getattr(settings, "API_DOCS_PUBLIC", True):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
