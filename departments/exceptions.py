"""Errors raised by the departments services, each with a translatable message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop import errors


class DepartmentsError(errors.DomainError):
    """Base class of the departments app's errors (on the one hierarchy, ``onestop.errors``)."""


class InvalidRole(DepartmentsError, errors.Invalid):
    default_message = _("The role is not valid.")


class NotAllowed(DepartmentsError, errors.NotAllowed):
    code = "permission_denied"
    default_message = _("You may not change the roles of this department.")
