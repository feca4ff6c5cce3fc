"""DRF permission classes of the logins app."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from logins.models import ServiceClient


class HasServiceScope(BasePermission):
    """A service client whose scopes include the view's ``required_scope``.

    ``class RatingsExportView(APIView): permission_classes = [HasServiceScope];
    required_scope = "ratings.export"``. People (session or personal token) never pass."""

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", None)
        client = request.auth
        return bool(scope and isinstance(client, ServiceClient) and client.has_scope(scope))
