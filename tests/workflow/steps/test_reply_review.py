"""workflow/steps/reply_review.py: the consolidated answer composed from every reply (each
department named), an answer of the office's own words, back to named departments only."""

from __future__ import annotations

import pytest
import time_machine

from permits.exceptions import Invalid
from tests.workflow.journey import open_task
from tests.workflow.process_journey import (
    build_process_world,
    dispatch,
    filed_complaint,
    reply,
    send_answer,
)
from workflow import services
from workflow.models import TaskKind
from workflow.steps import step_for

pytestmark = pytest.mark.django_db

step = step_for(TaskKind.REPLY_REVIEW)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def test_decisions_and_their_input():
    assert set(step.decisions) == {"approve", "deny"}
    assert step.validate(decision="approve", data={}) == {"opinion": ""}
    with pytest.raises(Invalid) as exc:
        step.validate(decision="deny", data={})
    assert set(exc.value.fields) == {"opinion", "departments"}


def test_the_composed_answer_names_every_department():
    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a, b)
    reply(world, app, a, "已监测")
    reply(world, app, b, "已巡查")
    send_answer(world, app)
    assert app.answer == f"{a.name}：已监测\n{b.name}：已巡查"
    task = app.tasks.get(kind="reply_review")
    assert [p["code"] for p in task.result["parts"]] == [a.code, b.code]


def test_the_offices_own_words_are_the_answer():
    world = build_process_world(1)
    (a,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    reply(world, app, a)
    send_answer(world, app, "经核查，工地已停止夜间施工。")
    assert app.answer == "经核查，工地已停止夜间施工。"


def test_back_only_to_departments_that_replied():
    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    reply(world, app, a)
    review = open_task(app, kind="reply_review")
    with pytest.raises(Invalid):
        services.task_complete(
            task=review, actor=world.operator, decision="deny", departments=[b.code], opinion="x"
        )
