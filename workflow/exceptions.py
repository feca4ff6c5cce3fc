"""Errors raised by the workflow services, on the one hierarchy of domain errors
(``onestop.errors.DomainError``, through ``permits.exceptions``), so that pages and the API
(``onestop.api``, the one mapping) treat every app's errors the same way: ``Invalid`` → 400
``invalid`` (with ``fields``), ``MissingMaterials`` → 400 ``missing_materials``, ``NotFound``
→ 404 ``not_found`` (missing and foreign alike), ``Conflict`` → 409 ``conflict``,
``Forbidden`` → 403 ``permission_denied``; a lock not had within the lock timeout is 503
``busy`` (``onestop.errors.busy_from``).

``Conflict`` means only what API.md says: the case or task is no longer in a state that allows
the act, or another user holds the task. A busy database is never a conflict: writers wait on
the row lock.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from permits import exceptions as permits_exceptions


class WorkflowError(permits_exceptions.PermitsError):
    """Base class of the workflow's errors."""


class Invalid(WorkflowError, permits_exceptions.Invalid):
    code = "invalid"
    default_message = _("The submitted data is not valid.")


class MissingMaterials(Invalid):
    """A required, non-tolerable material is missing at submission. ``missing`` lists the
    requirements: ``[{"requirement": id, "name": name}]``."""

    code = "missing_materials"
    default_message = _("Some required materials are missing.")

    def __init__(self, missing: list[dict], message=None) -> None:
        self.missing = missing
        super().__init__(
            message,
            fields={"materials": [str(m["name"]) for m in missing]},
        )


class NotFound(WorkflowError, permits_exceptions.NotFound):
    code = "not_found"
    default_message = _("Not found.")


class Conflict(WorkflowError, permits_exceptions.Conflict):
    code = "conflict"
    default_message = _("This case or task is no longer in a state that allows this.")


class Forbidden(WorkflowError, permits_exceptions.NotAllowed):
    """The user may see the case or task but may not do this (not their stage, not the
    holder, not a head): 403 ``permission_denied``."""

    code = "permission_denied"
    default_message = _("You may not do this on this case or task.")


class Throttled(WorkflowError):
    """Too many ID-number look-ups from one client address or for one number: 429."""

    code = "throttled"
    default_message = _("Too many look-ups of ID numbers. Try again in an hour.")
