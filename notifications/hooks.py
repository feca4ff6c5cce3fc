"""The hook between the case's event log and the notices: every Event whose action notifies
someone enqueues ``notifications.notify_event`` in the event's own transaction, through the
outbox (``onestop.dispatch``): it is published after commit, and later by the relay should the
broker be down, so enqueueing never breaks the case and loses nothing."""

from __future__ import annotations

from django.conf import settings

from onestop.dispatch import enqueue, enqueue_many

from .rules import rule_for

# Events per ``notifications.notify_events`` message (a bulk append's notices).
EVENTS_PER_MESSAGE = 500


def event_recorded(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created or not getattr(settings, "NOTIFICATIONS_ENABLED", True):
        return
    if kwargs.get("bulk"):  # a bulk append: ``events_recorded`` enqueues them together
        return
    if rule_for(instance.action) is None:
        return
    enqueue("notifications.notify_event", instance.pk)


def events_recorded(sender, events, **kwargs) -> None:
    """``workflow.signals.events_appended``: the notifying events of one bulk append in one
    outbox INSERT, ``EVENTS_PER_MESSAGE`` events a message (``notifications.notify_events``)."""
    if not getattr(settings, "NOTIFICATIONS_ENABLED", True):
        return
    ids = [event.pk for event in events if rule_for(event.action) is not None]
    chunks = [ids[i : i + EVENTS_PER_MESSAGE] for i in range(0, len(ids), EVENTS_PER_MESSAGE)]
    enqueue_many("notifications.notify_events", [(chunk,) for chunk in chunks])


def registration_attempt_on_record(sender, person, channel: str = "web", **kwargs) -> None:
    """Someone registered with this person's ID number: tell the person by SMS (the page said
    nothing about the number being known). No in-site notice: the registrant is not the owner."""
    if not person.phone:
        return
    from django.utils.translation import gettext as _

    from .models import NotificationKind
    from .recipients import Recipient
    from .services import notification_create

    notification_create(
        kind=NotificationKind.GENERAL,
        recipients=[Recipient(user=None, phone=person.phone)],
        context={
            "text": _(
                "Someone tried to register an account on the Yunfu government service platform "
                "with your ID number. If it was you, log in with your existing account or reset "
                "your password; otherwise you need do nothing."
            )
        },
    )
