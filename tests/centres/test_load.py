"""Load figures per window and hour, the busy hours' standby-window estimate, and the
supervision board's panel."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from centres import load
from centres.services import queue
from departments.models import Role
from departments.services import staff_role_grant
from permits.choices import Category
from tests.centres.factories import build_world
from tests.departments.factories import UserFactory
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

NINE = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


@pytest.fixture
def busy_morning():
    """One licensing window, 12 tickets at 09:00 taking 10 minutes each: the last waits 110
    minutes; one more ticket at 10:30."""
    world = build_world(licensing_items=1, social_items=0)
    window = world.window("05", categories=[Category.LICENSING])
    item = world.items["lic0"]
    for _ in range(12):
        queue.ticket_issue(centre=world.centre, item=item, now=at(0))
    clock = 0
    late = None
    while True:
        if clock >= 90 and late is None:
            late = queue.ticket_issue(centre=world.centre, item=item, now=at(90))
        t = queue.ticket_call_next(window=window, actor=world.clerk, now=at(clock))
        if t is None:
            break
        queue.ticket_finish(ticket=t, actor=world.clerk, now=at(clock + 10))
        clock += 10
    return world, window


def test_window_hours(busy_morning):
    world, window = busy_morning
    hours = load.window_hours(centre=world.centre, day=NINE.date())[window.pk]
    nine, ten, eleven = (NINE + timedelta(hours=h) for h in range(3))
    assert hours[nine].served == 5  # finished 09:10 … 09:50
    assert hours[nine].handling_s == 3600 and hours[nine].idle_s == 0
    assert hours[ten].served == 6
    # 11:00 and 11:10 (the 10:30 ticket, called at 11:00); handling 11:00–11:10.
    assert hours[eleven].served == 2 and hours[eleven].handling_s == 600
    assert hours[eleven].idle_s == 3000
    assert hours[nine].waits[:2] == [0.0, 600.0]


def test_busy_hours_and_how_many_more_windows(busy_morning):
    world, _ = busy_morning
    data = load.heat_map(centre_ids=[world.centre.pk], start=NINE.date(), end=NINE.date())
    busy = {row.hour.hour: row for row in data["busy"]}
    # 09:00: twelve tickets, the p90 waited 100 minutes; 10:00: the 10:30 ticket waited 30
    # minutes behind the six still waiting at 10:00.
    assert set(busy) == {9, 10}
    nine, ten = busy[9], busy[10]
    assert (nine.arrivals, nine.backlog, len(nine.windows)) == (12, 0, 1)
    assert nine.p90_s == 100 * 60
    assert (ten.arrivals, ten.backlog, ten.p90_s) == (1, 6, 30 * 60)
    # 09:00: 12 visits of 10 minutes in the hour need 3 windows (2 would be saturated; with 3
    # the steady p90 wait is just under 15 minutes): 2 more. 10:00: six waiting at the start
    # need 4 windows to be cleared within 15 minutes: 3 more.
    assert load.windows_needed(arrivals=12, backlog=0, handling_s=600) == 3
    assert nine.extra_windows == 2
    assert load.windows_needed(arrivals=1, backlog=6, handling_s=600) == 4
    assert ten.extra_windows == 3
    cells = {c["hour"]: c for c in data["days"][0]["cells"]}
    assert cells[9]["level"] == "high" and cells[12]["level"] == "none"


def test_windows_needed_grows_with_arrivals_and_backlog():
    light = load.windows_needed(arrivals=10, backlog=0, handling_s=300)
    heavy = load.windows_needed(arrivals=60, backlog=0, handling_s=300)
    backlog = load.windows_needed(arrivals=60, backlog=40, handling_s=300)
    assert 1 <= light < heavy < backlog
    assert heavy >= 5  # 60 visits of 5 minutes need five windows' hour at least


def test_the_board_shows_the_panel_to_supervisors_of_the_centre(busy_morning, client):
    world, _ = busy_morning
    watcher = UserFactory()
    staff_role_grant(
        actor=None,
        user=watcher,
        department=world.centre.department,
        role=Role.SUPERVISOR,
        region=world.centre.region,
    )
    client.force_login(watcher)
    page = client.get("/office/supervision/", {"start": "2026-12-01", "end": "2026-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="queue-load-panel"' in html and 'data-testid="queue-busy-hours"' in html
    assert world.centre.name in html


# --- A transferred visit: each window's part ------------------------------------------------


@pytest.fixture
def transferred_visit():
    """One ticket issued 09:00 at window 05 (licensing): called 09:05, served until 09:15 and
    transferred to the comprehensive window 01, which calls it at 09:25 and finishes at 09:45."""
    world = build_world(licensing_items=1, social_items=0)
    first = world.window("05", categories=[Category.LICENSING])
    second = world.window("01", kind="comprehensive")
    second.status = "paused"  # so the ticket is assigned to 05 at first
    second.save(update_fields=["status"])
    ticket = queue.ticket_issue(centre=world.centre, item=world.items["lic0"], now=at(0))
    assert ticket.window == first
    second.status = "open"
    second.save(update_fields=["status"])
    queue.ticket_call_next(window=first, actor=world.clerk, now=at(5))
    queue.ticket_start(ticket=ticket, actor=world.clerk, now=at(6))
    queue.ticket_transfer(ticket=ticket, to_window=second, actor=world.clerk, now=at(15))
    called = queue.ticket_call_next(window=second, actor=world.clerk, now=at(25))
    assert called.pk == ticket.pk
    queue.ticket_finish(ticket=ticket, actor=world.clerk, now=at(45))
    return world, first, second, ticket


def test_a_transferred_visit_counts_each_windows_part(transferred_visit):
    world, first, second, ticket = transferred_visit
    hours = load.window_hours(centre=world.centre, day=NINE.date())
    # The first window handled it from the start at 09:06 until the transfer at 09:15, after
    # a wait of 5 minutes; it did not finish the visit.
    assert hours[first.pk][NINE].handling_s == 9 * 60
    assert hours[first.pk][NINE].waits == [5 * 60.0]
    assert hours[first.pk][NINE].served == 0
    # The second window: waited in its queue from 09:15 to 09:25 (not from 09:00: the first
    # window's handling is no wait), handled 09:25–09:45 and finished it.
    assert hours[second.pk][NINE].waits == [10 * 60.0]
    assert hours[second.pk][NINE].handling_s == 20 * 60
    assert hours[second.pk][NINE].served == 1


def test_a_transferred_visit_records_the_first_windows_part(transferred_visit):
    world, first, second, ticket = transferred_visit
    (part,) = ticket.transfers_made.all()
    assert (part.from_window, part.to_window, part.served_by) == (first, second, world.clerk)
    assert (part.called_at, part.started_at, part.transferred_at) == (at(5), at(6), at(15))


def test_the_centres_waits_leave_out_the_handling_before_a_transfer(transferred_visit):
    world, *_ = transferred_visit
    (row,) = load.centre_hours(centre_ids=[world.centre.pk], start=NINE.date(), end=NINE.date())
    # The visitor waited 5 minutes for the first window and 10 for the second: 15, not the 25
    # minutes from the issue to the second call.
    assert row.waits == [15 * 60.0]
    assert sorted(row.handling) == [9 * 60.0, 20 * 60.0]


def test_the_recent_handling_time_counts_the_part_before_a_transfer(transferred_visit):
    world, first, second, _ = transferred_visit
    item = world.items["lic0"]
    # Two more visits of 9 minutes at the first window make its three recent parts.
    for start in (50, 60):
        t = queue.ticket_issue(centre=world.centre, item=item, now=at(start))
        t.window = first
        t.save(update_fields=["window"])
        queue.ticket_call_next(window=first, actor=world.clerk, now=at(start), take_over=False)
        queue.ticket_start(ticket=t, actor=world.clerk, now=at(start))
        queue.ticket_finish(ticket=t, actor=world.clerk, now=at(start + 9))
    per_window, _centre = queue.recent_handling(centre_id=world.centre.pk, now=at(80))
    assert per_window[first.pk] == 9 * 60


def test_the_admin_shows_a_tickets_transfers_read_only(transferred_visit, admin_client):
    _world, first, second, ticket = transferred_visit
    page = admin_client.get(f"/admin/centres/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "transfers_made-group" in html and str(first) in html and str(second) in html
