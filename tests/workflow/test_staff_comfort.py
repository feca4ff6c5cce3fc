"""Issue 14 item 12: the workbench counts my tasks, the queue, yellow and red; the reviewer who
accepted a case finds its decision task in their own list; the head's reassign list names
colleagues with department and stage, without the head; the task page links the clock page
for those who may use it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Role
from tests.workflow import factories as f
from tests.workflow.journey import accept, approve_department, build_world, submitted_case
from workflow.models import CaseTask, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_the_workbench_counts_my_tasks_and_the_queue(client):
    world = build_world(1)
    submitted_case(world)
    submitted_case(world)
    reviewer = world.lead_staff["undertake"]
    client.force_login(reviewer)
    page = client.get("/office/")
    assert page.context["counts"] == {"mine": 0, "queue": 2, "yellow": 0, "red": 0}
    assert 'data-testid="workbench-counts"' in page.content.decode()


def test_the_accepter_finds_the_decision_task_in_their_own_list(settings):
    settings.DECISION_TASK_TO_ACCEPTER = True
    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])
    decision = CaseTask.objects.get(application=app, kind="decision")
    assert decision.status == TaskStatus.ASSIGNED
    assert decision.assignee == world.lead_staff["undertake"]
    # Configured off: the department's queue.
    settings.DECISION_TASK_TO_ACCEPTER = False
    other = submitted_case(world)
    accept(world, other)
    approve_department(world, other, world.departments[0])
    queued = CaseTask.objects.get(application=other, kind="decision")
    assert queued.status == TaskStatus.OPEN and queued.assignee is None


def test_the_reassign_list_names_colleagues_without_the_head_and_links_the_clock(client):
    world = build_world(1)
    app = submitted_case(world)
    task = CaseTask.objects.get(application=app, kind="acceptance")
    head = f.staff(world.lead, Role.HEAD)
    f.staff(world.lead, Role.REVIEWER, "undertake")  # a second colleague
    client.force_login(head)
    page = client.get(reverse("workflow:task_detail", args=[task.pk]))
    form = page.context["reassign_form"]
    labels = [label for value, label in form.fields["user"].choices if value]
    assert labels and all(world.lead.name in label for label in labels)
    assert str(head.pk) not in [value for value, _label in form.fields["user"].choices]
    assert 'data-testid="clock-link"' in page.content.decode()
