"""The hook between the case's event log and the notices: every Event whose action notifies
someone enqueues ``notifications.notify_event`` in the event's own transaction, through the
outbox (``onestop.dispatch``): it is published after commit, and later by the relay should the
broker be down, so enqueueing never breaks the case and loses nothing."""

from __future__ import annotations

from django.conf import settings

from onestop.dispatch import enqueue

from .rules import rule_for


def event_recorded(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created or not getattr(settings, "NOTIFICATIONS_ENABLED", True):
        return
    if rule_for(instance.action) is None:
        return
    enqueue("notifications.notify_event", instance.pk)


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
