"""Assignment, calling order, takeover and reassignment of queue tickets (centres.services)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from centres.exceptions import Conflict, Invalid, NotFound, NoWindowOpen
from centres.models import Ticket, TicketStatus
from centres.services import queue
from departments.models import Role, WindowKind, WindowStatus
from permits.choices import Category
from tests.centres.factories import build_world
from tests.workflow import factories as f
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def world():
    return build_world()


def serve(world, window, *, minutes, start, n=3):
    """``n`` tickets served at ``window`` taking ``minutes`` each, from ``start``: the window's
    recent average handling time."""
    item = world.items["lic0"]
    clock = start
    for _ in range(n):
        t = queue.ticket_issue(centre=world.centre, item=item, now=clock)
        Ticket.objects.filter(pk=t.pk).update(window=window)
        queue.ticket_call_next(window=window, actor=world.clerk, now=clock, take_over=False)
        queue.ticket_start(ticket=t, actor=world.clerk, now=clock)
        clock += timedelta(minutes=minutes)
        queue.ticket_finish(ticket=t, actor=world.clerk, now=clock)
    return clock


def test_ticket_numbers_per_letter_and_day(world):
    world.window("01", kind=WindowKind.COMPREHENSIVE)
    a1 = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))
    a2 = queue.ticket_issue(centre=world.centre, item=world.items["lic1"], now=at(1))
    d1 = queue.ticket_issue(centre=world.centre, item=world.items["soc0"], now=at(2))
    tomorrow = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(24 * 60))
    assert [a1.code, a2.code, d1.code, tomorrow.code] == ["A001", "A002", "D001", "A001"]


def test_assignment_never_picks_a_window_that_cannot_serve_the_item(world):
    social = world.window("08", categories=[Category.SOCIAL_SECURITY])
    world.window("05", categories=[Category.LICENSING], items=[world.items["lic1"]])
    licensing = world.window("06", categories=[Category.LICENSING])
    for minute in range(10):
        t = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(minute))
        # 05 lists only lic1; 08 serves social security: neither may get lic0.
        assert t.window == licensing
    s = queue.ticket_issue(centre=world.centre, item=world.items["soc0"], now=at(11))
    assert s.window == social


def test_assignment_picks_the_shortest_expected_wait(world):
    slow = world.window("05", categories=[Category.LICENSING])
    fast = world.window("06", categories=[Category.LICENSING])
    # Given 05 takes 20 minutes a ticket and 06 five, both recently.
    serve(world, slow, minutes=20, start=at(0))
    serve(world, fast, minutes=5, start=at(0))
    now = at(60)
    # When six tickets arrive, each goes where the expected wait is shortest: the first to 05
    # (both empty: the lower number), then 06 while 06's n × 5 min is below 05's 20 min, and at
    # the tie (20 min each) to the window with fewer tickets, 05.
    windows = [
        queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=now).window.number
        for _ in range(6)
    ]
    assert windows == ["05", "06", "06", "06", "06", "05"]
    loads = {
        load.window.number: load
        for load in queue.window_loads(windows=[slow, fast], centre_id=world.centre.pk, now=now)
    }
    assert loads["05"].handling_seconds == pytest.approx(20 * 60)
    assert loads["06"].handling_seconds == pytest.approx(5 * 60)


def test_ties_prefer_a_specialist_window_to_a_comprehensive_one(world):
    world.window("01", kind=WindowKind.COMPREHENSIVE)
    specialist = world.window("05", categories=[Category.LICENSING])
    t = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))
    assert t.window == specialist


def test_no_open_window_refuses_at_the_kiosk(world):
    world.window("08", categories=[Category.SOCIAL_SECURITY])
    with pytest.raises(NoWindowOpen):
        queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))


def test_priority_tickets_are_called_first_then_oldest(world):
    w = world.window("05", categories=[Category.LICENSING])
    item = world.items["lic0"]
    first = queue.ticket_issue(centre=world.centre, item=item, now=at(0))
    second = queue.ticket_issue(centre=world.centre, item=item, now=at(1))
    elderly = queue.ticket_issue(
        centre=world.centre, item=item, priority_reason="elderly", now=at(2)
    )
    booked = queue.ticket_issue(
        centre=world.centre, item=item, priority_reason="appointment", now=at(3)
    )
    order = []
    for minute in range(4, 8):
        t = queue.ticket_call_next(window=w, actor=world.clerk, now=at(minute))
        order.append(t.pk)
        queue.ticket_finish(ticket=t, actor=world.clerk, now=at(minute + 0.5))
    assert order == [elderly.pk, booked.pk, first.pk, second.pk]
    assert queue.ticket_call_next(window=w, actor=world.clerk, now=at(9)) is None


def test_a_priority_ticket_is_assigned_by_the_priority_queue(world):
    a = world.window("05", categories=[Category.LICENSING])
    b = world.window("06", categories=[Category.LICENSING])
    item = world.items["lic0"]
    for minute in range(3):
        t = queue.ticket_issue(centre=world.centre, item=item, now=at(minute))
        Ticket.objects.filter(pk=t.pk).update(window=b)
    # b holds three ordinary tickets, a none: a priority ticket waits for no one at either
    # (priority tickets go first), and the tie goes to the window with fewer tickets.
    ordinary = queue.ticket_issue(centre=world.centre, item=item, now=at(3))
    assert ordinary.window == a
    p = queue.ticket_issue(centre=world.centre, item=item, priority_reason="disabled", now=at(4))
    assert p.window == a
    # A second priority ticket queues behind the first at a, so it goes to b.
    p2 = queue.ticket_issue(centre=world.centre, item=item, priority_reason="elderly", now=at(5))
    assert p2.window == b


def test_a_window_with_nothing_waiting_takes_over_from_the_longest_capable_queue(world):
    a = world.window("05", categories=[Category.LICENSING])
    b = world.window("06", categories=[Category.LICENSING])
    c = world.window("01", kind=WindowKind.COMPREHENSIVE)
    social = world.window("08", categories=[Category.SOCIAL_SECURITY])
    item = world.items["lic0"]
    tickets = []
    for minute, target in enumerate([a, a, a, b, social]):
        t = queue.ticket_issue(
            centre=world.centre,
            item=world.items["soc0"] if target == social else item,
            now=at(minute),
        )
        Ticket.objects.filter(pk=t.pk).update(window=target)
        tickets.append(t)
    # The comprehensive window takes a's oldest (a has the longest queue).
    got = queue.ticket_call_next(window=c, actor=world.clerk, now=at(10))
    assert got.pk == tickets[0].pk and got.window == c
    # A licensing window never takes a social-security ticket.
    queue.ticket_finish(ticket=got, actor=world.clerk, now=at(11))
    Ticket.objects.filter(window__in=[a, b]).update(status=TicketStatus.DONE)
    assert queue.ticket_call_next(window=b, actor=world.clerk, now=at(12)) is None
    assert Ticket.objects.get(pk=tickets[4].pk).status == TicketStatus.WAITING


def test_call_next_refuses_while_a_ticket_is_at_the_window(world):
    w = world.window("05", categories=[Category.LICENSING])
    for minute in range(2):
        queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(minute))
    queue.ticket_call_next(window=w, actor=world.clerk, now=at(3))
    with pytest.raises(Conflict):
        queue.ticket_call_next(window=w, actor=world.clerk, now=at(4))


def test_recall_skip_transfer_finish(world):
    a = world.window("05", categories=[Category.LICENSING])
    b = world.window("06", categories=[Category.LICENSING])
    social = world.window("08", categories=[Category.SOCIAL_SECURITY])
    item = world.items["lic0"]
    t1 = queue.ticket_issue(centre=world.centre, item=item, now=at(0))
    t2 = queue.ticket_issue(centre=world.centre, item=item, now=at(1))
    assert {t1.window_id, t2.window_id} == {a.pk, b.pk}
    Ticket.objects.filter(pk__in=[t1.pk, t2.pk]).update(window=a)

    called = queue.ticket_call_next(window=a, actor=world.clerk, now=at(2))
    recalled = queue.ticket_recall(ticket=called, actor=world.clerk, now=at(3))
    assert recalled.recalls == 1 and recalled.called_at == at(3)
    skipped = queue.ticket_skip(ticket=called, actor=world.clerk, now=at(4))
    assert skipped.status == TicketStatus.SKIPPED

    nxt = queue.ticket_call_next(window=a, actor=world.clerk, now=at(5))
    with pytest.raises(Invalid):
        queue.ticket_transfer(ticket=nxt, to_window=social, actor=world.clerk, now=at(6))
    moved = queue.ticket_transfer(ticket=nxt, to_window=b, actor=world.clerk, now=at(6))
    assert moved.status == TicketStatus.TRANSFERRED and moved.window == b
    at_b = queue.ticket_call_next(window=b, actor=world.clerk, now=at(7))
    assert at_b.pk == nxt.pk
    queue.ticket_start(ticket=at_b, actor=world.clerk, now=at(7.5))
    done = queue.ticket_finish(ticket=at_b, actor=world.clerk, now=at(12))
    assert done.status == TicketStatus.DONE
    assert done.finished_at - done.started_at == timedelta(minutes=4.5)
    with pytest.raises(Conflict):
        queue.ticket_finish(ticket=at_b, actor=world.clerk, now=at(13))


def test_closing_a_window_reassigns_its_waiting_tickets(world):
    a = world.window("05", categories=[Category.LICENSING])
    b = world.window("06", categories=[Category.LICENSING])
    only_a = world.items["lic1"]
    world.window("07", categories=[Category.LICENSING], items=[only_a])
    item = world.items["lic0"]
    waiting = []
    for minute in range(4):
        t = queue.ticket_issue(centre=world.centre, item=item, now=at(minute))
        Ticket.objects.filter(pk=t.pk).update(window=a)
        waiting.append(t.pk)
    called = queue.ticket_call_next(window=a, actor=world.clerk, now=at(5))
    moved = queue.window_set_status(
        window=a, status=WindowStatus.CLOSED, actor=world.clerk, now=at(6)
    )
    assert sorted(t.pk for t in moved) == sorted(set(waiting) - {called.pk})
    # The ticket at the window stays; the waiting ones go to b (07 lists only lic1).
    assert set(
        Ticket.objects.filter(pk__in=[t.pk for t in moved]).values_list("window", flat=True)
    ) == {b.pk}
    assert Ticket.objects.get(pk=called.pk).window == a
    with pytest.raises(Conflict):
        queue.ticket_call_next(window=a, actor=world.clerk, now=at(7))


def test_pausing_the_only_capable_window_leaves_tickets_for_the_next_to_open(world):
    a = world.window("05", categories=[Category.LICENSING])
    t = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))
    queue.window_set_status(window=a, status=WindowStatus.PAUSED, actor=world.clerk, now=at(1))
    assert Ticket.objects.get(pk=t.pk).window is None
    queue.window_set_status(window=a, status=WindowStatus.OPEN, actor=world.clerk, now=at(2))
    assert queue.ticket_call_next(window=a, actor=world.clerk, now=at(3)).pk == t.pk


def test_a_clerk_of_another_centre_cannot_call(world):
    a = world.window("05", categories=[Category.LICENSING])
    other = build_world(licensing_items=0, social_items=0)
    queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))
    with pytest.raises(NotFound):
        queue.ticket_call_next(window=a, actor=other.clerk, now=at(1))
    with pytest.raises(NotFound):
        queue.window_set_status(window=a, status="closed", actor=other.clerk, now=at(1))


def test_the_case_entered_for_a_called_ticket_is_recorded_on_it(world):
    from tests.workflow import journey

    window = world.window("05", categories=[Category.LICENSING])
    ticket = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))
    queue.ticket_call_next(window=window, actor=world.clerk, now=at(1))
    app = journey.new_case(journey.build_world(0))
    # A code no window of this clerk has called today links nothing; a clerk of another
    # centre cannot link this one.
    assert (
        queue.ticket_link_case(code="Z999", actor=world.clerk, application=app, now=at(2)) is None
    )
    stranger = f.staff(f.department(), Role.CLERK)
    assert (
        queue.ticket_link_case(code=ticket.code, actor=stranger, application=app, now=at(2)) is None
    )
    linked = queue.ticket_link_case(
        code=ticket.code.lower(), actor=world.clerk, application=app, now=at(2)
    )
    assert linked.pk == ticket.pk and linked.application == app
    done = queue.ticket_finish(ticket=ticket, actor=world.clerk, now=at(10))
    assert done.application == app  # finishing the visit keeps the case
