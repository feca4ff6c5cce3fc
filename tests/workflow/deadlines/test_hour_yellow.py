"""The yellow card of hour limits (urgent matters) is proportional: the last quarter of the
time from the clock's start to its due (``DEADLINE_YELLOW_HOUR_SHARE``), frozen time.

Worked example (docs/deadlines.md): an urgent noise complaint filed on Saturday 7 March 2026 at
22:30 is dispatched at once with the urgent limit of 2 hours, around the clock: the handling
task is due Sunday 00:30 and turns yellow at 00:00; the case (answered within 2 hours of its
submission) likewise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workflow.deadlines.helpers import sh, travel
from tests.workflow.journey import open_task
from tests.workflow.process_journey import build_process_world, dispatch
from workflow import services
from workflow.deadlines import calendar as cal
from workflow.deadlines import clocks, sweep

pytestmark = pytest.mark.django_db

OPENED = sh(2026, 3, 7, 22, 30)


def test_the_threshold_is_a_share_of_the_hour_limit(settings):
    due = OPENED + timedelta(hours=2)
    assert clocks.yellow_threshold(due, cal.HOUR, start=OPENED) == sh(2026, 3, 8, 0, 0)
    day = OPENED + timedelta(hours=24)
    assert clocks.yellow_threshold(day, cal.HOUR, start=OPENED) == OPENED + timedelta(hours=18)
    # Without a start: DEADLINE_YELLOW_HOURS before the due.
    assert clocks.yellow_threshold(due, cal.HOUR) == due - timedelta(hours=1)
    # Configurable: half the limit.
    settings.DEADLINE_YELLOW_HOUR_SHARE = 0.5
    assert clocks.yellow_threshold(due, cal.HOUR, start=OPENED) == OPENED + timedelta(hours=1)
    settings.DEADLINE_YELLOW_HOURS = 2
    assert clocks.yellow_threshold(due, cal.HOUR) == OPENED


def test_day_units_keep_the_working_day_rule(work_calendar):
    # Due Monday 9 March end of day → yellow from the end of Friday 6 March (1 working day).
    due = sh(2026, 3, 9, 23, 59, 59)
    start = sh(2026, 3, 2)
    assert clocks.yellow_threshold(due, cal.WORKING_DAY, start=start) == sh(2026, 3, 6, 23, 59, 59)


def test_an_urgent_case_and_its_handling_task_turn_yellow_in_the_last_quarter(work_calendar):
    with travel(OPENED):
        world = build_process_world(1)
        (dept,) = world.departments
        app = services.application_create(
            actor=world.citizen, item=world.item, form={"summary": "深夜工地施工噪声"}
        )
        app.urgency = "urgent"
        app.request_kind = "complaint"
        app.save()
        services.application_submit(actor=world.citizen, application=app)
        dispatch(world, app, dept)
        app.refresh_from_db()
        task = open_task(app, kind="handling", department=dept)

    assert task.time_limit_unit == cal.HOUR
    assert task.due_at == sh(2026, 3, 8, 0, 30)
    assert task.yellow_at == sh(2026, 3, 8, 0, 0)
    assert app.due_at == sh(2026, 3, 8, 0, 30)  # answered within 2 hours of the submission
    assert app.yellow_at == sh(2026, 3, 8, 0, 0)

    with travel(sh(2026, 3, 7, 23, 59)):
        assert clocks.clock_state(task)["status"] == "green"
        result = sweep.sweep_inline(now=sh(2026, 3, 7, 23, 59))
        assert result.total == 0
    with travel(sh(2026, 3, 8, 0, 1)):
        assert clocks.clock_state(task)["status"] == "yellow"
        result = sweep.sweep_inline(now=sh(2026, 3, 8, 0, 1))
        assert result.marked["task_yellow"] == 1
        assert result.marked["case_yellow"] == 1
    task.refresh_from_db()
    app.refresh_from_db()
    assert task.warning == "yellow" and app.warning == "yellow"
