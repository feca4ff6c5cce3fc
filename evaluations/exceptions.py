"""The ratings app's errors, on ``onestop.errors.DomainError`` (the API maps them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop.errors import Conflict, DomainError, NotFound


class LinkExpired(DomainError):
    """A signed rating link past its validity: 410 ``expired``."""

    code = "expired"
    default_message = _("This rating link has expired. Log in to rate your case in the site.")


class LinkInvalid(NotFound):
    """A link that was not signed by us (altered or made up): 404 ``not_found``."""

    default_message = _("This rating link is not valid.")


class LinkUsed(Conflict):
    """A link whose answer is rated already: 409 ``conflict``."""

    default_message = _("This rating link has been used: the answer is rated already.")


class RatingNotYet(Conflict):
    """A visit's link (printed on the ticket slip) before the visit is finished: 409
    ``conflict``; it becomes usable when the clerk finishes the visit."""

    default_message = _("You can rate the visit once it is finished (办理结束后可评价).")
