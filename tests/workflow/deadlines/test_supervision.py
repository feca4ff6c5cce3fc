"""The supervision board (电子监察): a head sees their department, a supervisor their region;
counts by warning, the overdue list with who holds each task, performance, CSV export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Role
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import case_in_review, review_tasks, sh, travel
from tests.workflow.journey import approve_department
from workflow import services
from workflow.deadlines import sweep

pytestmark = pytest.mark.django_db

URL = "/office/supervision/"


def board(client, user, **params):
    client.force_login(user)
    return client.get(URL, {"start": "2026-03-01", "end": "2026-03-31", **params})


def test_only_heads_supervisors_and_superusers_open_the_board(work_calendar, client):
    world, app = case_in_review(1)
    assert reverse("deadlines:supervision") == URL
    client.force_login(world.reviewer(world.departments[0]))
    assert client.get(URL).status_code == 403
    client.force_login(world.citizen)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_counts_and_overdue_list_follow_the_sweep(work_calendar, client):
    world, app = case_in_review(2)
    first, second = world.departments
    head = f.staff(first, Role.HEAD)
    reviewer = world.reviewer(first)
    with travel(sh(2026, 3, 3)):
        services.task_claim(task=review_tasks(app)[0], actor=reviewer)
    with travel(sh(2026, 3, 10, 9)):
        page = board(client, head)
        counts = page.context["counts"]
        assert [(r["department_id"], r["green"], r["red"]) for r in counts] == [(first.pk, 1, 0)]
        sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
        page = board(client, head)
    counts = page.context["counts"]
    # The head sees their own department only, now red.
    assert [(r["department_id"], r["green"], r["yellow"], r["red"]) for r in counts] == [
        (first.pk, 0, 0, 1)
    ]
    tasks = page.context["tasks"]
    assert [t.department_id for t in tasks] == [first.pk]
    html = page.content.decode()
    assert app.number in html and reviewer.get_username() in html
    assert 'data-clock="red"' in html
    # The red card is counted against the department in the period.
    by_department = page.context["by_department"]
    assert by_department == [] or all(r["id"] == first.pk for r in by_department)


def test_a_supervisor_sees_every_department_of_the_region(work_calendar, client):
    world, app = case_in_review(2)
    watcher = f.supervisor(world.lead.region, f.department())
    sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
    with travel(sh(2026, 3, 10, 9)):
        page = board(client, watcher)
    assert {r["department_id"] for r in page.context["counts"]} == {d.pk for d in world.departments}
    assert len(page.context["tasks"]) == 2
    # A department outside the scope cannot be asked for.
    outsider = f.department(reg=f.region("445381", "罗定市", level="county"))
    with travel(sh(2026, 3, 10, 9)):
        narrowed = board(client, f.staff(outsider, Role.HEAD), department=world.departments[0].pk)
    assert narrowed.context["counts"] == []
    assert narrowed.context["tasks"] == []


def test_performance_and_csv_export(work_calendar, client):
    world, app = case_in_review(2)
    first, second = world.departments
    with travel(sh(2026, 3, 4)):  # on time
        approve_department(world, app, first)
    sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))  # the second is overdue: a red card
    with travel(sh(2026, 3, 11)):  # late
        approve_department(world, app, second)
    watcher = f.supervisor(world.lead.region, f.department())
    with travel(sh(2026, 3, 12)):
        page = board(client, watcher)
        rows = {r["id"]: r for r in page.context["by_department"]}
        assert rows[first.pk]["done"] == 1 and rows[first.pk]["on_time_rate"] == 100.0
        assert rows[second.pk]["on_time"] == 0 and rows[second.pk]["on_time_rate"] == 0.0
        assert rows[second.pk]["red_cards"] == 1 and rows[first.pk]["red_cards"] == 0
        assert rows[first.pk]["avg_days"] == 2.0  # Mon 2 March 10:00 → Wed 4 March 10:00
        # Per item: the acceptance (on time) and the two reviews (one late).
        items = page.context["by_item"]
        assert items[0]["done"] == 3 and items[0]["on_time_rate"] == 66.7
        csv = board(client, watcher, export="departments")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert first.name in text and second.name in text


def test_board_queries_do_not_grow_with_tasks(work_calendar, client, django_assert_max_num_queries):
    world, app = case_in_review(1)
    watcher = f.supervisor(world.lead.region, f.department())
    client.force_login(watcher)
    client.get(URL)  # warm the session and the calendar cache
    for _ in range(3):
        case_in_review(1)
    sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
    # 24 since the process-centred and repeated-calls panels (two queries each, constant); 29
    # with the ratings panel (evaluations: its scope 1, figures 2, the 差评 list 1, comments
    # waiting 1); 31 with the service centres' queue panel (its centres and their tickets: two,
    # constant); 34 with the statistics' headline panel (its scope 1, the daily counters 1, the
    # concluded cases' sums 1: read models, constant).
    with travel(sh(2026, 3, 10, 9)), django_assert_max_num_queries(34) as ctx:
        page = client.get(URL)
    assert len(page.context["tasks"]) == 4
    few = len(ctx.captured_queries)
    for _ in range(4):
        case_in_review(1)
    sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 2))
    with travel(sh(2026, 3, 10, 9)), django_assert_max_num_queries(few) as ctx:
        page = client.get(URL)
    assert len(page.context["tasks"]) == 8


def test_the_board_counts_tasks_as_tasks_and_cases_as_cases(work_calendar, client):
    """Issue 14 item 5: one case with three completed tasks showed "已办结 3". Tasks are called
    tasks, and the cases they belong to are counted once each."""
    from django.utils import translation

    world, app = case_in_review(2)
    first, second = world.departments
    with travel(sh(2026, 3, 4)):
        approve_department(world, app, first)
    watcher = f.supervisor(world.lead.region, f.department())
    with travel(sh(2026, 3, 5)), translation.override("zh-hans"):
        page = board(client, watcher)
    item_row = page.context["by_item"][0]
    assert (item_row["done"], item_row["cases"], item_row["concluded"]) == (2, 1, 0)
    open_rows = page.context["counts"]
    assert [(r["total"], r["cases"]) for r in open_rows] == [(1, 1)]
    html = page.content.decode()
    assert "完成任务数" in html and "涉及办件数" in html and "办结办件数" in html
    assert "已办结" not in html
