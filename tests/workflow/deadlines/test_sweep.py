"""The deadline sweep: each threshold acted on exactly once, across repeated and concurrent
sweeps; deemed approval lets the parallel join complete; the sweep reads only due rows through
its partial indexes. The demo's beat sweeps its SQLite file, so the behaviour runs on either
database; the plan (EXPLAIN) and the concurrent sweeps (SKIP LOCKED) are PostgreSQL's."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from permits.models import Event
from tests.workflow.deadlines.helpers import (
    case_in_review,
    eod,
    marks,
    participations,
    recorded,
    review_tasks,
    sh,
    travel,
)
from workflow.deadlines import followup, sweep
from workflow.models import CaseTask, DeadlineMark, MarkingBatch, TaskDeadline

pytestmark = pytest.mark.django_db


def actions(app, action):
    return list(Event.objects.filter(application=app, action=action).order_by("pk"))


def test_clock_columns_of_a_case_in_review(work_calendar):
    world, app = case_in_review(2)
    tasks = review_tasks(app)
    assert len(tasks) == 2
    for task in tasks:
        # 5 working days after Mon 2 March: Tue 3 … Mon 9 March; yellow the day before.
        assert task.due_at == eod(2026, 3, 9)
        assert task.yellow_at == eod(2026, 3, 6)
    assert app.due_at == eod(2026, 3, 16)
    assert app.legal_due_at == eod(2026, 3, 30)
    assert app.yellow_at == eod(2026, 3, 13)


def test_yellow_then_red_then_escalation_each_exactly_once(work_calendar):
    world, app = case_in_review(2)

    # Friday 6 March, noon: two working days left (Fri, Mon) → nothing.
    assert sweep.sweep_inline(now=sh(2026, 3, 6, 12)).total == 0

    # Saturday 7 March, just after midnight: one working day (Mon 9) left → yellow, once.
    with travel(sh(2026, 3, 7, 0, 0, 1)):
        result = sweep.sweep_inline(now=sh(2026, 3, 7, 0, 0, 1))
        assert result.marked["task_yellow"] == 2
        again = sweep.sweep_inline(now=sh(2026, 3, 7, 0, 5))
        assert again.total == 0
    assert {t.warning for t in review_tasks(app)} == {"yellow"}
    assert len(marks(app, "yellow")) == 2
    assert len(actions(app, "task_warning")) == 2

    # Tuesday 10 March: overdue → red (a red card each), escalation, once.
    with travel(sh(2026, 3, 10, 0, 0, 1)):
        result = sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
        assert result.marked["task_red"] == 2
        for _ in range(3):
            assert sweep.sweep_inline(now=sh(2026, 3, 10, 9)).total == 0
    assert {t.warning for t in review_tasks(app)} == {"red"}
    red = marks(app, "red")
    assert len(red) == 2
    assert {m.department_id for m in red} == {d.pk for d in world.departments}
    assert len(marks(app, "escalated")) == 2
    assert len(actions(app, "task_overdue")) == 2
    assert len(actions(app, "task_escalated")) == 2
    assert DeadlineMark.objects.filter(application=app, processed_at__isnull=True).count() == 0


def test_follow_up_redelivered_changes_nothing(work_calendar):
    world, app = case_in_review(1)
    result = sweep.sweep(now=sh(2026, 3, 10, 0, 0, 1))  # enqueues, nothing runs yet
    assert len(result.batch_ids) == 1
    [mark_id] = recorded(result)
    with travel(sh(2026, 3, 10, 0, 1)):
        assert sweep.process_mark(mark_id=mark_id) == "red"
        # The same message delivered again (acks_late after a lost ack): nothing happens.
        assert sweep.process_mark(mark_id=mark_id) == "skipped"
    assert len(actions(app, "task_overdue")) == 1
    assert len(marks(app, "escalated")) == 1


def test_a_task_done_before_its_follow_up_is_left_alone(work_calendar):
    world, app = case_in_review(1)
    result = sweep.sweep(now=sh(2026, 3, 7, 0, 0, 1))
    CaseTask.objects.filter(pk=review_tasks(app)[0].pk).update(status="done")
    assert sweep.process_mark(mark_id=recorded(result)[0]) == "stale"
    assert actions(app, "task_warning") == []


def test_paused_clocks_are_not_swept_and_resume_moves_them(work_calendar):
    world, app = case_in_review(1)
    task = review_tasks(app)[0]
    # Supplement asked Thu 5 March 10:00 (every clock pauses) …
    from workflow import services

    with travel(sh(2026, 3, 5)):
        services.task_complete(
            task=task,
            actor=world.reviewer(world.departments[0]),
            decision="supplement",
            missing=[{"requirement": None, "material": None, "note": "补充说明"}],
        )
    # … nothing is swept while paused, however late …
    assert sweep.sweep_inline(now=sh(2026, 3, 20)).total == 0
    # … answered Wed 11 March: 6, 9, 10, 11 March (4 working days) are not counted.
    with travel(sh(2026, 3, 11, 15)):
        services.application_submit(actor=world.citizen, application=app)
    task.refresh_from_db()
    app.refresh_from_db()
    assert not task.paused and not app.paused
    assert task.due_at == eod(2026, 3, 13)  # Mon 9 + 4 working days
    assert task.yellow_at == eod(2026, 3, 12)
    assert app.due_at == eod(2026, 3, 20)  # Mon 16 + 4
    assert sweep.sweep_inline(now=sh(2026, 3, 12, 12)).total == 0
    assert sweep.sweep_inline(now=sh(2026, 3, 13, 0, 0, 1)).marked["task_yellow"] == 1


def test_deemed_approval_completes_the_department_and_the_join_goes_on(work_calendar):
    world, app = case_in_review(3, deemed=True)
    # Two departments answer in time; the third stays silent.
    from tests.workflow.journey import approve_department, open_task

    with travel(sh(2026, 3, 4)):
        approve_department(world, app, world.departments[0])
        approve_department(world, app, world.departments[1])
    silent = world.departments[2]
    with travel(sh(2026, 3, 10, 0, 0, 1)):
        result = sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
        assert result.marked["task_red"] == 1
        for _ in range(2):
            assert sweep.sweep_inline(now=sh(2026, 3, 10, 1)).total == 0
    statuses = {p.department_id: p.status for p in participations(app)}
    assert statuses[silent.pk] == "deemed_approved"
    assert len(marks(app, "deemed_approval")) == 1
    assert marks(app, "escalated") == []
    assert len(actions(app, "department_deemed_approved")) == 1
    # The join completed: the lead's decision task is open, once.
    decision = open_task(app, kind="decision")
    assert decision.department_id == world.lead.pk
    task = CaseTask.objects.get(application=app, kind="review", department=silent)
    assert task.status == "done" and task.completed_by is None
    assert "视为同意" in task.opinion


def test_deemed_approval_only_where_the_item_allows_it(work_calendar):
    world, app = case_in_review(1, deemed=False)
    sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
    assert marks(app, "deemed_approval") == []
    assert len(marks(app, "escalated")) == 1
    assert participations(app)[0].status == "in_review"


def test_case_clock_turns_yellow_and_red(work_calendar):
    world, app = case_in_review(1)
    # Close the department's review so only the case clock is left to watch.
    CaseTask.objects.filter(application=app).update(status="done")
    assert sweep.sweep_inline(now=sh(2026, 3, 14, 0, 0, 1)).marked["case_yellow"] == 1
    assert sweep.sweep_inline(now=sh(2026, 3, 17, 0, 0, 1)).marked["case_red"] == 1
    assert sweep.sweep_inline(now=sh(2026, 3, 18)).total == 0
    assert len(actions(app, "case_warning")) == 1
    assert len(actions(app, "case_overdue")) == 1


def test_sweep_deadlines_command(work_calendar):
    world, app = case_in_review(1)
    call_command("sweep_deadlines", "--now", "2026-03-10T00:00:01+08:00", "--followups")
    call_command("sweep_deadlines", "--now", "2026-03-10T00:10:00+08:00", "--followups")
    assert len(marks(app, "red")) == 1
    assert len(actions(app, "task_escalated")) == 1


def _explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]


def _index_names(plan: dict) -> set[str]:
    found = set()
    if "Index Name" in plan:
        found.add(plan["Index Name"])
    for child in plan.get("Plans", []):
        found |= _index_names(child)
    return found


def _add_open_tasks(template: CaseTask, count: int, *, due) -> None:
    CaseTask.objects.bulk_create(
        [
            CaseTask(
                kind=template.kind,
                stage=template.stage,
                application_id=template.application_id,
                department_id=template.department_id,
                item_id=template.item_id,
                region_id=template.region_id,
                due_at=due,
                yellow_at=due,
            )
            for _ in range(count)
        ],
        batch_size=1000,
    )


@pytest.mark.postgres  # EXPLAIN (FORMAT JSON) of PostgreSQL's partial indexes
def test_the_sweep_reads_its_partial_indexes(work_calendar):
    world, app = case_in_review(1)
    template = review_tasks(app)[0]
    _add_open_tasks(template, 5000, due=eod(2026, 12, 31))  # open, far from due
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_casetask")
        cursor.execute("ANALYZE workflow_taskdeadline")
    now = sh(2026, 3, 10)
    red = _explain(sweep.select_statement(kind="task", threshold="red"), [now, 500])
    yellow = _explain(sweep.select_statement(kind="task", threshold="yellow"), [now, 500])
    assert "taskdeadline_sweep_red" in _index_names(red), json.dumps(red)
    assert "taskdeadline_sweep_yellow" in _index_names(yellow), json.dumps(yellow)


def _relations(plan: dict) -> set[tuple[str, str]]:
    found = set()
    if "Relation Name" in plan:
        found.add((plan["Node Type"], plan["Relation Name"]))
    for child in plan.get("Plans", []):
        found |= _relations(child)
    return found


@pytest.mark.postgres  # PostgreSQL's plan (EXPLAIN) of the one marking statement
def test_the_marking_writes_the_narrow_row_and_its_batch_only(work_calendar):
    # Given 5,000 open tasks far from due and one overdue, the whole marking statement (the
    # narrow rows' UPDATE and the batch's INSERT) reads through the narrow table's index, with
    # no sequential scan, and names neither the wide task table nor the marks' (issue 11:
    # buffers per due row; the follow-up writes the marks).
    world, app = case_in_review(1)
    template = review_tasks(app)[0]
    _add_open_tasks(template, 5000, due=eod(2026, 12, 31))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_taskdeadline")
    now = sh(2026, 3, 10)
    for threshold in ("red", "yellow"):
        plan = _explain(
            sweep.marking_statement(kind="task", threshold=threshold), [now, 500, now, now]
        )
        relations = _relations(plan)
        assert {name for _node, name in relations} == {
            "workflow_taskdeadline",
            "workflow_markingbatch",
        }, relations
        assert not [r for r in relations if r[0] == "Seq Scan"], relations
        assert f"taskdeadline_sweep_{threshold}" in _index_names(plan), json.dumps(plan)


def test_sweep_queries_do_not_grow_with_open_tasks_not_due(work_calendar):
    world, app = case_in_review(1)
    template = review_tasks(app)[0]

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            sweep.sweep(now=sh(2026, 3, 5))
        return len(ctx.captured_queries)

    _add_open_tasks(template, 10, due=eod(2026, 12, 31))
    few = count_queries()
    _add_open_tasks(template, 2000, due=eod(2026, 12, 31))
    many = count_queries()
    assert few == many


@pytest.mark.postgres  # two connections at once: FOR UPDATE SKIP LOCKED
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_mark_each_row_once(work_calendar):
    world, app = case_in_review(1)
    template = review_tasks(app)[0]
    _add_open_tasks(template, 300, due=eod(2026, 3, 9))  # 301 overdue tasks
    now = sh(2026, 3, 10, 0, 0, 1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(sweep.sweep(now=now, limit=25))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        # Generous: on a loaded shared machine a 60 s join let the assertions read the results
        # of sweeps still running (0 of 301 marked). A sweep that hangs still fails below.
        t.join(300)
    assert not any(t.is_alive() for t in threads), "a sweep did not finish within 300 s"
    assert not errors, errors
    assert len(results) == 2
    assert sum(r.marked["task_red"] for r in results) == 301
    # Each clock in one batch of one sweep; the marks are written from the batches.
    assert sum(len(b.rows) for b in MarkingBatch.objects.filter(threshold="red")) == 301
    assert DeadlineMark.objects.filter(threshold="red").count() == 0
    mark_ids = [m for r in results for m in recorded(r)]
    assert len(set(mark_ids)) == 301 == DeadlineMark.objects.filter(threshold="red").count()
    # The sweep marked the narrow rows; the tasks' own warning comes with the follow-up.
    assert TaskDeadline.objects.filter(task__kind="review", warning="red").count() == 301
    assert CaseTask.objects.filter(kind="review", warning="red").count() == 0
    followup.process_marks(mark_ids=mark_ids)
    assert CaseTask.objects.filter(kind="review", warning="red").count() == 301
