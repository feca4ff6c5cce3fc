"""Appointments (预约): a half-hour slot for an item at a centre, booked online, checked in at
the kiosk.

Rules:

- Slots start every 30 minutes within ``CENTRES_APPOINTMENT_HOURS`` (default 09:00–11:30 and
  14:30–17:00) on working days (the work calendar), from tomorrow up to
  ``CENTRES_APPOINTMENT_DAYS_AHEAD`` days ahead.
- A slot's capacity is the number of the centre's windows (open or paused, not closed) that can
  serve the item, times ``CENTRES_APPOINTMENTS_PER_WINDOW_SLOT``. Booking locks the slot's row
  (``AppointmentSlot``, created on first use) and counts its bookings under that lock, so
  concurrent bookings never exceed it.
- One booking per person, item and day.
- Check-in at the kiosk with the code, from 30 minutes before the slot until its end: a
  priority ticket (``appointment``). Later on the day: an ordinary ticket. Earlier: refused with
  the time to come back.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.exceptions import Conflict, Invalid, NotFound
from centres.models import Appointment, AppointmentSlot, AppointmentStatus, PriorityReason, Ticket
from centres.services import queue
from centres.services.capability import listed_items, serves
from departments.models import ServiceCentre, Window, WindowStatus
from workflow.deadlines import calendar

SLOT_MINUTES = 30
EARLY_CHECK_IN_MINUTES = 30
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


def _hours() -> list[tuple[time, time]]:
    raw = getattr(settings, "CENTRES_APPOINTMENT_HOURS", ["09:00-11:30", "14:30-17:00"])
    out = []
    for span in raw:
        start, end = span.split("-")
        out.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    return out


def slot_starts(day: date) -> list[datetime]:
    """The slots' start times of ``day`` (none on a day off)."""
    if not calendar.is_working_day(day):
        return []
    starts = []
    for start, end in _hours():
        moment = datetime.combine(day, start, tzinfo=calendar.SHANGHAI)
        last = datetime.combine(day, end, tzinfo=calendar.SHANGHAI)
        while moment + timedelta(minutes=SLOT_MINUTES) <= last:
            starts.append(moment)
            moment += timedelta(minutes=SLOT_MINUTES)
    return starts


def slot_capacity(*, centre: Any, item: Any) -> int:
    windows = list(
        Window.objects.filter(centre_id=getattr(centre, "pk", centre)).exclude(
            status=WindowStatus.CLOSED
        )
    )
    listed = listed_items(w.pk for w in windows)
    capable = sum(
        1
        for w in windows
        if serves(w, item_id=item.pk, category=item.category, listed=listed.get(w.pk))
    )
    return capable * int(getattr(settings, "CENTRES_APPOINTMENTS_PER_WINDOW_SLOT", 1))


def bookable_days(*, now: datetime) -> list[date]:
    today = calendar.local_date(now)
    ahead = int(getattr(settings, "CENTRES_APPOINTMENT_DAYS_AHEAD", 7))
    days = [today + timedelta(days=n) for n in range(1, ahead + 1)]
    return [d for d in days if calendar.is_working_day(d)]


def slots(*, centre: ServiceCentre, item: Any, day: date) -> list[dict[str, Any]]:
    """[{starts_at, capacity, booked, free}] of the day (two queries)."""
    capacity = slot_capacity(centre=centre, item=item)
    starts = slot_starts(day)
    booked: dict[datetime, int] = {}
    for row in Appointment.objects.filter(
        centre=centre, item=item, starts_at__in=starts, status__in=ACTIVE
    ).values_list("starts_at", flat=True):
        booked[row] = booked.get(row, 0) + 1
    return [
        {
            "starts_at": s,
            "capacity": capacity,
            "booked": booked.get(s, 0),
            "free": max(capacity - booked.get(s, 0), 0),
        }
        for s in starts
    ]


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _slot_row(*, centre: ServiceCentre, item: Any, starts_at: datetime) -> AppointmentSlot:
    """The slot's row, locked (created on first use; a concurrent creator's row is reused)."""
    table = connection.ops.quote_name(AppointmentSlot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # bandit B608: the table name is the model's own db_table; values are %s parameters
            f"INSERT INTO {table} (centre_id, item_id, starts_at) VALUES (%s, %s, %s) "  # noqa: S608 # nosec B608
            "ON CONFLICT (centre_id, item_id, starts_at) DO NOTHING",
            # the column's own adaptation: SQLite (the demo's) stores naive UTC text, and a raw
            # aware datetime would be written with its offset, a row the ORM's lookup misses
            [centre.pk, item.pk, connection.ops.adapt_datetimefield_value(starts_at)],
        )
    return AppointmentSlot.objects.select_for_update().get(
        centre=centre, item=item, starts_at=starts_at
    )


