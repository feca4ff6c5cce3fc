"""The core-department flow on PostgreSQL, driven through the API as a client would: the core
department accepts, consulted departments give their opinions in sequence (by position) or all
at once, a second consultation keeps both opinions, a denial reaches the decision; the access
matrix for consulted departments; the extension rule (第四十二条) by the item's model."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from departments.models import Role
from permits.choices import ExtensionRule, default_extension_rule
from tests.workflow import factories as f
from tests.workflow.journey import build_world, submitted_case
from workflow.deadlines import clocks
from workflow.deadlines.clocks import ClockError
from workflow.spec import version_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    cache.clear()
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield
    cache.clear()


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def core_world(n=2, mode="sequential"):
    return build_world(n, service_model="core_department", consult_mode=mode)


def queue(user, number, kind=None, scope="queue"):
    params = {"scope": scope, "application": number}
    if kind:
        params["kind"] = kind
    r = client_for(user).get("/api/v1/tasks/", params)
    assert r.status_code == 200, r.content
    return r.json()["results"]


def complete(user, task_id, **body):
    return client_for(user).post(f"/api/v1/tasks/{task_id}/complete/", body, format="json")


def open_tasks(user, number, kind=None):
    """The user's tasks of the case still to do: the department's queue and their own list."""
    return queue(user, number, kind) + queue(user, number, kind, scope="mine")


def do(user, number, kind, **body):
    # The decision waits in the accepter's own list (DECISION_TASK_TO_ACCEPTER), the rest in
    # the department's queue.
    tasks = queue(user, number, kind, scope="mine" if kind == "decision" else "queue")
    assert len(tasks) == 1, tasks
    r = complete(user, tasks[0]["id"], **body)
    assert r.status_code == 200, r.content
    return tasks[0]


def detail(user, number):
    r = client_for(user).get(f"/api/v1/applications/{number}/")
    return r


def test_sequential_consultations_through_the_api_with_a_second_round_and_a_denial():
    world = core_world(2, "sequential")
    first, second = world.departments
    app = submitted_case(world)
    lead = world.lead_staff["undertake"]
    one, two = world.reviewer(first), world.reviewer(second)
    # The second consulted department sees nothing before its turn (404, no task).
    assert detail(two, app.number).status_code == 404
    do(lead, app.number, "acceptance", decision="approve")
    assert queue(two, app.number) == []
    assert detail(two, app.number).status_code == 404
    body = detail(one, app.number).json()
    assert [(d["role"], d["round"]) for d in body["departments"]] == [("lead", 1), ("consult", 1)]
    do(one, app.number, "consultation", decision="deny", opinion="户籍信息待核实")
    # Its turn now: the second department sees the case and its task.
    assert detail(two, app.number).status_code == 200
    assert open_tasks(lead, app.number, "decision") == []
    do(two, app.number, "consultation", decision="approve", opinion="同意")
    # The decision: consult the first department again about what it raised.
    do(
        lead,
        app.number,
        "decision",
        decision="consult",
        departments=[first.code],
        opinion="请核实户籍迁移",
    )
    assert open_tasks(lead, app.number, "decision") == []
    do(one, app.number, "consultation", decision="approve", opinion="已核实，同意")
    task = do(lead, app.number, "decision", decision="approve", opinion="准予签发")
    assert task["kind"] == "decision"
    body = detail(lead, app.number).json()
    assert body["status"] == "approved"
    consulted = [
        (d["code"], d["round"], d["status"], d["opinion"])
        for d in body["departments"]
        if d["role"] == "consult"
    ]
    assert consulted == [
        (first.code, 1, "denied", "户籍信息待核实"),
        (second.code, 1, "approved", "同意"),
        (first.code, 2, "approved", "已核实，同意"),
    ]
    assert body["result"]["certificate_number"]
    # A department never consulted answers 404.
    stranger = f.staff(f.department(), Role.REVIEWER)
    assert detail(stranger, app.number).status_code == 404


def test_parallel_consultations_open_together_through_the_api():
    world = core_world(2, "parallel")
    first, second = world.departments
    app = submitted_case(world)
    do(world.lead_staff["undertake"], app.number, "acceptance", decision="approve")
    assert len(queue(world.reviewer(first), app.number, "consultation")) == 1
    assert len(queue(world.reviewer(second), app.number, "consultation")) == 1
    do(world.reviewer(second), app.number, "consultation", decision="approve", opinion="同意")
    assert open_tasks(world.lead_staff["undertake"], app.number, "decision") == []
    do(world.reviewer(first), app.number, "consultation", decision="deny", opinion="不同意")
    do(world.lead_staff["undertake"], app.number, "decision", decision="deny", opinion="不予签发")
    assert detail(world.lead_staff["undertake"], app.number).json()["status"] == "denied"


def test_a_consultation_opinion_is_required():
    world = core_world(1)
    app = submitted_case(world)
    do(world.lead_staff["undertake"], app.number, "acceptance", decision="approve")
    task = queue(world.reviewer(world.departments[0]), app.number, "consultation")[0]
    r = complete(world.reviewer(world.departments[0]), task["id"], decision="approve")
    assert r.status_code == 400 and "opinion" in r.json()["fields"]


# --- The extension rule (第四十二条) ----------------------------------------------------------


def test_extension_rule_defaults_by_model():
    assert default_extension_rule("core_department") == ExtensionRule.JOINT
    assert default_extension_rule("parallel") == ExtensionRule.JOINT
    assert default_extension_rule("single_department") == ExtensionRule.SINGLE
    assert default_extension_rule("core_department", with_other_departments=False) == "single"
    core = core_world(1)
    assert version_spec(core.item.current_version).extension_rule == ExtensionRule.JOINT
    single = build_world(0)
    assert version_spec(single.item.current_version).extension_rule == ExtensionRule.SINGLE


def test_a_core_department_case_gets_the_joint_extension_45_plus_15():
    world = core_world(1)
    app = submitted_case(world)
    do(world.lead_staff["undertake"], app.number, "acceptance", decision="approve")
    head = f.staff(world.lead, Role.HEAD)
    ext = clocks.clock_extend(
        actor=head,
        application=app,
        kind="joint",
        reason="征求意见部门较多",
        approver_title="云浮市人民政府副市长",
    )
    assert ext.days == 15


def test_the_item_setting_overrides_the_default():
    world = core_world(1)
    version = world.item.current_version
    snapshot = {
        **version.snapshot,
        "item": {**version.snapshot["item"], "extension_rule": "single"},
    }
    world.item.current_version = type(version).objects.create(
        item=world.item, number=2, snapshot=snapshot
    )  # versions are immutable: the setting comes with a new one
    world.item.save(update_fields=["current_version"])
    app = submitted_case(world)
    do(world.lead_staff["undertake"], app.number, "acceptance", decision="approve")
    with pytest.raises(ClockError):
        clocks.clock_extend(
            actor=f.staff(world.lead, Role.HEAD),
            application=app,
            kind="joint",
            reason="x",
            approver_title="副市长",
        )
