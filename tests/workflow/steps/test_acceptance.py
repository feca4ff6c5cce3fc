"""workflow/steps/acceptance.py: its decisions' input and what accepting does."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from permits.exceptions import Invalid
from tests.workflow import factories as f
from tests.workflow.journey import build_world, open_task, submitted_case
from workflow import services
from workflow.models import TaskKind
from workflow.steps import step_for

pytestmark = pytest.mark.django_db

step = step_for(TaskKind.ACCEPTANCE)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def _world():
    return build_world(
        1,
        materials=[
            {"name": "申请书", "required": True},
            {"name": "场地证明", "required": True, "tolerable": True},
        ],
    )


def test_decisions_are_accept_supplement_deny():
    assert list(step.decisions) == ["approve", "supplement", "deny"]


def test_tolerated_needs_a_deadline_and_a_tolerable_requirement():
    world = _world()
    app = submitted_case(world)
    key, tolerable = f.requirement_ids(world.item)
    with pytest.raises(Invalid) as exc:
        step.validate(decision="approve", data={"tolerated": [tolerable]}, application=app)
    assert set(exc.value.fields) == {"tolerance_deadline"}
    with pytest.raises(Invalid) as exc:
        step.validate(
            decision="approve",
            data={"tolerated": [key], "tolerance_deadline": "2026-11-20"},
            application=app,
        )
    assert set(exc.value.fields) == {"tolerated"}
    data = step.validate(
        decision="approve",
        data={"tolerated": [tolerable], "tolerance_deadline": "2026-11-20"},
        application=app,
    )
    assert data["tolerated"] == [tolerable] and data["tolerance_deadline"] == date(2026, 11, 20)


def test_deny_needs_reasons_and_supplement_a_list():
    world = _world()
    app = submitted_case(world)
    with pytest.raises(Invalid) as exc:
        step.validate(decision="deny", data={"opinion": "  "}, application=app)
    assert set(exc.value.fields) == {"opinion"}
    for missing in (None, [], [{"note": ""}], [{"requirement": 999999}], [{"material": 999999}]):
        with pytest.raises(Invalid) as exc:
            step.validate(decision="supplement", data={"missing": missing}, application=app)
        assert set(exc.value.fields) == {"missing"}, missing
    data = step.validate(
        decision="supplement", data={"missing": [{"note": " 盖章页 "}]}, application=app
    )
    assert data["missing"] == [{"requirement": None, "material": None, "note": "盖章页"}]


def test_an_unknown_decision_names_the_kinds_choices():
    with pytest.raises(Invalid) as exc:
        step.decision("pass")
    assert "approve" in str(exc.value.fields["decision"][0])


def test_accepting_opens_the_reviews_and_starts_the_clock():
    world = _world()
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    assert task.due_at is not None and task.stage == "undertake"
    services.task_complete(task=task, actor=world.lead_staff["undertake"], decision="approve")
    app.refresh_from_db()
    assert app.status == "in_review" and app.due_at is not None
    assert open_task(app, kind="review").department == world.departments[0]
