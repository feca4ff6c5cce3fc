"""Errors raised by the permits services, each with a translatable message.

The API maps them onto API.md's codes: ``Invalid`` → 400 ``invalid``, ``NotFound`` → 404
``not_found``, ``Conflict`` → 409 ``conflict``. Messages never repeat personal data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class PermitsError(Exception):
    """Base class. ``message`` is for people; ``fields`` maps a field to its messages."""

    code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, fields: dict[str, list] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class Invalid(PermitsError):
    code = "invalid"
    default_message = _("The submitted data is not valid.")


class NotFound(PermitsError):
    """Missing, or not the caller's: the two are indistinguishable (DESIGN.md §5)."""

    code = "not_found"
    default_message = _("Not found.")


class Conflict(PermitsError):
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class NotAllowed(PermitsError):
    """The caller may see the object but not do this to it."""

    code = "permission_denied"
    default_message = _("You may not do this.")
