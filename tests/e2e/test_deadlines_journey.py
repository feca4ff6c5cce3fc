"""In the browser: a task turns yellow, then red, on the supervision board (and on the staff
inbox, once that page uses the clock badge) as its clock is moved and the sweep runs; the
department head finds the escalation in the notification centre."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.models import Role
from notifications import services as notification_services
from permits.models import Event
from tests.e2e.conftest import assert_accessible, login, url
from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, submitted_case
from workflow.deadlines import calendar, sweep
from workflow.models import CaseTask

PASSWORD = "pw-123456"  # the factories' password


def _sweep_now_and_notify(app) -> None:
    """What beat and the worker do every minute, done here: sweep, follow-ups, notices."""
    sweep.sweep_inline(now=timezone.now())
    for event in Event.objects.filter(application=app).order_by("pk"):
        notification_services.notify_for_event(event_id=event.pk)


def _move_clock(task: CaseTask, due) -> None:
    task.refresh_from_db()
    task.due_at = due
    task.save()  # the yellow threshold follows the due (workflow.deadlines.clocks)


@pytest.mark.django_db(transaction=True)
def test_task_turns_yellow_then_red_and_the_head_is_told(page, live_server, shot):
    calendar.calendar_seed(years=[2026])
    calendar.invalidate_local()
    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    dept = world.departments[0]
    head = f.staff(dept, Role.HEAD)
    task = CaseTask.objects.get(application=app, kind="review")

    login(page, live_server, head.get_username(), PASSWORD)
    board = url(live_server, "deadlines:supervision")
    page.goto(board)
    row = page.locator(f'[data-testid="supervision-counts"] tr[data-department="{dept.pk}"]')
    assert row.locator('[data-count="green"]').inner_text() == "1"
    shot(page, "board-green")

    # The clock moves: due at the end of today → one working day left → yellow.
    _move_clock(task, calendar.end_of_day(calendar.local_date(timezone.now())))
    _sweep_now_and_notify(app)
    page.goto(board + "?warning=yellow")
    assert row.locator('[data-count="yellow"]').inner_text() == "1"
    yellow_row = page.locator(f'[data-testid="supervision-tasks"] tr[data-task="{task.pk}"]')
    assert yellow_row.get_attribute("data-warning") == "yellow"
    assert yellow_row.locator('[data-clock="yellow"]').count() == 1
    shot(page, "board-yellow")
    # The department's queue shows it yellow too, with the working days left.
    page.goto(url(live_server, "workflow:queue"))
    queue_row = page.locator(f'tr[data-task="{task.pk}"]')
    assert queue_row.locator(".os-warning-yellow").count() == 1
    assert "剩余 1 个工作日" in queue_row.locator("[data-clock-text]").inner_text()
    shot(page, "queue-yellow")

    # The clock moves past the due → red, a red card, escalation to the head.
    _move_clock(task, timezone.now() - timedelta(minutes=1))
    _sweep_now_and_notify(app)
    page.goto(board)
    assert row.locator('[data-count="red"]').inner_text() == "1"
    red_row = page.locator(f'[data-testid="supervision-tasks"] tr[data-task="{task.pk}"]')
    assert red_row.get_attribute("data-warning") == "red"
    assert app.number in red_row.inner_text()
    shot(page, "board-red")
    page.goto(url(live_server, "workflow:queue"))
    queue_row = page.locator(f'tr[data-task="{task.pk}"]')
    assert queue_row.locator(".os-warning-red").count() == 1
    assert "已超期" in queue_row.locator("[data-clock-text]").inner_text()
    page.goto(board)
    assert_accessible(page)

    # The header counts the unread notices; the centre shows the escalation.
    assert page.locator('[data-testid="notifications-unread"]').count() == 1
    page.click('[data-testid="notifications-link"]')
    notices = page.locator('[data-testid="notification-list"] li[data-kind="escalated"]')
    assert notices.count() == 1
    assert app.number in notices.first.inner_text()
    assert "督办" in notices.first.inner_text()
    shot(page, "notification-centre")
    assert_accessible(page)
    page.click("text=全部标为已读")
    assert page.locator('[data-testid="notifications-unread"]').count() == 0
