"""The text of each notice. msgids are English; the Chinese is in this app's ``.po``.
Placeholders are ``%(name)s``.

A notice keeps its kind and its parameters (``Notification.params``: language-neutral values
and keys such as ``decision_action`` or ``task_kind``), and is rendered in the reader's language
when shown (:func:`render` with the active language, issue 14 item 6); the title and body
stored beside them are the ``NOTIFICATION_LANGUAGE`` (zh-hans) text the SMS and e-mail carry,
and what a notice made before the parameters were kept shows.

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


mask = _safe


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def localize(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters' translatable values in the active language: the keys stored instead of
    frozen text (the department's decision, the task's kind and stage, an unclaimed task)."""
    from workflow.labels import stage_label
    from workflow.models import TaskKind

    values = dict(params)
    action = values.pop("decision_action", None)
    if action is not None:
        values["decision"] = {
            "department_approved": _("approves"),
            "department_denied": _("does not approve"),
        }.get(action, "")
    kind = values.pop("task_kind", None)
    stage = values.pop("task_stage", None)
    if kind:
        try:
            label = str(TaskKind(kind).label)
        except ValueError:
            label = kind
        values["task"] = f"{label}·{stage_label(stage)}" if stage else label
    if "assignee" in values and not values["assignee"]:
        values["assignee"] = _("nobody yet")
    return values


def render(
    kind: str, context: Mapping[str, Any], *, language: str | None = None
) -> tuple[str, str]:
    """The (title, body) of a notice of ``kind``: in ``language``, by default the notification
    language (the stored text, SMS and e-mail). ``render(..., language=get_language())`` is the
    reader's. A parameter ``extra`` (lines other apps add) is appended to the body as given."""
    title, body = TEMPLATES.get(kind, TEMPLATES[K.GENERAL])
    language = language or getattr(settings, "NOTIFICATION_LANGUAGE", "zh-hans")
    with translation.override(language):
        localized = localize(context)
        extra = localized.pop("extra", "")
        values = _Defaults({key: _safe(value) for key, value in localized.items()})
        text = str(body) % values
        if extra:
            text = f"{text} {_safe(extra)}"
        return str(title) % values, text
