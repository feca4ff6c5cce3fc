"""Errors raised by the departments services, each with a translatable message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DepartmentsError(Exception):
    """Base class. ``message`` is for people; ``fields`` maps a field to its messages."""

    code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, fields: dict[str, list] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class InvalidRole(DepartmentsError):
    default_message = _("The role is not valid.")


class NotAllowed(DepartmentsError):
    code = "permission_denied"
    default_message = _("You may not change the roles of this department.")
