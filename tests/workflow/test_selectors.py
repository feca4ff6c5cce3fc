"""Lists run a constant number of queries, and one case costs the same however many exist."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from permits.models import Application, ApplicationCounter, ApplicationDepartment
from tests.workflow.journey import (
    accept,
    approve_department,
    build_world,
    decide,
    submitted_case,
)
from workflow.models import CaseTask

pytestmark = pytest.mark.django_db


def client(user):
    c = APIClient()
    c.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return c


def count_queries(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, getattr(response, "data", None)
    return len(ctx), response


def clone_tasks(task: CaseTask, n: int) -> None:
    CaseTask.objects.bulk_create(
        [
            CaseTask(
                kind=task.kind,
                stage=task.stage,
                application_id=task.application_id,
                department_id=task.department_id,
                participation_id=task.participation_id,
                item_id=task.item_id,
                region_id=task.region_id,
                due_at=task.due_at,
            )
            for _ in range(n)
        ]
    )


def clone_cases(app: Application, n: int) -> None:
    rows = ApplicationDepartment.objects.filter(application=app)
    for _ in range(n):
        copy = Application.objects.create(
            number=ApplicationCounter.next_number(),
            item_id=app.item_id,
            item_version_id=app.item_version_id,
            applicant_person_id=app.applicant_person_id,
            handler_id=app.handler_id,
            created_by_id=app.created_by_id,
            status=app.status,
            region_id=app.region_id,
            lead_department_id=app.lead_department_id,
        )
        ApplicationDepartment.objects.bulk_create(
            [
                ApplicationDepartment(
                    application=copy,
                    department_id=r.department_id,
                    role=r.role,
                    status=r.status,
                    stages=r.stages,
                )
                for r in rows
            ]
        )


@pytest.mark.parametrize("scope", ["queue", "mine"])
def test_inbox_queries_are_constant_and_at_most_8(scope):
    world = build_world(1)
    dept = world.departments[0]
    app = submitted_case(world)
    accept(world, app)
    task = CaseTask.objects.get(application=app, kind="review")
    reviewer = world.reviewer(dept)
    if scope == "mine":
        CaseTask.objects.filter(pk=task.pk).update(status="assigned", assignee=reviewer)
        task.refresh_from_db()
    clone_tasks(task, 9)
    if scope == "mine":
        CaseTask.objects.filter(department=dept).update(status="assigned", assignee=reviewer)
    small, r = count_queries(
        lambda: client(reviewer).get("/api/v1/tasks/", {"scope": scope, "page_size": 500})
    )
    assert r.data["count"] == 10
    clone_tasks(task, 190)
    if scope == "mine":
        CaseTask.objects.filter(department=dept).update(status="assigned", assignee=reviewer)
    large, r = count_queries(
        lambda: client(reviewer).get("/api/v1/tasks/", {"scope": scope, "page_size": 500})
    )
    assert r.data["count"] == 200 and len(r.data["results"]) == 200
    assert small == large <= 8


def test_my_cases_queries_are_constant_and_at_most_8():
    world = build_world(3)
    app = submitted_case(world)
    clone_cases(app, 9)
    small, r = count_queries(
        lambda: client(world.citizen).get("/api/v1/applications/", {"page_size": 100})
    )
    assert r.data["count"] == 10
    clone_cases(app, 190)
    large, r = count_queries(
        lambda: client(world.citizen).get("/api/v1/applications/", {"page_size": 100})
    )
    assert r.data["count"] == 200 and len(r.data["results"]) == 100
    assert all(len(row["departments"]) == 4 for row in r.data["results"])
    assert small == large <= 8


def test_one_complete_case_costs_the_same_however_many_exist():
    world = build_world(3, stages={0: ["undertake", "check", "sign"]})

    def journey():
        with CaptureQueriesContext(connection) as ctx:
            app = submitted_case(world)
            accept(world, app)
            for dept in world.departments:
                approve_department(world, app, dept)
            decide(world, app)
        app.refresh_from_db()
        assert app.status == "approved"
        return len(ctx)

    journey()  # warm the per-process caches (calendar years, content types)
    first = journey()
    some = Application.objects.latest("pk")
    clone_cases(some, 150)
    second = journey()
    assert first == second, (first, second)
