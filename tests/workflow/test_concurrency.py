"""Concurrent writers on PostgreSQL: real threads, each with its own database connection.

The services lock the viewflow process row (blocking ``SELECT … FOR UPDATE`` bounded by
``lock_timeout``) and then the application row, so concurrent completions wait instead of
failing, exactly one wins a contested task, and a join happens exactly once.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from viewflow.workflow.models import Task

from departments.models import Role
from permits.models import Application, Event
from tests.concurrency import Workers, fresh, run_together
from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, new_case, open_task, submitted_case
from workflow import services
from workflow.exceptions import Conflict
from workflow.models import CaseTask

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def test_two_staff_complete_the_same_task_exactly_one_wins_100_of_100():
    # A single-department item without materials: cheap cases, the same contested acceptance.
    world = build_world(0, materials=[])
    second = f.staff(world.lead, Role.REVIEWER, "undertake")
    first = world.lead_staff["undertake"]
    cases = [submitted_case(world) for _ in range(100)]
    tasks = [open_task(app, kind="acceptance") for app in cases]
    outcomes = Counter()
    workers = Workers(2)
    try:
        runs = [
            workers.run(
                lambda t=task: services.task_complete(
                    task=t.pk, actor=fresh(first), decision="approve"
                ),
                lambda t=task: services.task_complete(
                    task=t.pk, actor=fresh(second), decision="approve"
                ),
            )
            for task in tasks
        ]
    finally:
        workers.stop()
    for results in runs:
        wins = [r for r in results if isinstance(r, CaseTask)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        others = [r for r in results if r not in wins and r not in conflicts]
        assert not others, others
        outcomes[(len(wins), len(conflicts))] += 1
    assert outcomes == Counter({(1, 1): 100})
    # every case moved on exactly once
    assert set(
        Application.objects.filter(pk__in=[a.pk for a in cases]).values_list("status", flat=True)
    ) == {"in_review"}
    assert Event.objects.filter(application__in=cases, action="accepted").count() == 100
    assert CaseTask.objects.filter(application__in=cases, kind="decision").count() == 100


def test_six_departments_finish_at_once_one_join_and_the_case_moves_on_once():
    world = build_world(6)
    for _round in range(3):
        app = submitted_case(world)
        accept(world, app)
        tasks = [open_task(app, kind="review", department=d) for d in world.departments]
        results = run_together(
            *[
                (
                    lambda t=t, d=d: services.task_complete(
                        task=t.pk, actor=fresh(world.reviewer(d)), decision="approve"
                    )
                )
                for t, d in zip(tasks, world.departments, strict=True)
            ]
        )
        assert all(isinstance(r, CaseTask) for r in results), results
        joins = Task.objects.filter(process__caseprocess__application=app, flow_task_type="JOIN")
        assert joins.count() == 1 and joins.get().status == "DONE"
        assert CaseTask.objects.filter(application=app, kind="decision").count() == 1
        assert set(app.participations.filter(role="parallel").values_list("status", flat=True)) == {
            "approved"
        }


def test_numbers_stay_unique_under_concurrent_creation():
    world = build_world(1)

    def create_five():
        actor = fresh(world.citizen)
        return [new_case(world, actor=actor, upload=False).number for _ in range(5)]

    results = run_together(*[create_five for _ in range(8)])
    numbers = [n for r in results for n in r]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    sequences = sorted(int(n[-6:]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 40))


def test_two_departments_ask_for_supplements_at_once_one_merged_notice():
    from permits.models import SupplementNotice

    world = build_world(3)
    for _round in range(3):
        app = submitted_case(world)
        accept(world, app)
        asking = world.departments[:2]
        tasks = [open_task(app, kind="review", department=d) for d in asking]
        results = run_together(
            *[
                (
                    lambda t=t, d=d: services.task_complete(
                        task=t.pk,
                        actor=fresh(world.reviewer(d)),
                        decision="supplement",
                        missing=[{"note": f"{d.name}要求补正"}],
                    )
                )
                for t, d in zip(tasks, asking, strict=True)
            ]
        )
        assert all(isinstance(r, CaseTask) for r in results), results
        app.refresh_from_db()
        assert app.status == "supplement" and app.paused
        notice = SupplementNotice.objects.get(application=app)
        assert sorted(r["department"] for r in notice.requests) == sorted(d.code for d in asking)
        assert Event.objects.filter(application=app, action="paused").count() == 1


def test_a_case_held_past_the_lock_timeout_answers_busy_503_not_409():
    """A writer that cannot have the case's row within PostgreSQL's ``lock_timeout`` gets the
    database's ``LockNotAvailable`` (SQLSTATE 55P03), which the API answers 503 ``busy``; once
    the holder lets go, the same request succeeds."""
    from rest_framework.test import APIClient

    world = build_world(0, materials=[])
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Application.objects.select_for_update().get(pk=app.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        client = APIClient()
        client.force_authenticate(world.lead_staff["undertake"])
        url = f"/api/v1/tasks/{task.pk}/complete/"
        r = client.post(url, {"decision": "approve"}, format="json")
        assert r.status_code == 503 and r.data["code"] == "busy", r.data
        assert r.data["detail"] and r.data["fields"] == {}
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    r = client.post(url, {"decision": "approve"}, format="json")
    assert r.status_code == 200, r.data
    task.refresh_from_db()
    assert task.status == "done"


def test_the_same_draft_submitted_twice_at_once_starts_one_flow_30_of_30():
    """A draft's case lock looks for a process only when the case has left its draft: the
    second submitter, waiting on the row lock, reads the committed status and answers
    ``Conflict``; the flow starts once (one process, one acceptance task)."""
    world = build_world(0, materials=[])
    drafts = [new_case(world) for _ in range(30)]
    workers = Workers(2)
    try:
        runs = [
            workers.run(
                lambda a=app: services.application_submit(
                    actor=fresh(world.citizen), application=Application.objects.get(pk=a.pk)
                ),
                lambda a=app: services.application_submit(
                    actor=fresh(world.citizen), application=Application.objects.get(pk=a.pk)
                ),
            )
            for app in drafts
        ]
    finally:
        workers.stop()
    outcomes = Counter(
        (
            sum(isinstance(r, Application) for r in results),
            sum(isinstance(r, Conflict) for r in results),
        )
        for results in runs
    )
    assert outcomes == Counter({(1, 1): 30}), runs
    assert CaseTask.objects.filter(application__in=drafts, kind="acceptance").count() == 30
    assert Event.objects.filter(application__in=drafts, action="submitted").count() == 30
    from workflow.models import CaseProcess

    assert CaseProcess.objects.filter(application__in=drafts).count() == 30
