"""Two clerks pressing "call next" at the same moment, on PostgreSQL: real threads, each with
its own database connection. The calls read the queues with ``SELECT … FOR UPDATE SKIP
LOCKED``, so they never get the same ticket, and one never waits for the other's."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection

from centres.models import Ticket, TicketStatus
from centres.services import queue
from departments.models import WindowKind
from permits.choices import Category
from tests.centres.factories import build_world
from tests.concurrency import Workers, fresh
from workflow.deadlines.calendar import SHANGHAI

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
RUNS = 100


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture
def workers():
    w = Workers(2)
    yield w
    w.stop()


def test_two_clerks_calling_next_never_get_the_same_ticket_100_of_100(workers):
    # Given two licensing windows sharing one queue's worth of tickets (all assigned to the
    # first), and a second clerk at the second window who has nothing of their own: the first
    # calls its own queue, the second takes over from it, at the same moment.
    world = build_world(licensing_items=1, social_items=0)
    own = world.window("05", categories=[Category.LICENSING])
    other = world.window("06", categories=[Category.LICENSING])
    second_clerk = world.clerk_of_centre("clerk-b")
    item = world.items["lic0"]
    clerks = [fresh(world.clerk), fresh(second_clerk)]
    got_pairs = []
    for run in range(RUNS):
        now = T0 + timedelta(minutes=run)
        # One waiting ticket in odd runs (exactly one clerk gets it), two in even runs.
        issued = []
        for _ in range(2 if run % 2 == 0 else 1):
            t = queue.ticket_issue(centre=world.centre, item=item, now=now)
            issued.append(t.pk)
        Ticket.objects.filter(pk__in=issued).update(window=own)
        results = workers.run(
            lambda now=now: queue.ticket_call_next(window=own, actor=clerks[0], now=now),
            lambda now=now: queue.ticket_call_next(window=other, actor=clerks[1], now=now),
        )
        for result in results:
            assert not isinstance(result, BaseException), result
        got = [r.pk for r in results if r is not None]
        assert len(got) == len(set(got)) == len(issued), (run, got, issued)
        assert set(got) == set(issued)
        got_pairs.append(len(got))
        for r in results:
            if r is not None:
                queue.ticket_finish(ticket=r.pk, actor=world.clerk, now=now)
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == sum(got_pairs) == 150


def test_two_windows_taking_over_from_a_long_queue_never_share_a_ticket_100_of_100(workers):
    # Given a long queue at a third window and two comprehensive windows with nothing waiting:
    # both take over from it at the same moment.
    world = build_world(licensing_items=1, social_items=0)
    long_queue = world.window("05", categories=[Category.LICENSING])
    a = world.window("01", kind=WindowKind.COMPREHENSIVE)
    b = world.window("02", kind=WindowKind.COMPREHENSIVE)
    second_clerk = world.clerk_of_centre("clerk-c")
    item = world.items["lic0"]
    clerks = [fresh(world.clerk), fresh(second_clerk)]
    for run in range(RUNS):
        now = T0 + timedelta(minutes=run)
        issued = [queue.ticket_issue(centre=world.centre, item=item, now=now).pk for _ in range(3)]
        Ticket.objects.filter(pk__in=issued).update(window=long_queue)
        results = workers.run(
            lambda now=now: queue.ticket_call_next(window=a, actor=clerks[0], now=now),
            lambda now=now: queue.ticket_call_next(window=b, actor=clerks[1], now=now),
        )
        for result in results:
            assert not isinstance(result, BaseException), result
        got = [r.pk for r in results]
        assert len(set(got)) == 2 and set(got) <= set(issued), (run, got)
        # Oldest first: between them they took the two oldest.
        assert set(got) == set(issued[:2])
        for r in results:
            queue.ticket_finish(ticket=r.pk, actor=world.clerk, now=now)
        Ticket.objects.filter(pk__in=issued, status=TicketStatus.WAITING).update(
            status=TicketStatus.SKIPPED
        )


def test_concurrent_bookings_never_exceed_a_slots_capacity():
    # Given a slot of capacity 2 (two licensing windows) and four people booking it at the
    # same moment, twenty times over (a new slot each time): exactly two get it each time.
    from centres.models import Appointment
    from centres.services import appointments
    from tests.departments.factories import UserFactory

    world = build_world(licensing_items=1, social_items=0)
    world.window("05", categories=[Category.LICENSING])
    world.window("06", categories=[Category.LICENSING])
    item = world.items["lic0"]
    now = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
    starts = [s for d in appointments.bookable_days(now=now) for s in appointments.slot_starts(d)][
        :20
    ]
    people = [fresh(UserFactory()) for _ in range(4)]
    pool = Workers(4)
    try:
        for slot in starts:
            results = pool.run(
                *[
                    lambda person=person, slot=slot: appointments.appointment_book(
                        centre=world.centre, item=item, starts_at=slot, actor=person, now=now
                    )
                    for person in people
                ]
            )
            won = [r for r in results if isinstance(r, Appointment)]
            lost = [r for r in results if not isinstance(r, Appointment)]
            assert len(won) == 2, results
            assert all(type(r).__name__ == "Conflict" for r in lost), lost
            assert Appointment.objects.filter(starts_at=slot).count() == 2
            # Free the people for the next slot's day (one booking per item and day).
            Appointment.objects.filter(starts_at=slot).update(status="cancelled")
    finally:
        pool.stop()
