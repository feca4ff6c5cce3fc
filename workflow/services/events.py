"""The one way an Event is written (DESIGN.md §3), and the one after-commit hook that
listeners (notifications, later statistics and ratings) hang on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from departments.models import Department
from permits.choices import EventAction
from permits.models import Application, Event


def event_append(
    *,
    application: Application | int,
    actor,
    action: EventAction | str,
    department: Department | int | None = None,
    before: str = "",
    after: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one Event to a case's log and announce it after commit.

    ``actor`` is the acting user, or ``None``/anonymous for the system (sweeps, deemed
    approvals). ``action`` must be an ``EventAction``. Call inside the transaction that makes
    the change, so the change and its record commit together."""
    action = EventAction(action)
    application_id = getattr(application, "pk", application)
    event = Event.objects.create(
        application_id=application_id,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action.value,
        department_id=getattr(department, "pk", department),
        status_before=before,
        status_after=after,
        note=note,
        data=dict(data or {}),
    )
    _announce_after_commit(application_id, action.value, event.pk)
    return event


def _announce_after_commit(application_id: int, action: str, event_id: int) -> None:
    from workflow.signals import case_changed

    transaction.on_commit(
        lambda: case_changed.send(
            sender=Application, application_id=application_id, action=action, event_id=event_id
        )
    )
