"""One function for each due date a case has (issue 14 item 3).

Notices, notifications and pages name a date by asking here, never by reading a column that
happens to be at hand: the acceptance notification once named the acceptance task's due as the
"promised completion" while the case page showed the case's promised due.

- :func:`acceptance_due` — when the lead must decide on acceptance (the item's acceptance limit
  from the submission: the law's 5 working days, or the item's promised limit when shorter).
- :func:`promised_due` — the case's promised completion (承诺办结时间), set at acceptance.
- :func:`legal_due` — the case's legal limit (法定办结时间).
- :func:`task_due` — one task's due.
- :func:`notice_due` — which of these a notification of a kind names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from workflow.deadlines import calendar as cal

# Notification kinds (notifications.models.NotificationKind values) whose "due" is the task's
# own: the warnings about one task. Every other kind names the case's promised due.
TASK_DUE_KINDS = frozenset({"warning", "overdue", "escalated"})


def acceptance_due(application: Any, *, start: datetime | None = None) -> datetime:
    """The acceptance task's due: the item version's acceptance limit from the submission."""
    from workflow.spec import version_spec

    begin = start or application.submitted_at or timezone.now()
    return cal.add_time_limit(
        start=begin, days=version_spec(application.item_version).acceptance_days
    )


def promised_due(application: Any) -> datetime | None:
    """The promised completion of the case (承诺办结时间); None before acceptance."""
    return application.due_at


def legal_due(application: Any) -> datetime | None:
    """The legal limit of the case (法定办结时间); None before acceptance."""
    return application.legal_due_at


def task_due(task: Any) -> datetime | None:
    return task.due_at


def notice_due(kind: str, *, application: Any, task: Any = None) -> datetime | None:
    """The due date a notification of ``kind`` names: a task's warnings name the task's due,
    the case's notices (accepted, clock resumed, extended, a case warning) its promised due."""
    if kind in TASK_DUE_KINDS and task is not None:
        return task_due(task)
    return promised_due(application)


def format_due(moment: datetime | None, *, with_time: bool = False) -> str:
    """A due as notices print it (local time; the day only for a case's dues, which end at the
    end of a working day)."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M}" if with_time else f"{local:%Y-%m-%d}"
