"""Appointments (预约): slots and their capacity, booking rules, check-in at the kiosk."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from centres.exceptions import Conflict, Invalid, NotFound
from centres.models import AppointmentStatus
from centres.services import appointments, queue
from departments.models import WindowKind, WindowStatus
from permits.choices import Category
from tests.centres.factories import build_world
from tests.departments.factories import UserFactory
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)  # a Friday
MONDAY_NINE = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def world():
    w = build_world()
    w.window("05", categories=[Category.LICENSING])
    w.window("06", categories=[Category.LICENSING])
    w.window("08", categories=[Category.SOCIAL_SECURITY])
    return w


def test_slots_are_half_hours_of_working_days_with_capacity_from_capable_windows(world):
    item = world.items["lic0"]
    days = appointments.bookable_days(now=NOW)
    assert days[0] == MONDAY_NINE.date()  # the weekend is skipped
    slots = appointments.slots(centre=world.centre, item=item, day=MONDAY_NINE.date())
    starts = [s["starts_at"].strftime("%H:%M") for s in slots]
    assert starts[:2] == ["09:00", "09:30"] and starts[-1] == "16:30" and "12:00" not in starts
    assert {s["capacity"] for s in slots} == {2}  # 05 and 06 serve licensing, 08 does not
    world.window("01", kind=WindowKind.COMPREHENSIVE)
    assert appointments.slot_capacity(centre=world.centre, item=item) == 3
    world.windows["06"].status = WindowStatus.CLOSED
    world.windows["06"].save()
    assert appointments.slot_capacity(centre=world.centre, item=item) == 2


def test_booking_is_refused_when_full_twice_or_off_slot(world):
    item = world.items["lic0"]
    people = [UserFactory() for _ in range(3)]
    first = appointments.appointment_book(
        centre=world.centre, item=item, starts_at=MONDAY_NINE, actor=people[0], now=NOW
    )
    assert len(first.code) == 6 and first.status == AppointmentStatus.BOOKED
    with pytest.raises(Conflict):  # one per person, item and day
        appointments.appointment_book(
            centre=world.centre,
            item=item,
            starts_at=MONDAY_NINE + timedelta(hours=1),
            actor=people[0],
            now=NOW,
        )
    appointments.appointment_book(
        centre=world.centre, item=item, starts_at=MONDAY_NINE, actor=people[1], now=NOW
    )
    with pytest.raises(Conflict):  # capacity 2
        appointments.appointment_book(
            centre=world.centre, item=item, starts_at=MONDAY_NINE, actor=people[2], now=NOW
        )
    for bad in (MONDAY_NINE + timedelta(minutes=10), MONDAY_NINE.replace(hour=12), NOW):
        with pytest.raises(Invalid):
            appointments.appointment_book(
                centre=world.centre, item=item, starts_at=bad, actor=people[2], now=NOW
            )
    appointments.appointment_cancel(appointment=first, actor=people[0])
    appointments.appointment_book(
        centre=world.centre, item=item, starts_at=MONDAY_NINE, actor=people[2], now=NOW
    )


def test_check_in_gives_a_priority_ticket_at_its_time(world):
    item = world.items["lic0"]
    booking = appointments.appointment_book(
        centre=world.centre, item=item, starts_at=MONDAY_NINE, actor=UserFactory(), now=NOW
    )
    early = MONDAY_NINE - timedelta(minutes=45)
    with pytest.raises(Invalid):
        appointments.appointment_check_in(centre=world.centre, code=booking.code, now=early)
    walk_in = queue.ticket_issue(centre=world.centre, item=item, now=MONDAY_NINE)
    ticket = appointments.appointment_check_in(
        centre=world.centre, code=booking.code.lower(), now=MONDAY_NINE + timedelta(minutes=5)
    )
    assert ticket.priority and ticket.priority_reason == "appointment"
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CHECKED_IN and booking.ticket == ticket
    with pytest.raises(Conflict):
        appointments.appointment_check_in(centre=world.centre, code=booking.code, now=MONDAY_NINE)
    # The booked visitor is called before the walk-in who came earlier, at the same window.
    window = ticket.window
    walk_in.window = window
    walk_in.save()
    called = queue.ticket_call_next(window=window, actor=world.clerk, now=MONDAY_NINE)
    assert called.pk == ticket.pk


def test_a_late_check_in_gives_an_ordinary_ticket_and_a_wrong_code_none(world):
    item = world.items["lic0"]
    booking = appointments.appointment_book(
        centre=world.centre, item=item, starts_at=MONDAY_NINE, actor=UserFactory(), now=NOW
    )
    ticket = appointments.appointment_check_in(
        centre=world.centre, code=booking.code, now=MONDAY_NINE + timedelta(hours=2)
    )
    assert not ticket.priority
    with pytest.raises(NotFound):
        appointments.appointment_check_in(centre=world.centre, code="ZZZZZZ", now=MONDAY_NINE)
