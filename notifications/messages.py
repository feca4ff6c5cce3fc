"""The text of each notice. msgids are English; the Chinese is in this app's ``.po`` and every
message is rendered in ``NOTIFICATION_LANGUAGE`` (zh-hans). Placeholders are ``%(name)s``.

No message carries a full ID number: the templates never ask for one, and :func:`render`
masks anything that looks like an 18-character ID number in the values it is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from permits.validators import mask_id_number

from .models import NotificationKind as K

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")

# kind → (title, body)
TEMPLATES: dict[str, tuple[Any, Any]] = {
    K.ACCEPTED: (
        _("Application %(number)s accepted"),
        _(
            "Your application %(number)s (%(item)s) has been accepted by %(department)s. "
            "Promised completion by %(due)s."
        ),
    ),
    K.NOT_ACCEPTED: (
        _("Application %(number)s not accepted"),
        _(
            "Your application %(number)s (%(item)s) was not accepted. Reasons: %(reasons)s. "
            "You have the right to apply for administrative reconsideration or to bring an "
            "administrative lawsuit."
        ),
    ),
    K.SUPPLEMENT: (
        _("Supplement needed for application %(number)s"),
        _(
            "Your application %(number)s (%(item)s) needs a supplement. Please log in to see the "
            "complete list of what is missing and supplement it online. The time limit is "
            "paused until you submit again."
        ),
    ),
    K.DEPARTMENT_DECISION: (
        _("%(department)s has given its opinion on application %(number)s"),
        _("Application %(number)s (%(item)s): %(department)s — %(decision)s."),
    ),
    K.APPROVED: (
        _("Application %(number)s approved"),
        _("Your application %(number)s (%(item)s) has been approved."),
    ),
    K.DENIED: (
        _("Application %(number)s denied"),
        _(
            "Your application %(number)s (%(item)s) was denied. Reasons: %(reasons)s. You have "
            "the right to apply for administrative reconsideration or to bring an "
            "administrative lawsuit."
        ),
    ),
    K.CERTIFICATE_READY: (
        _("Certificate ready for application %(number)s"),
        _(
            "Your application %(number)s (%(item)s) has been approved and the certificate "
            "%(certificate)s is ready. It can be verified online."
        ),
    ),
    K.WARNING: (
        _("Yellow warning: %(task)s of %(number)s is nearly due"),
        _(
            "Yellow warning: the %(task)s task of application %(number)s (%(item)s) at "
            "%(department)s is due at %(due)s; %(left)s working day(s) left."
        ),
    ),
    K.OVERDUE: (
        _("Red warning: %(task)s of %(number)s is overdue"),
        _(
            "Red warning: the %(task)s task of application %(number)s (%(item)s) at "
            "%(department)s was due at %(due)s and is overdue. A red card has been recorded "
            "against the department."
        ),
    ),
    K.ESCALATED: (
        _("Escalated: overdue task of %(number)s at %(department)s"),
        _(
            "Supervision notice: the %(task)s task of application %(number)s (%(item)s) at "
            "%(department)s was due at %(due)s and is overdue. Held by: %(assignee)s. Please "
            "see that it is handled."
        ),
    ),
    K.DEEMED_APPROVED: (
        _("%(department)s deemed to approve application %(number)s"),
        _(
            "Application %(number)s (%(item)s): %(department)s did not answer within its time "
            "limit and is deemed to approve (逾期视为同意)."
        ),
    ),
    K.CLOCK_PAUSED: (
        _("Time limit of application %(number)s paused"),
        _("The time limit of your application %(number)s (%(item)s) is paused: %(reason)s."),
    ),
    K.CLOCK_RESUMED: (
        _("Time limit of application %(number)s running again"),
        _(
            "The time limit of your application %(number)s (%(item)s) runs again. Promised "
            "completion by %(due)s."
        ),
    ),
    K.EXTENDED: (
        _("Time limit of application %(number)s extended"),
        _(
            "The time limit of application %(number)s (%(item)s) was extended by %(days)s "
            "working days, to %(due)s. Reason: %(reason)s."
        ),
    ),
    K.ANSWERED: (
        _("Your case %(number)s has been answered"),
        _(
            "Your case %(number)s (%(item)s) has been answered by %(department)s. Log in or "
            "use the tracking query to read the answer and to rate it."
        ),
    ),
    K.GENERAL: (_("Notice"), _("%(text)s")),
}


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def render(kind: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The (title, body) of a notice of ``kind``, in the notification language."""
    title, body = TEMPLATES.get(kind, TEMPLATES[K.GENERAL])
    values = _Defaults({key: _safe(value) for key, value in context.items()})
    with translation.override(getattr(settings, "NOTIFICATION_LANGUAGE", "zh-hans")):
        return str(title) % values, str(body) % values