@transaction.atomic
def appointment_book(
    *,
    centre: ServiceCentre,
    item: Any,
    starts_at: datetime,
    actor: Any,
    now: datetime | None = None,
) -> Appointment:
    """A signed-in person books the slot starting at ``starts_at`` for ``item``. Refused when
    it is not a bookable slot (``Invalid``), when the slot is full or the person already holds
    a booking for the item that day (``Conflict``)."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise Invalid(_("Sign in to book an appointment."))
    if not item.accepts_applications:
        raise Invalid(_("This item cannot be booked."))
    day = calendar.local_date(starts_at)
    if day not in bookable_days(now=now) or starts_at not in slot_starts(day):
        raise Invalid(_("This is not a bookable time slot."))
    capacity = slot_capacity(centre=centre, item=item)
    if capacity == 0:
        raise Invalid(_("No window of this centre serves this item."))
    slot = _slot_row(centre=centre, item=item, starts_at=starts_at)
    if slot.appointments.filter(status__in=ACTIVE).count() >= capacity:
        raise Conflict(_("This time slot is fully booked."))
    start_of_day = datetime.combine(day, time.min, tzinfo=calendar.SHANGHAI)
    if Appointment.objects.filter(
        booked_by=actor,
        item=item,
        status__in=ACTIVE,
        starts_at__gte=start_of_day,
        starts_at__lt=start_of_day + timedelta(days=1),
    ).exists():
        raise Conflict(_("You already have an appointment for this item on that day."))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Appointment.objects.create(
                    slot=slot,
                    centre=centre,
                    item=item,
                    starts_at=starts_at,
                    code=_new_code(),
                    booked_by=actor,
                    booked_at=now,
                )
        except IntegrityError:
            continue
    raise Conflict()


@transaction.atomic
def appointment_cancel(*, appointment: Appointment | int, actor: Any) -> Appointment:
    """The person who booked it cancels a booking not yet checked in."""
    row = Appointment.objects.select_for_update().filter(pk=getattr(appointment, "pk", appointment))
    row = row.first()
    if row is None or row.booked_by_id != getattr(actor, "pk", None):
        raise NotFound()
    if row.status != AppointmentStatus.BOOKED:
        raise Conflict(_("This appointment can no longer be cancelled."))
    row.status = AppointmentStatus.CANCELLED
    row.save(update_fields=["status"])
    return row


@transaction.atomic
def appointment_check_in(
    *, centre: ServiceCentre, code: str, now: datetime | None = None, elder_mode: bool = False
) -> Ticket:
    """Check in at the kiosk with the appointment code: a priority ticket from 30 minutes
    before the slot to its end, an ordinary one later that day; refused earlier."""
    now = now or timezone.now()
    row = (
        Appointment.objects.select_for_update()
        .select_related("item")
        .filter(code=(code or "").strip().upper(), centre=centre)
        .first()
    )
    if row is None or row.status == AppointmentStatus.CANCELLED:
        raise NotFound(_("No appointment with this code at this centre."))
    if row.status == AppointmentStatus.CHECKED_IN:
        raise Conflict(_("This appointment has already been checked in."))
    if calendar.local_date(now) != calendar.local_date(row.starts_at):
        raise Invalid(_("This appointment is for another day."))
    opens = row.starts_at - timedelta(minutes=EARLY_CHECK_IN_MINUTES)
    if now < opens:
        raise Invalid(
            _("Too early: please check in from %(time)s.")
            % {"time": timezone.localtime(opens).strftime("%H:%M")}
        )
    on_time = now <= row.starts_at + timedelta(minutes=SLOT_MINUTES)
    ticket = queue.ticket_issue(
        centre=centre,
        item=row.item,
        priority_reason=PriorityReason.APPOINTMENT if on_time else "",
        elder_mode=elder_mode,
        now=now,
    )
    row.status = AppointmentStatus.CHECKED_IN
    row.ticket = ticket
    row.save(update_fields=["status", "ticket"])
    return ticket
