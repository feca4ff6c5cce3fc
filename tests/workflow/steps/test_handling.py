"""workflow/steps/handling.py: a reply (with its outcome in joint inspections), a return within
the window and only where allowed; the viewflow task waits for every department."""

from __future__ import annotations

import pytest
import time_machine

from permits.exceptions import Invalid
from permits.models import ApplicationDepartment
from tests.workflow.journey import open_task
from tests.workflow.process_journey import (
    build_process_world,
    dispatch,
    filed_complaint,
    give_back,
    reply,
)
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.steps import step_for

pytestmark = pytest.mark.django_db

step = step_for(TaskKind.HANDLING)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def test_decisions_and_their_input():
    assert set(step.decisions) == {"reply", "return"}
    for decision in ("reply", "return"):
        with pytest.raises(Invalid) as exc:
            step.validate(decision=decision, data={})
        assert set(exc.value.fields) == {"opinion"}


def test_the_review_waits_for_every_department():
    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a, b)
    reply(world, app, a)
    assert not CaseTask.objects.filter(application=app, kind="reply_review").exists()
    row = ApplicationDepartment.objects.get(application=app, department=a)
    assert row.status == "replied" and row.opinion
    reply(world, app, b)
    open_task(app, kind="reply_review")


def test_a_return_brings_the_case_back_to_triage():
    world = build_process_world(1)
    (a,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    give_back(world, app, a, "不属于本部门职责，应由住建部门处理")
    row = ApplicationDepartment.objects.get(application=app, department=a)
    assert row.status == "returned"
    open_task(app, kind="triage")
    assert app.events.filter(action="department_returned").exists()


def test_return_refused_after_the_window():
    world = build_process_world(1, item_settings={"return_window_days": 1})
    (a,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    with time_machine.travel("2026-11-04 09:00:00+08:00", tick=True), pytest.raises(Conflict):
        give_back(world, app, a)


def test_outcome_only_in_joint_results():
    world = build_process_world(1)
    (a,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    reply(world, app, a, outcome="passed")
    assert ApplicationDepartment.objects.get(application=app, department=a).outcome == ""
