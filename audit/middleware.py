"""Every unsafe request, and every 403/404 on an object, written to the audit log.

After the response, so the record carries the status and the user as the view authenticated
them (DRF sets the token's user on the underlying request too). A 403/404 is recorded only
when a URL pattern matched (a refused object, not a scanner's guess at a path), and the
query string is never kept (it may hold a tracking secret).
"""

from __future__ import annotations

from .models import AuditCategory
from .records import record_safely

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Probes and the static files have nothing to audit.
SKIPPED_PREFIXES = ("/healthz", "/readyz", "/static/")


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, AUDITED, False):  # the view wrote this request's record
            return response
        found = request_record(request, response.status_code)
        if found is not None:
            category, action, kwargs = found
            record_safely(category, action, **kwargs)
        return response


# Set on the request (the Django one) by a view that wrote the request's record itself, in one
# statement with its own write (``request_record`` gave it the same row): not written twice.
AUDITED = "audit_recorded"


def request_record(request, status: int) -> tuple[str, str, dict] | None:
    """What this middleware records for ``request`` answered with ``status``: ``(category,
    action, arguments of records.record)``, or None when it records nothing."""
    if request.path.startswith(SKIPPED_PREFIXES):
        return None
    match = getattr(request, "resolver_match", None)
    if request.method not in SAFE_METHODS:
        category, action = AuditCategory.REQUEST, f"{request.method.lower()} {_view(match)}"
    elif status in (403, 404) and match is not None:
        category, action = AuditCategory.DENIED, f"denied {_view(match)}"
    else:
        return None
    return (
        category,
        action,
        {"request": request, "status_code": status, "object_id": _object_id(match)},
    )


def _view(match) -> str:
    if match is None:
        return "unresolved"
    return (match.view_name or match.url_name or "view")[:80]


def _object_id(match) -> str:
    if match is None:
        return ""
    for key in ("pk", "number", "task_id", "id", "application_id", "code"):
        if key in match.kwargs:
            return str(match.kwargs[key])
    return ""
