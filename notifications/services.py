"""Writes of the notification centre.

- :func:`notify_for_event` turns one case event into notices (once: the unique constraints on
  (event, recipient) and (notification, channel) are the idempotency key) and enqueues the
  deliveries after commit.
- :func:`delivery_send` sends one delivery through its backend and records the outcome;
  failures are retried by the task and never touch the case.
- :func:`notification_mark_read` / :func:`notification_mark_all_read` for the recipient.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from onestop.dispatch import enqueue_many

from .backends import DeliveryError, Message, get_backend
from .extras import body_extras
from .messages import render
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    EventNotified,
    Notification,
    NotificationKind,
)
from .recipients import (
    Recipient,
    applicant_recipients,
    escalation_recipients,
    task_holder_recipients,
)
from .rules import (
    APPLICANT,
    APPLICANT_CHANNELS,
    EXTERNAL_CHANNELS,
    HEADS_AND_SUPERVISORS,
    TASK_HOLDERS,
    rule_for,
)

logger = logging.getLogger("notifications")

APPLICATION_URL_NAMES = ("portal:application_detail", "portal:my_case", "portal:case_detail")
TASK_URL_NAMES = ("workflow:task_detail",)


def _optional_reverse(names: Iterable[str], **kwargs: Any) -> str:
    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _context(event, task, kind: str = "") -> dict[str, Any]:
    """The notice's parameters: language-neutral values (numbers, names, dates as printed)
    and keys for what is translated when the notice is shown (``messages.localize``), so
    ``Notification.params`` renders in any reader's language."""
    from workflow.deadlines import dues
    from workflow.deadlines.calendar import working_days_left

    application = event.application
    department = event.department or (task.department if task else None)
    department = department or application.lead_department
    context: dict[str, Any] = {
        "number": application.number,
        "item": application.item.name,
        "department": department.display_name,
        # One function names each due (workflow.deadlines.dues): the case's promised due
        # unless the notice is about one task's due.
        "due": dues.format_due(dues.notice_due(kind, application=application)),
        "reasons": event.note
        or application.not_accepted_reasons
        or application.decision_opinion
        or "—",
        "reason": event.note or "—",
        "decision_action": event.action,
        "text": event.note,
    }
    data = event.data or {}
    if data.get("certificate_number"):
        context["certificate"] = data["certificate_number"]
    if "days" in data:
        context["days"] = data["days"]
    if task is not None:
        context["task_kind"] = task.kind
        context["task_stage"] = task.stage or ""
        if kind in dues.TASK_DUE_KINDS:
            context["due"] = dues.format_due(dues.task_due(task), with_time=True)
        if task.due_at:
            context["left"] = max(0, working_days_left(due=task.due_at, now=event.at))
        assignee = task.assignee
        context["assignee"] = (
            (assignee.get_full_name() or assignee.get_username()) if assignee else ""
        )
    return context


def _resolve(audience: str, event, task) -> list[Recipient]:
    if audience == APPLICANT:
        return applicant_recipients(event.application)
    if task is None:
        if audience == HEADS_AND_SUPERVISORS and event.department_id:
            return escalation_recipients(
                department_id=event.department_id, region_id=event.application.region_id
            )
        return []
    if audience == TASK_HOLDERS:
        return task_holder_recipients(task)
    if audience == HEADS_AND_SUPERVISORS:
        return escalation_recipients(department_id=task.department_id, region_id=task.region_id)
    return []


