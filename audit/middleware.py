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
        path = request.path
        if path.startswith(SKIPPED_PREFIXES):
            return response
        status = response.status_code
        match = getattr(request, "resolver_match", None)
        if request.method not in SAFE_METHODS:
            category, action = AuditCategory.REQUEST, f"{request.method.lower()} {_view(match)}"
        elif status in (403, 404) and match is not None:
            category, action = AuditCategory.DENIED, f"denied {_view(match)}"
        else:
            return response
        record_safely(
            category,
            action,
            request=request,
            status_code=status,
            object_id=_object_id(match),
        )
        return response


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
