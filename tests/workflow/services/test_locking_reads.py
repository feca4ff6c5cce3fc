"""The case lock's reads (``workflow.services.locking``): the rows a claim and a completion lock
are read on their unique keys without ``first()``/``get()``'s ``ORDER BY … LIMIT`` (PostgreSQL
plans the locked task read, fifteen joined tables, five times longer with a LIMIT: most of the
database's CPU per transition in bench/flow.py), and what they refuse stays refused."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import StaffRole
from onestop.prepared import statement_text
from tests.workflow.journey import build_world, new_case, open_task, submitted_case
from workflow import services
from workflow.exceptions import NotFound
from workflow.models import CaseTask, TaskStatus
from workflow.services.locking import case_locked

pytestmark = pytest.mark.django_db

_LOCKING = re.compile(r"\bFOR (NO KEY )?UPDATE\b")


def _locking_reads(captured) -> list[str]:
    # a prepared read (onestop.prepared) runs as EXECUTE: its SQL is the statement it prepared
    texts = [statement_text(q["sql"]) for q in captured]
    return [sql for sql in texts if _LOCKING.search(sql)]


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_a_claim_and_a_completion_lock_their_rows_without_a_limit():
    world = build_world(1)
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    actor = world.lead_staff["undertake"]
    with CaptureQueriesContext(connection) as claim:
        services.task_claim(task=task.pk, actor=actor)
    with CaptureQueriesContext(connection) as complete:
        services.task_complete(task=task.pk, actor=actor, decision="approve")
    for captured in (claim, complete):
        reads = _locking_reads(captured.captured_queries)
        # The process row found from the task, then the task with its case under the lock.
        assert len(reads) >= 2, reads
        assert not [sql for sql in reads if re.search(r"\bLIMIT\b", sql)], reads
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_the_case_lock_reads_the_application_without_a_limit():
    world = build_world(1)
    app = submitted_case(world)
    with CaptureQueriesContext(connection) as q, case_locked(app.pk) as locked:
        assert locked.pk == app.pk
        assert locked.item.pk == app.item_id  # read with the row, as before
    reads = _locking_reads(q.captured_queries)
    assert len(reads) == 2, reads
    assert not [sql for sql in reads if re.search(r"\bLIMIT\b", sql)], reads


def test_a_missing_case_or_task_is_still_not_found():
    with pytest.raises(NotFound), case_locked(987654321):
        pass
    world = build_world(1)
    with pytest.raises(NotFound):
        services.task_claim(task=987654321, actor=world.lead_staff["undertake"])


def test_a_reviewer_whose_role_was_removed_before_the_call_cannot_claim():
    world = build_world(1)
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    reviewer = world.lead_staff["undertake"]
    StaffRole.objects.filter(user=reviewer).delete()
    fresh = get_user_model().objects.get(pk=reviewer.pk)  # a new request's user
    with pytest.raises(NotFound):
        services.task_claim(task=task.pk, actor=fresh)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.assignee_id is None


def _tables_read(captured, table: str) -> list[str]:
    texts = [statement_text(q["sql"]) for q in captured]  # a prepared read's SQL too
    return [sql for sql in texts if sql.startswith("SELECT") and f'FROM "{table}"' in sql]


def test_submitting_a_draft_reads_the_case_and_its_item_once_and_locks_no_new_row_again():
    """The flow's start runs under the draft's case lock: the acceptance step opens on the case
    the lock read (no second read of the application or the item), the process row the start
    inserts is not locked a second time (no other transaction can see it yet), and a draft is
    not looked up for a process it cannot have."""
    world = build_world(2)
    app = new_case(world)
    with CaptureQueriesContext(connection) as q:
        services.application_submit(actor=world.citizen, application=app)
    captured = q.captured_queries
    assert len(_tables_read(captured, "permits_application")) == 1, captured
    assert _tables_read(captured, "permits_serviceitem") == []  # joined to the locked case
    assert _tables_read(captured, "permits_itemversion") == []
    process_reads = _tables_read(captured, "workflow_caseprocess")
    assert len(process_reads) == 1, process_reads  # the route read: none yet
    app.refresh_from_db()
    assert app.status == "submitted"
    assert open_task(app, kind="acceptance").application_id == app.pk


def test_a_case_lock_of_a_draft_leaves_no_held_process_or_case_behind():
    from workflow.services import locking

    world = build_world(1)
    app = submitted_case(world)  # its process was inserted under the draft's lock
    assert locking._held_process.get() is None  # noqa: SLF001
    assert locking._starting_case.get() is None  # noqa: SLF001
    assert locking.locked_case(app.pk) is None
    with case_locked(app.pk) as locked:  # a started case: its process row is locked again
        assert locking.locked_case(app.pk) is locked
    assert locking._held_process.get() is None  # noqa: SLF001


@pytest.mark.postgres  # PostgreSQL's locking SQL (SQLite has no FOR UPDATE)
def test_the_locked_task_read_is_compiled_once_and_carries_what_completing_reads():
    """The locked task read (fifteen joined tables) is built and compiled once per connection
    (``locking.LOCKED_TASK``): every claim sends the same SQL, and the task comes with its case,
    its viewflow task and process, as the ORM's select_related gave them."""
    from workflow.services import locking

    world = build_world(2)
    apps = [submitted_case(world) for _ in range(2)]
    tasks = [open_task(app, kind="acceptance") for app in apps]
    actor = world.lead_staff["undertake"]
    locked_reads = []
    for task in tasks:
        with CaptureQueriesContext(connection) as q:
            services.task_claim(task=task.pk, actor=actor)
        locked_reads += [
            sql.replace(f"= {task.pk} ", "= ? ")
            for sql in _locking_reads(q.captured_queries)
            if sql.startswith('SELECT "workflow_casetask"."id"')
        ]
    assert len(locked_reads) == 2 and locked_reads[0] == locked_reads[1], locked_reads
    # prepared once per session (onestop.prepared): the task's id is the statement's value
    assert '"workflow_casetask"."id" = %s ' in locked_reads[0], locked_reads
    assert "ORDER BY" not in locked_reads[0]
    with case_locked(apps[0].pk):
        pass
    from django.db import transaction

    with transaction.atomic():
        row = locking.LOCKED_TASK.first(task_id=tasks[0].pk)
        with CaptureQueriesContext(connection) as q:
            assert row.application.pk == apps[0].pk
            assert row.application.item_version.item.pk == apps[0].item_id
            assert row.flow_task.process.caseprocess.application_id == apps[0].pk
        assert len(q.captured_queries) == 0  # all read with the row
        assert locking.LOCKED_TASK.first(task_id=987654321) is None


def test_the_route_read_kept_per_access_rule_follows_a_role_moved_to_another_department():
    """The process row found through the caller's access rule is kept per rule, with the rule's
    values in its key (``locking.PROCESS_OF_TASK``): a reviewer moved to another department,
    read afresh (a new request's user), no longer finds the first department's task."""
    world = build_world(2)
    first, second = submitted_case(world), submitted_case(world)
    reviewer = world.lead_staff["undertake"]
    services.task_claim(task=open_task(first, kind="acceptance").pk, actor=reviewer)
    StaffRole.objects.filter(user=reviewer).update(department=world.departments[0])
    moved = get_user_model().objects.get(pk=reviewer.pk)
    task = open_task(second, kind="acceptance")
    with pytest.raises(NotFound):
        services.task_claim(task=task.pk, actor=moved)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.assignee_id is None


def test_a_rule_holding_a_queryset_is_not_kept():
    from django.db.models import Q

    from onestop.prepared import _shape_key

    assert _shape_key(Q(department_id__in=[3, 1]) | Q(pk__in=[])) is not None
    assert _shape_key(Q(department_id__in=[3])) != _shape_key(Q(department_id__in=[4]))
    assert _shape_key(Q(pk__in=CaseTask.objects.values("pk"))) is None
