"""OpenAPI (drf-spectacular) descriptions of the two token schemes."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "logins.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` from `POST /api/v1/auth/token/`; it expires.",
        }


class ServiceClientScheme(OpenApiAuthenticationExtension):
    target_class = "logins.authentication.ServiceClientAuthentication"
    name = "serviceTokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token svc_…` of a service client (another system), for the "
            "endpoints of its scopes only.",
        }
