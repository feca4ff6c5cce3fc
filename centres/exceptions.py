"""The service centre's errors, on the one hierarchy (``onestop.errors.DomainError``): pages
show ``message``, the API maps ``code`` (``onestop.api``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop import errors


class CentresError(errors.DomainError):
    """Base class of the service centre's errors."""


class Invalid(CentresError, errors.Invalid):
    code = "invalid"


class NotFound(CentresError, errors.NotFound):
    code = "not_found"


class Conflict(CentresError, errors.Conflict):
    """The ticket or window is no longer in a state that allows the act."""

    code = "conflict"


class NotAllowed(CentresError, errors.NotAllowed):
    code = "permission_denied"


class NoWindowOpen(Conflict):
    """No open window of the centre can serve the item now."""

    default_message = _("No open window can serve this item now.")
