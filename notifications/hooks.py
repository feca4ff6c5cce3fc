"""The hook between the case's event log and the notices: every committed Event whose action
notifies someone enqueues ``notifications.notify_event`` after commit. Enqueueing never breaks
the case: a broker outage is logged and the beat's catch-up finds the event later."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from .rules import rule_for

logger = logging.getLogger("notifications")


def enqueue_notify_event(event_id: int) -> None:
    from .tasks import notify_event

    try:
        notify_event.delay(event_id)
    except Exception:  # the broker is down: the catch-up sweep will find the event
        logger.warning("could not enqueue notify_event(%s); left for the catch-up", event_id)


def event_recorded(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created or not getattr(settings, "NOTIFICATIONS_ENABLED", True):
        return
    if rule_for(instance.action) is None:
        return
    event_id = instance.pk
    transaction.on_commit(lambda: enqueue_notify_event(event_id))
