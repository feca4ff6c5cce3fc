"""Errors raised by the permits services, each with a translatable message, on the one
hierarchy of domain errors (``onestop.errors.DomainError``).

The API maps them onto API.md's codes in one place (``onestop.api``): ``Invalid`` → 400
``invalid``, ``NotFound`` → 404 ``not_found``, ``Conflict`` → 409 ``conflict``,
``NotAllowed`` → 403. Messages never repeat personal data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop import errors


class PermitsError(errors.DomainError):
    """Base class of the permits app's errors (on the one hierarchy, ``onestop.errors``)."""


class Invalid(PermitsError, errors.Invalid):
    code = "invalid"
    default_message = _("The submitted data is not valid.")


class NotFound(PermitsError, errors.NotFound):
    """Missing, or not the caller's: the two are indistinguishable (DESIGN.md §5)."""

    code = "not_found"
    default_message = _("Not found.")


class Conflict(PermitsError, errors.Conflict):
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class NotAllowed(PermitsError, errors.NotAllowed):
    """The caller may see the object but not do this to it."""

    code = "permission_denied"
    default_message = _("You may not do this.")


# --- Catalogue ------------------------------------------------------------------------------


class ItemConfigurationInvalid(Invalid):
    """An item's configuration breaks catalogue rules. ``problems`` are
    ``permits.itemconfig.Problem`` rows; ``fields`` maps their paths (``item.promised_days``,
    ``departments[1].role``) to messages."""

    default_message = _("The item's configuration is not valid.")

    def __init__(self, problems, *, message=None) -> None:
        self.problems = list(problems)
        fields: dict[str, list] = {}
        for problem in self.problems:
            fields.setdefault(problem.path, []).append(problem.message)
        super().__init__(message, fields=fields)


class ItemNotAccepting(Conflict):
    """The item takes no new applications (suspended, retired, or never published); drafts of
    it cannot be submitted either."""

    default_message = _("This item takes no applications at the moment.")


class ItemTransitionRefused(Conflict):
    """The lifecycle does not allow this move (draft → published → suspended ⇄ published →
    retired)."""

    default_message = _("This item cannot make that change from its current status.")
