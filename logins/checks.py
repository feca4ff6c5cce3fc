"""System checks: production never runs without the second factor for staff."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def second_factor_required_in_production(app_configs=None, **kwargs):
    if getattr(settings, "PRODUCTION", False) and not settings.TWO_FACTOR_REQUIRED:
        return [
            Error(
                "TWO_FACTOR_REQUIRED is off with PRODUCTION=true.",
                hint="Staff must log in with a second factor in production; unset it.",
                id="logins.E001",
            )
        ]
    return []
