"""The interactive API docs (``/api/docs/``) under the CSP and behind staff login.

drf-spectacular's split Swagger view serves its start-up script as a file of its own
(``/api/docs/?script=``) instead of an inline ``<script>``, so the page works under a
Content-Security-Policy without ``'unsafe-inline'``. With ``API_DOCS_PUBLIC`` false (the default
with ``PRODUCTION=true``) an anonymous visitor is sent to the login page and a signed-in
non-staff user gets 403; the schema itself is guarded by ``onestop.api.ApiDocsPermission``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularSwaggerSplitView

_swagger = SpectacularSwaggerSplitView.as_view(
    url_name="api-schema", template_name="onestop/swagger_ui.html"
)


def api_docs(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    if not getattr(settings, "API_DOCS_PUBLIC", True):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff:
            raise PermissionDenied
    return _swagger(request, *args, **kwargs)
