"""The sweep on whatever database the suite runs on: PostgreSQL in CI; SQLite (the demo's
engine, without SKIP LOCKED) when DATABASE_URL is unset."""

import pytest

from permits.models import Event
from tests.workflow.deadlines.helpers import case_in_review, marks, review_tasks, sh
from workflow.deadlines import sweep

pytestmark = pytest.mark.django_db


def test_sweep_marks_once_on_the_configured_database(work_calendar):
    world, app = case_in_review(1)
    assert sweep.sweep_inline(now=sh(2026, 3, 7, 0, 0, 1)).marked["task_yellow"] == 1
    assert sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1)).marked["task_red"] == 1
    assert sweep.sweep_inline(now=sh(2026, 3, 10, 0, 5)).total == 0
    assert review_tasks(app)[0].warning == "red"
    assert [m.threshold for m in marks(app)] == ["yellow", "red", "escalated"]
    assert Event.objects.filter(application=app, action="task_escalated").count() == 1


def test_bulk_follow_up_on_the_configured_database(work_calendar):
    from workflow.deadlines import followup

    world, app = case_in_review(2)
    assert followup.sweep_inline(now=sh(2026, 3, 7, 0, 0, 1)).marked["task_yellow"] == 2
    assert followup.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1)).marked["task_red"] == 2
    assert followup.sweep_inline(now=sh(2026, 3, 10, 0, 5)).total == 0
    assert [t.warning for t in review_tasks(app)] == ["red", "red"]
    assert (
        sorted(m.threshold for m in marks(app)) == ["escalated"] * 2 + ["red"] * 2 + ["yellow"] * 2
    )
    assert all(m.processed_at is not None for m in marks(app))
    assert Event.objects.filter(application=app, action="task_warning").count() == 2
    assert Event.objects.filter(application=app, action="task_overdue").count() == 2
    assert Event.objects.filter(application=app, action="task_escalated").count() == 2
