"""The case tables' lean indexes (docs/load-dataset.md, "Where the bytes go"): the queries whose
own index was dropped are served by the one that stays, by EXPLAIN on PostgreSQL.

* the steps' "other rows of this viewflow task still open?" and a clock extension's tasks name
  the case, so ``casetask_app`` serves them (no index by flow task or participation);
* a case's events (timeline, tracking, facts) and materials by the application's own
  foreign-key index (no ``event_app_at``, no ``material_current``);
* a person by ID number, with or without the type, by ``person_id_hash_unique`` (the hash first);
* the deletion checks of a user by the partial ``event_actor`` and ``material_checked_by``.

The tables of a test are tiny, so each plan is asked with sequential scans off: the answer is
which index can serve the query, and a query no index serves still shows its ``Seq Scan``."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from onestop.pii import lookup_hashes
from permits.models import Event, Material, Person
from permits.selectors import persons_with_id
from tests.workflow.deadlines.helpers import case_in_review, review_tasks
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _plan(qs) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        return json.loads(qs.explain(format="json"))[0]["Plan"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _index_names(plan: dict) -> set[str]:
    return {n["Index Name"] for n in _nodes(plan) if "Index Name" in n}


def _seq_scans(plan: dict) -> set[str]:
    return {n["Relation Name"] for n in _nodes(plan) if n["Node Type"] == "Seq Scan"}


def _fk_index(table: str, column: str) -> str:
    """The name Django gave a foreign key's own index (a hash suffix)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, f"%USING btree ({column})"],
        )
        rows = [r[0] for r in cursor.fetchall()]
    assert len(rows) == 1, rows
    return rows[0]


def _crowd(template: CaseTask, count: int) -> None:
    """Open tasks of the same case and viewflow task, so the partial deadline indexes are no
    cheaper than casetask_app by accident."""
    CaseTask.objects.bulk_create(
        [
            CaseTask(
                kind=template.kind,
                stage=template.stage,
                application_id=template.application_id,
                department_id=template.department_id,
                item_id=template.item_id,
                region_id=template.region_id,
                due_at=template.due_at,
            )
            for _ in range(count)
        ],
        batch_size=1000,
    )


def test_the_steps_other_open_rows_read_casetask_app(work_calendar):
    _world, other = case_in_review(1)
    _crowd(review_tasks(other)[0], 2000)
    _world, app = case_in_review(2)
    task = review_tasks(app)[0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_casetask")
    still_open = CaseTask.objects.filter(
        application_id=task.application_id,
        flow_task_id=task.flow_task_id,
        status__in=ACTIVE_TASK_STATUSES,
    )
    plan = _plan(still_open)
    assert _index_names(plan) == {"casetask_app"}, json.dumps(plan)
    assert not _seq_scans(plan), json.dumps(plan)
    extended = CaseTask.objects.filter(
        application_id=task.application_id,
        participation_id=task.participation_id,
        status__in=ACTIVE_TASK_STATUSES,
    )
    plan = _plan(extended)
    assert _index_names(plan) == {"casetask_app"}, json.dumps(plan)
    # Both still find the row (the case's filter changes which rows, not the answer).
    assert still_open.filter(pk=task.pk).exists()
    assert extended.filter(pk=task.pk).exists()


def test_a_cases_events_and_materials_read_the_application_index(work_calendar):
    _world, app = case_in_review(2)
    timeline = Event.objects.filter(application=app).order_by("at", "pk")
    assert timeline.exists()
    plan = _plan(timeline)
    assert _index_names(plan) == {_fk_index("permits_event", "application_id")}, json.dumps(plan)
    assert not _seq_scans(plan), json.dumps(plan)
    current = Material.objects.current().filter(application=app).order_by("uploaded_at", "pk")
    plan = _plan(current)
    assert _index_names(plan) == {_fk_index("permits_material", "application_id")}
    assert not _seq_scans(plan), json.dumps(plan)


def test_a_person_by_id_number_reads_the_unique_index(work_calendar):
    world, _app = case_in_review(1)
    person = world.person
    plan = _plan(persons_with_id(person.id_type, person.id_number))
    assert _index_names(plan) == {"person_id_hash_unique"}, json.dumps(plan)
    # The admin's search by ID number alone (SealedSearchMixin): the hash leads the index.
    plan = _plan(Person.objects.filter(id_number_hash__in=lookup_hashes(person.id_number)))
    assert _index_names(plan) == {"person_id_hash_unique"}, json.dumps(plan)
    assert list(persons_with_id(person.id_type, person.id_number)) == [person]


def test_a_users_deletion_checks_read_the_partial_indexes(work_calendar):
    world, app = case_in_review(1)
    user_ids = sorted(u.pk for u in world.lead_staff.values())
    # What the collector asks before a delete (no ordering, no join).
    plan = _plan(Event.objects.filter(actor_id__in=user_ids).order_by())
    assert _index_names(plan) == {"event_actor"}, json.dumps(plan)
    assert Event.objects.filter(actor_id__in=user_ids).exists()
    plan = _plan(Material.objects.filter(original_checked_by_id__in=user_ids).order_by())
    assert _index_names(plan) == {"material_checked_by"}, json.dumps(plan)
    plan = _plan(Event.objects.filter(department_id__in=[app.lead_department_id]).order_by())
    assert _index_names(plan) == {"event_dept"}, json.dumps(plan)
