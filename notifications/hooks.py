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