def _jsonable(context: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as stored: JSON values, anything else (a lazy string, a date) as its text
    in the notification language; texts masked as the rendered notice is (no full ID
    number is kept)."""
    from .messages import mask

    with translation.override(getattr(settings, "NOTIFICATION_LANGUAGE", "zh-hans")):
        return {
            key: value if value is None or isinstance(value, (bool, int, float)) else mask(value)
            for key, value in context.items()
        }


def notification_create(
    *,
    kind: str,
    recipients: Iterable[Recipient],
    context: Mapping[str, Any],
    application=None,
    event=None,
    url: str = "",
    staff_url: str = "",
    extra: str = "",
) -> list[Notification]:
    """Create (at most once per event and recipient) the notices of ``kind`` and their
    deliveries, in a constant number of queries; enqueue the pending deliveries after commit
    (sending one twice is harmless: ``delivery_send`` skips what is no longer pending)."""
    params = _jsonable({**context, **({"extra": extra} if extra else {})})
    title, body = render(kind, params)
    recipients = list(recipients)
    rows = [
        Notification(
            recipient=r.user,
            kind=kind,
            application=application,
            event=event,
            title=title[:200],
            body=body,
            params=params,
            url=staff_url if r.staff else url,
        )
        for r in recipients
    ]
    with transaction.atomic():
        if event is None:
            notices = Notification.objects.bulk_create(rows)
        else:
            # The partial unique constraints are the idempotency key: a redelivered message
            # inserts nothing and reads back what the first one made.
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            notices = list(
                Notification.objects.filter(event=event).filter(
                    Q(recipient__in=[r.user for r in recipients if r.user is not None])
                    | Q(recipient__isnull=True, kind=kind)
                )
            )
        by_user = {n.recipient_id: n for n in notices}
        deliveries = []
        for recipient in recipients:
            notice = by_user.get(getattr(recipient.user, "pk", None))
            if notice is None:
                continue
            channels = EXTERNAL_CHANNELS.get(kind, ()) if recipient.staff else APPLICANT_CHANNELS
            for channel in channels:
                to = recipient.phone if channel == Channel.SMS else recipient.email
                if to:
                    deliveries.append(Delivery(notification=notice, channel=channel, to=to))
        if deliveries:
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            pending = list(
                Delivery.objects.filter(
                    notification__in=notices, status=DeliveryStatus.PENDING
                ).values_list("pk", flat=True)
            )
            enqueue_many("notifications.deliver", [(d,) for d in pending])
    return notices


def notify_for_event(*, event_id: int) -> list[Notification]:
    """Turn one case event into its notices. Idempotent; quiet when the event is gone or
    notifies nobody."""
    from permits.models import Event
    from workflow.models import CaseTask

    event = (
        Event.objects.select_related(
            "application__item", "application__lead_department", "department"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return []
    rule = rule_for(event.action)
    notices: list[Notification] = []
    with transaction.atomic():
        if rule is not None:
            task_id = (event.data or {}).get("task")
            task = (
                CaseTask.objects.select_related("department", "assignee").filter(pk=task_id).first()
                if task_id
                else None
            )
            kind = rule.kind
            if event.action == "approved" and (event.data or {}).get("certificate_number"):
                kind = NotificationKind.CERTIFICATE_READY
            recipients = _resolve(rule.audience, event, task)
            context = _context(event, task, kind)
            number = event.application.number
            notices = notification_create(
                kind=kind,
                recipients=recipients,
                context=context,
                application=event.application,
                event=event,
                url=_optional_reverse(APPLICATION_URL_NAMES, number=number),
                staff_url=(
                    _optional_reverse(TASK_URL_NAMES, task_id=task.pk) if task is not None else ""
                ),
                extra=_extra_for(rule.audience, event),
            )
        EventNotified.objects.bulk_create([EventNotified(event=event)], ignore_conflicts=True)
    return notices


def _extra_for(audience: str, event) -> str:
    """The registered extra lines (notifications.extras), for the applicant's notices only."""
    if audience != APPLICANT:
        return ""
    with translation.override(getattr(settings, "NOTIFICATION_LANGUAGE", "zh-hans")):
        return body_extras(event)


MAX_ATTEMPTS = 8


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery. Returns ``"sent"``, ``"failed"``, ``"skipped"`` (gone, already sent,
    or being sent by another worker right now) or ``"retry"`` (a passing failure)."""
    max_attempts = getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", MAX_ATTEMPTS)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("notification")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        notification = delivery.notification
        message = Message(
            to=delivery.to,
            subject=notification.title,
            body=notification.body,
            reference=f"onestop-delivery-{delivery.pk}",
        )
        delivery.attempts += 1
        try:
            provider_id = get_backend(delivery.channel).send(message)
        except DeliveryError as exc:
            delivery.last_error = str(exc)[:500]
            if exc.permanent or delivery.attempts >= max_attempts:
                delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["attempts", "last_error", "status"])
            return "failed" if delivery.status == DeliveryStatus.FAILED else "retry"
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.provider_id = (provider_id or "")[:100]
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "provider_id", "last_error"])
        return "sent"


def notification_mark_read(*, user, notification_id: int) -> Notification | None:
    """Mark one of the user's own notices read; a foreign or missing one gives None."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def catch_up(*, now: datetime | None = None) -> dict[str, int]:
    """What a lost message would have left behind, re-enqueued: notifying events of the last
    day without notices, and deliveries pending for more than a few minutes."""
    from datetime import timedelta

    from permits.models import Event

    from .rules import RULES

    now = now or timezone.now()
    settle = timedelta(seconds=getattr(settings, "NOTIFICATION_CATCH_UP_AFTER_SECONDS", 120))
    window = timedelta(hours=getattr(settings, "NOTIFICATION_CATCH_UP_HOURS", 24))
    events = list(
        Event.objects.filter(action__in=list(RULES), at__gte=now - window, at__lt=now - settle)
        .exclude(pk__in=EventNotified.objects.values("event_id"))
        .values_list("pk", flat=True)[:500]
    )
    enqueue_many("notifications.notify_event", [(e,) for e in events])
    deliveries = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, created_at__gte=now - window, created_at__lt=now - settle
        ).values_list("pk", flat=True)[:500]
    )
    enqueue_many("notifications.deliver", [(d,) for d in deliveries])
    return {"events": len(events), "deliveries": len(deliveries)}
