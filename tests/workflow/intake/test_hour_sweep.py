"""Hour limits swept on time, and a red handling task reminded (催办) then escalated (督办) to
the coordinating office's head (frozen time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from permits.models import Event
from tests.workflow.deadlines.helpers import case_in_review, review_tasks, sh, travel
from workflow.deadlines import calendar as cal
from workflow.deadlines import sweep

pytestmark = pytest.mark.django_db


def actions(app, action):
    return list(Event.objects.filter(application=app, action=action).order_by("pk"))


def test_an_hour_limit_is_swept_on_time_around_the_clock(work_calendar):
    world, app = case_in_review(1)
    task = review_tasks(app)[0]
    # An urgent handling task dispatched on Saturday 7 March 22:30, due in 2 hours: 00:30 Sunday.
    start = sh(2026, 3, 7, 22, 30)
    task.kind = "handling"
    task.time_limit_unit = "hour"
    task.created_at = start
    task.due_at = cal.add_time_limit(start=start, days=2, unit="hour")
    task.save()
    task.refresh_from_db()
    assert task.due_at == sh(2026, 3, 8, 0, 30)
    assert task.yellow_at == sh(2026, 3, 8, 0, 0)  # the last quarter of the 2 hours

    with travel(sh(2026, 3, 7, 23, 59)):
        assert sweep.sweep_inline(now=sh(2026, 3, 7, 23, 59)).total == 0
    with travel(sh(2026, 3, 8, 0, 1)):
        assert sweep.sweep_inline(now=sh(2026, 3, 8, 0, 1)).marked["task_yellow"] == 1
    with travel(sh(2026, 3, 8, 0, 30) - timedelta(seconds=1)):
        assert sweep.sweep_inline(now=sh(2026, 3, 8, 0, 29, 59)).total == 0
    with travel(sh(2026, 3, 8, 0, 31)):
        assert sweep.sweep_inline(now=sh(2026, 3, 8, 0, 31)).marked["task_red"] == 1
        assert sweep.sweep_inline(now=sh(2026, 3, 8, 0, 40)).total == 0

    handling_dept = task.department_id
    overdue = actions(app, "task_overdue")
    reminded = actions(app, "task_reminded")
    escalated = actions(app, "task_escalated")
    assert len(overdue) == len(reminded) == len(escalated) == 1
    assert reminded[0].department_id == handling_dept
    # 督办 goes to the coordinating office (the case's lead), naming the handling department.
    assert escalated[0].department_id == app.lead_department_id
    assert escalated[0].data["handling_department"] == handling_dept


def test_a_review_task_is_not_reminded(work_calendar):
    world, app = case_in_review(1)
    with travel(sh(2026, 3, 10, 0, 0, 1)):
        sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
    assert actions(app, "task_reminded") == []
    escalated = actions(app, "task_escalated")
    assert escalated and len(escalated) == len(actions(app, "task_overdue"))
    assert all(e.department_id != app.lead_department_id for e in escalated)
