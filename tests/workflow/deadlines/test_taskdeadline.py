"""``TaskDeadline``, the sweep's narrow copy of a task's clock, kept in step with
``workflow_casetask`` by the triggers of migration ``workflow/0011_taskdeadline`` — whoever
writes the task (a service's save, a queryset update, raw SQL) — and filled for existing tasks
by that migration. The tests without the ``postgres`` marker run on the suite's database
(SQLite when DATABASE_URL is unset: the demo's triggers)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from tests.workflow.deadlines.helpers import (
    case_in_review,
    eod,
    recorded,
    review_tasks,
    sh,
    travel,
)
from workflow.deadlines import followup, sweep
from workflow.models import CaseTask, TaskDeadline

pytestmark = pytest.mark.django_db

migration = importlib.import_module("workflow.migrations.0011_taskdeadline")


def _copy(task: CaseTask) -> tuple:
    row = TaskDeadline.objects.get(task=task)
    return (row.application_id, row.department_id, row.due_at, row.yellow_at, row.live, row.warning)


def _task(task: CaseTask) -> tuple:
    task.refresh_from_db()
    live = task.status in ("open", "assigned") and not task.paused
    return (
        task.application_id,
        task.department_id,
        task.due_at,
        task.yellow_at,
        live,
        task.warning,
    )


def test_every_task_gets_its_row_and_every_write_keeps_it_in_step(work_calendar):
    world, app = case_in_review(2)
    first, second = review_tasks(app)
    # Made by the flow's services: a row each, the same clock.
    assert _copy(first) == _task(first)
    assert _copy(first)[2] == eod(2026, 3, 9) and _copy(first)[4] is True

    # A queryset update (no save, no signal) and raw SQL are followed too.
    CaseTask.objects.filter(pk=first.pk).update(due_at=eod(2026, 3, 20), yellow_at=eod(2026, 3, 19))
    assert _copy(first)[2:4] == (eod(2026, 3, 20), eod(2026, 3, 19))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_casetask SET paused = %s WHERE id = %s", [True, first.pk])
    assert _copy(first)[4] is False  # paused: not swept
    CaseTask.objects.filter(pk=first.pk).update(paused=False, status="done")
    assert _copy(first)[4] is False  # done: not swept
    assert _copy(first) == _task(first)

    # Another department takes the task (a reassignment): the marks will name it.
    CaseTask.objects.filter(pk=second.pk).update(department=world.departments[0])
    assert _copy(second)[1] == world.departments[0].pk


def test_the_sweeps_mark_is_lowered_only_with_a_new_due(work_calendar):
    world, app = case_in_review(1)
    task = review_tasks(app)[0]
    with travel(sh(2026, 3, 10, 0, 0, 1)):
        result = sweep.sweep(now=sh(2026, 3, 10, 0, 0, 1))  # marked; follow-up not yet run
    assert result.marked["task_red"] == 1
    assert _copy(task)[5] == "red" and _task(task)[5] == "none"

    # A write of the task meanwhile (a claim, a warning still "none") keeps the mark …
    CaseTask.objects.filter(pk=task.pk).update(status="assigned", opinion="看过")
    assert _copy(task)[5] == "red"
    assert sweep.sweep(now=sh(2026, 3, 10, 0, 5)).total == 0  # … so nothing is marked twice
    # … and the follow-up's warning on the task agrees with it.
    with travel(sh(2026, 3, 10, 0, 1)):
        followup.process_marks(mark_ids=recorded(result))
    assert _task(task)[5] == "red" and _copy(task)[5] == "red"

    # A lower warning without a new due (an administrator's edit) does not unmark the clock;
    CaseTask.objects.filter(pk=task.pk).update(warning="yellow")
    assert _copy(task)[5] == "red"
    # a new due does (the clocks lift the warning with it): the new due gets marks of its own.
    CaseTask.objects.filter(pk=task.pk).update(
        due_at=eod(2026, 3, 16), yellow_at=eod(2026, 3, 13), warning="none"
    )
    assert _copy(task)[5] == "none"
    assert sweep.sweep(now=sh(2026, 3, 17)).marked["task_red"] == 1


def test_a_deleted_task_takes_its_row_with_it(work_calendar):
    world, app = case_in_review(1)
    template = review_tasks(app)[0]
    extra = CaseTask.objects.create(
        kind=template.kind,
        application_id=template.application_id,
        department_id=template.department_id,
        item_id=template.item_id,
        region_id=template.region_id,
        due_at=eod(2026, 3, 9),
    )
    assert TaskDeadline.objects.filter(task=extra).exists()
    extra.delete()
    assert not TaskDeadline.objects.filter(task_id=extra.pk).exists()


def test_the_migration_fills_the_rows_of_existing_tasks(work_calendar):
    # Given tasks written while there were no triggers (as before the migration) …
    world, app = case_in_review(2)
    editor = SimpleNamespace(connection=connection)
    migration.drop_triggers(django_apps, editor)
    try:
        first, second = review_tasks(app)
        TaskDeadline.objects.all().delete()
        CaseTask.objects.filter(pk=first.pk).update(warning="red")
        CaseTask.objects.filter(pk=second.pk).update(paused=True, warning="yellow")
        assert not TaskDeadline.objects.exists()
        # … the backfill copies each one, and run again (a retried migration) changes nothing.
        migration.backfill(django_apps, editor)
        migration.backfill(django_apps, editor)
        assert TaskDeadline.objects.count() == CaseTask.objects.count()
        assert _copy(first) == _task(first) and _copy(first)[4:] == (True, "red")
        assert _copy(second) == _task(second) and _copy(second)[4:] == (False, "yellow")
        # The swept state then follows: a red clock is not marked red again.
        assert sweep.sweep(now=sh(2026, 3, 10, 0, 0, 1)).marked["task_red"] == 0
    finally:
        migration.create_triggers(django_apps, editor)
    CaseTask.objects.filter(pk=second.pk).update(paused=False)
    assert _copy(second)[4] is True  # the triggers are back


@pytest.mark.postgres
def test_postgres_triggers_skip_writes_that_change_nothing_the_sweep_reads(work_calendar):
    """On PostgreSQL the update trigger fires only when a copied column (or whether the clock
    runs) changes: a claim, an opinion, a save of every column leave the narrow row as it was
    (same row version), so the flow's writes cost nothing more there."""
    world, app = case_in_review(1)
    task = review_tasks(app)[0]

    def version() -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text FROM workflow_taskdeadline WHERE task_id = %s", [task.pk]
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'workflow_casetask'::regclass"
            " AND NOT tgisinternal ORDER BY tgname"
        )
        assert [r[0] for r in cursor.fetchall()] == [
            "workflow_taskdeadline_insert",
            "workflow_taskdeadline_update",
        ]
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class"
            " WHERE relname IN ('workflow_casetask', 'workflow_taskdeadline') ORDER BY relname"
        )
        assert cursor.fetchall() == [
            ("workflow_casetask", ["fillfactor=90"]),
            ("workflow_taskdeadline", ["fillfactor=80"]),
        ]
    before = version()
    CaseTask.objects.filter(pk=task.pk).update(status="assigned", opinion="已阅")
    task.refresh_from_db()
    task.save()  # every column written, none changed
    assert version() == before
    # A change of the due is a new row version with the new due.
    CaseTask.objects.filter(pk=task.pk).update(due_at=eod(2026, 3, 31))
    assert version() != before
    assert _copy(task)[2] == eod(2026, 3, 31)
    # The task's warning set by a follow-up when the sweep marked already: no write.
    TaskDeadline.objects.filter(task=task).update(warning="red")
    marked = version()
    CaseTask.objects.filter(pk=task.pk).update(warning="red")
    assert version() == marked
