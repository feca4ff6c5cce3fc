"""workflow/steps/review.py: stages in sequence, a denial's reasons, deemed approval."""

from __future__ import annotations

import pytest
import time_machine

from permits.exceptions import Invalid
from permits.models import ApplicationDepartment
from tests.workflow.journey import accept, build_world, open_task, submitted_case
from workflow import services
from workflow.models import TaskKind
from workflow.steps import step_for

pytestmark = pytest.mark.django_db

step = step_for(TaskKind.REVIEW)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def test_decisions_and_their_input():
    assert set(step.decisions) == {"approve", "supplement", "deny"}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="deny", data={})
    assert set(exc.value.fields) == {"opinion"}
    assert step.validate(decision="approve", data={}) == {"opinion": ""}


def test_stages_follow_each_other_then_the_department_approves():
    world = build_world(1, stages={0: ["undertake", "check"]})
    dept = world.departments[0]
    app = submitted_case(world)
    accept(world, app)
    first = open_task(app, kind="review", department=dept)
    services.task_complete(task=first, actor=world.reviewer(dept), decision="approve")
    second = open_task(app, kind="review", department=dept)
    assert second.stage == "check" and second.flow_task_id == first.flow_task_id
    services.task_complete(
        task=second, actor=world.reviewer(dept, "check"), decision="deny", opinion="不符合"
    )
    row = ApplicationDepartment.objects.get(application=app, department=dept)
    assert row.status == "denied" and row.opinion == "不符合"


def test_deemed_approval_only_for_an_open_review_of_a_case_under_review():
    world = build_world(1)
    dept = world.departments[0]
    app = submitted_case(world)
    acceptance = open_task(app, kind="acceptance")
    assert services.review_deemed_approve(task=acceptance, opinion="逾期") is False
    accept(world, app)
    review = open_task(app, kind="review", department=dept)
    assert services.review_deemed_approve(task=review, opinion="逾期视为同意") is True
    assert services.review_deemed_approve(task=review, opinion="again") is False
    row = ApplicationDepartment.objects.get(application=app, department=dept)
    assert row.status == "deemed_approved"
    assert open_task(app, kind="decision")
