"""The notices of many case events at once (``notifications.notify_events``): the events of a
bulk append, such as the deadline sweep's follow-up of thousands of overdue tasks.

:func:`notify_for_events` makes exactly the notices and deliveries :func:`services.notify_for_event`
would make for each event, in a number of queries that does not grow with the events: the
events, their tasks, the staff roles of their departments, the supervisors of their regions
and the recipients' accounts are each read once for the batch, and the notices, deliveries,
the deliveries' outbox messages and the ``EventNotified`` rows are each one INSERT. The same
unique keys as the per-event path ((event, recipient), (notification, channel), the event)
make it idempotent. Events whose notices go to the applicant (result notices with their extra
lines) are left to the per-event path, one event at a time.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction

from departments.models import Region, Role, StaffRole
from onestop.dispatch import enqueue_many

from .messages import render
from .models import Channel, Delivery, DeliveryStatus, EventNotified, Notification
from .recipients import Recipient
from .rules import EXTERNAL_CHANNELS, HEADS_AND_SUPERVISORS, TASK_HOLDERS, rule_for
from .services import (
    APPLICATION_URL_NAMES,
    TASK_URL_NAMES,
    _context,
    _jsonable,
    _optional_reverse,
    notify_for_event,
)

BULK_AUDIENCES = (TASK_HOLDERS, HEADS_AND_SUPERVISORS)
_NUMBER = "YF00000000000000000"  # placeholders in the batch's reversed links
_TASK_ID = "987654320123"
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")  # a number a link carries as it is (no quoting)


class _Roles:
    """The staff roles of the batch's departments and the supervisors of its regions, read
    once: the same sets ``recipients.task_holder_recipients`` and
    ``recipients.escalation_recipients`` read per event."""

    def __init__(self, department_ids: set[int], region_ids: set[int]) -> None:
        self.by_department: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
        for department_id, role, stage, user_id in StaffRole.objects.filter(
            department_id__in=department_ids
        ).values_list("department_id", "role", "stage", "user_id"):
            self.by_department[department_id].append((role, stage, user_id))
        self.ancestors = _ancestors(region_ids)
        wanted = {r for chain in self.ancestors.values() for r in chain}
        self.supervisors: dict[int, set[int]] = defaultdict(set)
        if wanted:
            for region_id, user_id in StaffRole.objects.filter(
                role=Role.SUPERVISOR, region_id__in=wanted
            ).values_list("region_id", "user_id"):
                self.supervisors[region_id].add(user_id)

    def task_holders(self, task) -> set[int]:
        if task.assignee_id:
            return {task.assignee_id}
        roles = self.by_department.get(task.department_id, ())
        if task.stage:
            return {
                user
                for role, stage, user in roles
                if role == Role.HEAD or (role == Role.REVIEWER and stage == task.stage)
            }
        return {user for role, _s, user in roles if role in (Role.HEAD, Role.REVIEWER, Role.CLERK)}

    def heads_and_supervisors(self, department_id: int, region_id: int | None) -> set[int]:
        roles = self.by_department.get(department_id, ())
        ids = {user for role, _s, user in roles if role == Role.HEAD}
        if region_id is not None:
            for region in self.ancestors.get(region_id, ()):
                ids |= self.supervisors.get(region, set())
        return ids


def _ancestors(region_ids: set[int]) -> dict[int, list[int]]:
    """Each region with its ancestors (``recipients.region_and_ancestors``), one query per
    level of the region tree for the whole batch."""
    parent: dict[int, int | None] = {}
    frontier = {r for r in region_ids if r is not None}
    while frontier:
        rows = dict(Region.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parent.update(rows)
        frontier = {p for p in rows.values() if p is not None and p not in parent}
    chains = {}
    for region_id in region_ids:
        chain, current = [], region_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parent.get(current)
        chains[region_id] = chain
    return chains


def _audience_ids(rule, event, task, roles: _Roles) -> set[int]:
    if task is None:
        if rule.audience == HEADS_AND_SUPERVISORS and event.department_id:
            return roles.heads_and_supervisors(event.department_id, event.application.region_id)
        return set()
    if rule.audience == TASK_HOLDERS:
        return roles.task_holders(task)
    return roles.heads_and_supervisors(task.department_id, task.region_id)


def notify_for_events(*, event_ids: list[int]) -> list[Notification]:
    """The notices of ``event_ids``, as ``notify_for_event`` makes them one by one; idempotent.
    Returns the batch's notices."""
    from permits.models import Event
    from workflow.models import CaseTask

    events = list(
        Event.objects.select_related(
            "application__item", "application__lead_department", "department"
        )
        .filter(pk__in=list(event_ids))
        .order_by("pk")
    )
    bulk, single = [], []
    for event in events:
        rule = rule_for(event.action)
        if rule is not None and rule.audience not in BULK_AUDIENCES:
            single.append(event.pk)
        else:
            bulk.append((event, rule))
    notices: list[Notification] = []
    for event_id in single:  # the applicant's notices, with their extra lines
        notices += notify_for_event(event_id=event_id)
    if not bulk:
        return notices
    with transaction.atomic():
        task_ids = {(e.data or {}).get("task") for e, rule in bulk if rule is not None}
        task_ids.discard(None)
        tasks = {
            t.pk: t
            for t in CaseTask.objects.select_related("department", "assignee").filter(
                pk__in=task_ids
            )
        }
        departments, regions = set(), set()
        for event, _rule in bulk:
            task = tasks.get((event.data or {}).get("task"))
            if task is not None:
                departments.add(task.department_id)
                regions.add(task.region_id)
            elif event.department_id:
                departments.add(event.department_id)
                regions.add(event.application.region_id)
        roles = _Roles(departments, regions)
        wanted: dict[int, tuple] = {}  # event id → (event, kind, recipient ids, params, urls)
        users: set[int] = set()
        for event, rule in bulk:
            if rule is None:
                continue
            task_id = (event.data or {}).get("task")
            task = tasks.get(task_id) if task_id else None
            ids = _audience_ids(rule, event, task, roles)
            users |= ids
            wanted[event.pk] = (event, rule.kind, ids, task)
        accounts = {
            user.pk: user
            for user in get_user_model()
            .objects.filter(pk__in=users, is_active=True)
            .select_related("person")
        }
        # The links, reversed once for the batch (a reverse costs more than the rest of a
        # notice): with a placeholder, replaced by each event's number and task.
        case_url = _optional_reverse(APPLICATION_URL_NAMES, number=_NUMBER)
        task_url = _optional_reverse(TASK_URL_NAMES, task_id=int(_TASK_ID))
        rows, recipients_of = [], {}
        for event_id, (event, kind, ids, task) in wanted.items():
            recipients = [
                Recipient(
                    user=accounts[pk],
                    phone=getattr(getattr(accounts[pk], "person", None), "phone", "") or "",
                    email=accounts[pk].email or "",
                    staff=True,
                )
                for pk in sorted(ids)
                if pk in accounts
            ]
            recipients_of[event_id] = recipients
            if not recipients:
                continue
            params = _jsonable(_context(event, task, kind))
            title, body = render(kind, params)
            staff_url = task_url.replace(_TASK_ID, str(task.pk)) if task is not None else ""
            number = event.application.number
            url = (
                case_url.replace(_NUMBER, number)
                if _PLAIN.fullmatch(number)
                else _optional_reverse(APPLICATION_URL_NAMES, number=number)
            )
            for recipient in recipients:
                rows.append(
                    Notification(
                        recipient=recipient.user,
                        kind=kind,
                        application=event.application,
                        event=event,
                        title=title[:200],
                        body=body,
                        params=params,
                        url=staff_url if recipient.staff else url,
                    )
                )
        if rows:
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            pairs = {(n.event_id, n.recipient_id) for n in rows}
            found = [
                n
                for n in Notification.objects.filter(
                    event_id__in=list(wanted), recipient_id__in=users
                )
                if (n.event_id, n.recipient_id) in pairs
            ]
            notices += found
            by_pair = {(n.event_id, n.recipient_id): n for n in found}
            deliveries = []
            for event_id, (_event, kind, _ids, _task) in wanted.items():
                for recipient in recipients_of[event_id]:
                    notice = by_pair.get((event_id, recipient.user.pk))
                    if notice is None:
                        continue
                    for channel in EXTERNAL_CHANNELS.get(kind, ()):
                        to = recipient.phone if channel == Channel.SMS else recipient.email
                        if to:
                            deliveries.append(Delivery(notification=notice, channel=channel, to=to))
            if deliveries:
                Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
                pending = list(
                    Delivery.objects.filter(
                        notification__in=[n.pk for n in found], status=DeliveryStatus.PENDING
                    )
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                enqueue_many("notifications.deliver", [(d,) for d in pending])
        EventNotified.objects.bulk_create(
            [EventNotified(event=event) for event, _rule in bulk], ignore_conflicts=True
        )
    return notices
