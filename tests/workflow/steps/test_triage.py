"""workflow/steps/triage.py: answer directly, refuse with the competent agency, dispatch with
instructions and limits (the dispatch catalogue's defaults), the return cap."""

from __future__ import annotations

import pytest
import time_machine

from permits.exceptions import Conflict, Invalid
from permits.models import ApplicationDepartment
from tests.workflow.journey import open_task
from tests.workflow.process_journey import build_process_world, dispatch, filed_complaint, give_back
from workflow import services
from workflow.models import CaseTask, TaskKind
from workflow.steps import step_for

pytestmark = pytest.mark.django_db

step = step_for(TaskKind.TRIAGE)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def test_decisions_and_their_input():
    assert set(step.decisions) == {"dispatch", "answer", "deny"}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="answer", data={})
    assert set(exc.value.fields) == {"opinion"}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="dispatch", data={"departments": []})
    assert set(exc.value.fields) == {"departments"}
    with pytest.raises(Invalid):
        step.validate(decision="dispatch", data={"departments": [{"code": "no-such-dept"}]})


def test_a_submitted_case_opens_the_offices_triage_due_at_its_limit():
    world = build_process_world()
    app = filed_complaint(world)
    assert app.status == "submitted"
    task = open_task(app, kind="triage")
    assert task.department_id == world.office.pk and task.stage == "undertake"
    assert task.due_at is not None
    assert app.due_at is not None  # the answer is due from the submission


def test_answer_directly():
    world = build_process_world()
    app = filed_complaint(world)
    task = open_task(app, kind="triage")
    services.task_complete(task=task, actor=world.operator, decision="answer", opinion="已解答")
    app.refresh_from_db()
    assert app.status == "answered" and app.answer == "已解答" and app.answered_at
    assert app.events.filter(action="answered").exists()
    assert app.process.finished is None  # waits for the rating (a reopening)


def test_deny_with_the_competent_agency():
    world = build_process_world()
    app = filed_complaint(world)
    task = open_task(app, kind="triage")
    services.task_complete(
        task=task,
        actor=world.operator,
        decision="deny",
        opinion="属于司法程序事项",
        competent_agency="云浮市中级人民法院",
    )
    app.refresh_from_db()
    assert app.status == "not_accepted"
    assert app.competent_agency == "云浮市中级人民法院"
    # The same refusal as the acceptance's, under the same key (they used to differ).
    task.refresh_from_db()
    assert task.result == {"competent_agency": "云浮市中级人民法院"}
    assert app.events.get(action="not_accepted").data["competent_agency"] == "云浮市中级人民法院"
    app.process.refresh_from_db()
    assert app.process.finished is not None


def test_dispatch_creates_one_row_and_one_handling_task_per_department():
    world = build_process_world()
    app = filed_complaint(world)
    a, b = world.departments
    task = open_task(app, kind="triage")
    services.task_complete(
        task=task,
        actor=world.operator,
        decision="dispatch",
        departments=[
            {"code": a.code, "instructions": "测量噪声"},
            {"code": b.code, "instructions": "夜间巡查", "time_limit_days": 3},
        ],
    )
    app.refresh_from_db()
    assert app.status == "in_review"
    rows = {r.department_id: r for r in ApplicationDepartment.objects.filter(role="dispatched")}
    assert rows[a.pk].instructions == "测量噪声"
    assert rows[a.pk].time_limit_days == 5  # the dispatch catalogue's limit
    assert rows[b.pk].time_limit_days == 3
    assert rows[a.pk].status == "in_review" and rows[a.pk].may_return
    handling = CaseTask.objects.filter(application=app, kind="handling")
    assert {t.department_id for t in handling} == {a.pk, b.pk}
    assert len({t.flow_task_id for t in handling}) == 1
    assert app.events.filter(action="dispatched").count() == 2


def test_the_office_cannot_dispatch_to_itself_nor_twice_to_one_department():
    world = build_process_world()
    app = filed_complaint(world)
    task = open_task(app, kind="triage")
    for departments in (
        [{"code": world.office.code}],
        [{"code": world.departments[0].code}, {"code": world.departments[0].code}],
    ):
        with pytest.raises(Invalid):
            services.task_complete(
                task=task, actor=world.operator, decision="dispatch", departments=departments
            )


def test_deny_after_a_dispatch_is_a_conflict():
    world = build_process_world(item_settings={"max_returns": 5})
    app = filed_complaint(world)
    a = world.departments[0]
    dispatch(world, app, a)
    give_back(world, app, a)
    task = open_task(app, kind="triage")
    with pytest.raises(Conflict):
        services.task_complete(task=task, actor=world.operator, decision="deny", opinion="x")


def test_the_return_cap_demands_may_return_false():
    world = build_process_world()
    app = filed_complaint(world)
    a, b = world.departments
    dispatch(world, app, a)
    give_back(world, app, a)
    dispatch(world, app, b)
    give_back(world, app, b)
    task = open_task(app, kind="triage")
    with pytest.raises(Invalid) as exc:
        services.task_complete(
            task=task, actor=world.operator, decision="dispatch", departments=[{"code": a.code}]
        )
    assert "departments" in exc.value.fields
    services.task_complete(
        task=task,
        actor=world.operator,
        decision="dispatch",
        departments=[{"code": a.code, "may_return": False}],
    )
    row = ApplicationDepartment.objects.get(application=app, department=a, round=2)
    assert row.may_return is False
