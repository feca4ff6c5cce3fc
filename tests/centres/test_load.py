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
