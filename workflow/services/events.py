"""The one way an Event is written (DESIGN.md §3), and the one after-commit hook that
listeners (notifications, later statistics and ratings) hang on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from departments.models import Department
from permits.choices import EventAction
from permits.event_notes import note_data
from permits.models import Application, Event, ServiceItem


def event_append(
    *,
    application: Application | int,
    actor,
    action: EventAction,
    department: Department | int | None = None,
    before: str = "",
    after: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one Event to a case's log and announce it after commit.

    ``actor`` is the acting user, or ``None``/anonymous for the system (sweeps, deemed
    approvals). ``action`` must be an ``EventAction`` member (an unknown action raises
    ``ValueError``). The event carries the case's item, region, service model and channel:
    taken from ``application`` when it is an instance (no query when its item is loaded, one
    otherwise), read in one query when it is an id. Call inside the transaction that makes the
    change, so the change and its record commit together."""
    action = EventAction(action)
    facts = case_facts(application)
    event = _with_case(
        Event(
            at=at or timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action.value,
            department_id=getattr(department, "pk", department),
            status_before=before,
            status_after=after,
            note=note,
            data={**note_data(note), **(data or {})},
            **facts,
        ),
        application,
    )
    event.save(force_insert=True)
    _announce_after_commit(facts["application_id"], action.value, event.pk)
    return event


def _with_case(event: Event, application: Application | int) -> Event:
    """``event`` knowing its case instance when the writer gave one (receivers of its
    ``post_save`` read the case the writer holds instead of reading it again)."""
    if isinstance(application, Application):
        event.application = application
    return event


def events_append(
    *,
    application: Application,
    actor,
    action: EventAction,
    entries: Sequence[Mapping[str, Any]],
    at: datetime | None = None,
) -> list[Event]:
    """Append several Events of one action on one case in one INSERT, each as
    :func:`event_append` would (the same columns, the same after-commit announcement, and the
    ``post_save`` signal Event listeners hang on, which a bulk insert does not send by itself).
    ``entries``: per event ``department``, ``before``, ``after``, ``note``, ``data``. For a
    node that records one fact per department (the online notice); same caller rules as
    :func:`event_append`."""
    action = EventAction(action)
    facts = case_facts(application)
    when = at or timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    events = [
        Event(
            at=when,
            actor=user,
            action=action.value,
            department_id=getattr(entry.get("department"), "pk", entry.get("department")),
            status_before=entry.get("before", ""),
            status_after=entry.get("after", ""),
            note=entry.get("note", ""),
            data={**note_data(entry.get("note")), **(entry.get("data") or {})},
            **facts,
        )
        for entry in entries
    ]
    if not events:
        return []
    using = router.db_for_write(Event)
    for event in events:
        pre_save.send(sender=Event, instance=event, raw=False, using=using, update_fields=None)
    Event.objects.bulk_create(events)
    for event in events:
        event._state.adding = False
        event._state.db = using
        post_save.send(
            sender=Event, instance=event, created=True, update_fields=None, raw=False, using=using
        )
        _announce_after_commit(facts["application_id"], action.value, event.pk)
    return events


def events_bulk_append(
    *, entries: Sequence[Mapping[str, Any]], at: datetime | None = None
) -> list[Event]:
    """Append the Events of many cases in one INSERT (the deadline sweep's bulk follow-up),
    each as :func:`event_append` would: the same columns, ``pre_save``/``post_save`` per event
    (``post_save`` with ``bulk=True``, so a receiver that writes per event in the transaction
    may leave it to :data:`workflow.signals.events_appended`, sent once after them with every
    event), and one after-commit announcement per event. ``entries``: per event
    ``application`` (an instance with its item loaded, or the query per case is made),
    ``action``, ``actor``, ``department``, ``before``, ``after``, ``note``, ``data``. Call
    inside the transaction that makes the change."""
    from workflow.signals import events_appended

    when = at or timezone.now()
    events = []
    for entry in entries:
        application = entry["application"]
        actor = entry.get("actor")
        events.append(
            _with_case(
                Event(
                    at=when,
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                    action=EventAction(entry["action"]).value,
                    department_id=getattr(entry.get("department"), "pk", entry.get("department")),
                    status_before=entry.get("before", ""),
                    status_after=entry.get("after", ""),
                    note=entry.get("note", ""),
                    data={**note_data(entry.get("note")), **(entry.get("data") or {})},
                    **case_facts(application),
                ),
                application,
            )
        )
    if not events:
        return []
    using = router.db_for_write(Event)
    for event in events:
        pre_save.send(sender=Event, instance=event, raw=False, using=using, update_fields=None)
    Event.objects.bulk_create(events)
    for event in events:
        event._state.adding = False
        event._state.db = using
        post_save.send(
            sender=Event,
            instance=event,
            created=True,
            update_fields=None,
            raw=False,
            using=using,
            bulk=True,
        )
    events_appended.send(sender=Event, events=events, using=using)
    announced = [(e.application_id, e.action, e.pk) for e in events]

    def announce() -> None:
        from workflow.signals import case_changed

        for application_id, action, event_id in announced:
            case_changed.send(
                sender=Application, application_id=application_id, action=action, event_id=event_id
            )

    transaction.on_commit(announce)
    return events


def case_facts(application: Application | int) -> dict[str, Any]:
    """The columns an Event copies from its case (``application_id``, ``item_id``,
    ``region_id``, ``service_model``, ``channel``)."""
    if isinstance(application, Application):
        if Application.item.is_cached(application):
            service_model = application.item.service_model
        else:
            service_model = (
                ServiceItem.objects.filter(pk=application.item_id)
                .values_list("service_model", flat=True)
                .first()
            ) or ""
        return {
            "application_id": application.pk,
            "item_id": application.item_id,
            "region_id": application.region_id,
            "service_model": service_model,
            "channel": application.channel,
        }
    row = (
        Application.objects.filter(pk=application)
        .values("item_id", "region_id", "channel", "item__service_model")
        .first()
    )
    if row is None:
        raise Application.DoesNotExist(f"application {application} does not exist")
    return {
        "application_id": application,
        "item_id": row["item_id"],
        "region_id": row["region_id"],
        "service_model": row["item__service_model"] or "",
        "channel": row["channel"],
    }


def _announce_after_commit(application_id: int, action: str, event_id: int) -> None:
    from workflow.signals import case_changed

    transaction.on_commit(
        lambda: case_changed.send(
            sender=Application, application_id=application_id, action=action, event_id=event_id
        )
    )
