"""workflow/steps/consultation.py: consulted departments' opinions in a core-department case
(in sequence or all at once, each with its stages), a denial reaching the decision, and the
decision's ``consult`` (a second round, earlier opinions kept)."""

from __future__ import annotations

import pytest
import time_machine

from permits.exceptions import Invalid
from permits.models import ApplicationDepartment
from tests.workflow.journey import accept, build_world, decide, open_task, submitted_case
from workflow import services
from workflow.models import ACTIVE_TASK_STATUSES as ACTIVE
from workflow.models import CaseTask, TaskKind
from workflow.services.notices import denial_notice
from workflow.steps import step_for

pytestmark = pytest.mark.django_db

step = step_for(TaskKind.CONSULTATION)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def core_world(n=2, mode="sequential", **kw):
    return build_world(n, service_model="core_department", consult_mode=mode, **kw)


def consult(world, app, dept, decision="approve", opinion="同意"):
    for stage in world.staff[dept.code]:
        task = open_task(app, kind="consultation", department=dept)
        assert task.stage == stage
        services.task_complete(
            task=task, actor=world.reviewer(dept, stage), decision=decision, opinion=opinion
        )


def consultations_open(app):
    return list(
        CaseTask.objects.filter(status__in=ACTIVE)
        .filter(application=app, kind="consultation")
        .values_list("department_id", flat=True)
    )


def test_decisions_and_their_input():
    assert set(step.decisions) == {"approve", "deny"}
    for decision in ("approve", "deny"):
        with pytest.raises(Invalid) as exc:
            step.validate(decision=decision, data={})
        assert set(exc.value.fields) == {"opinion"}
    assert step.validate(decision="approve", data={"opinion": "同意"}) == {"opinion": "同意"}
    assert "consult" in step_for(TaskKind.DECISION).decisions


def test_sequential_opens_one_at_a_time_in_position_order():
    world = core_world(2, "sequential")
    first, second = world.departments
    app = submitted_case(world)
    accept(world, app)
    assert consultations_open(app) == [first.pk]
    # The second department has no row yet: it takes part only when its turn comes.
    assert not ApplicationDepartment.objects.filter(application=app, department=second).exists()
    consult(world, app, first)
    assert consultations_open(app) == [second.pk]
    assert (
        not CaseTask.objects.filter(status__in=ACTIVE)
        .filter(application=app, kind="decision")
        .exists()
    )
    consult(world, app, second)
    assert consultations_open(app) == []
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"


def test_parallel_opens_together_and_the_decision_waits_for_all():
    world = core_world(2, "parallel")
    first, second = world.departments
    app = submitted_case(world)
    accept(world, app)
    assert sorted(consultations_open(app)) == sorted([first.pk, second.pk])
    consult(world, app, second)
    assert consultations_open(app) == [first.pk]
    assert (
        not CaseTask.objects.filter(status__in=ACTIVE)
        .filter(application=app, kind="decision")
        .exists()
    )
    consult(world, app, first)
    assert open_task(app, kind="decision").department_id == world.lead.pk


def test_stages_of_a_consulted_department_follow_each_other():
    world = core_world(1, stages={0: ["undertake", "check"]})
    dept = world.departments[0]
    app = submitted_case(world)
    accept(world, app)
    consult(world, app, dept)
    row = ApplicationDepartment.objects.get(application=app, department=dept)
    assert row.status == "approved" and row.opinion == "同意"
    assert CaseTask.objects.filter(application=app, kind="consultation").count() == 2


def test_a_denial_does_not_stop_the_flow_and_reaches_the_decision():
    world = core_world(2)
    first, second = world.departments
    app = submitted_case(world)
    accept(world, app)
    consult(world, app, first, decision="deny", opinion="户籍信息不符")
    assert consultations_open(app) == [second.pk]
    consult(world, app, second)
    reasons = services.department_reasons(app)
    assert {"department": first.name, "status": "denied", "opinion": "户籍信息不符"}.items() <= (
        next(r for r in reasons if r["department"] == first.name).items()
    )
    decide(world, app, decision="deny", opinion="不符合签发条件")
    app.refresh_from_db()
    assert app.status == "denied"
    assert "户籍信息不符" in denial_notice(app)


def test_consult_again_keeps_both_opinions_in_two_rows():
    world = core_world(2)
    first, second = world.departments
    app = submitted_case(world)
    accept(world, app)
    consult(world, app, first, opinion="第一轮意见")
    consult(world, app, second)
    task = open_task(app, kind="decision")
    services.task_complete(
        task=task,
        actor=world.lead_staff["undertake"],
        decision="consult",
        departments=[first.code],
        opinion="请再核查户籍迁移情况",
    )
    assert consultations_open(app) == [first.pk]
    again = open_task(app, kind="consultation", department=first)
    assert again.round == 2
    consult(world, app, first, opinion="第二轮意见")
    rows = ApplicationDepartment.objects.filter(application=app, department=first).order_by("round")
    assert [(r.round, r.opinion) for r in rows] == [(1, "第一轮意见"), (2, "第二轮意见")]
    assert rows[1].duty == "请再核查户籍迁移情况"
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved" and app.certificate is not None


def test_consult_needs_departments_and_a_core_department_case():
    world = core_world(1)
    app = submitted_case(world)
    accept(world, app)
    consult(world, app, world.departments[0])
    task = open_task(app, kind="decision")
    actor = world.lead_staff["undertake"]
    with pytest.raises(Invalid) as exc:
        services.task_complete(task=task, actor=actor, decision="consult", opinion="再看看")
    assert set(exc.value.fields) == {"departments"}
    with pytest.raises(Invalid) as exc:
        services.task_complete(
            task=task, actor=actor, decision="consult", departments=[world.lead.code], opinion="x"
        )
    assert set(exc.value.fields) == {"departments"}
    parallel = build_world(1)
    papp = submitted_case(parallel)
    accept(parallel, papp)
    for stage in parallel.staff[parallel.departments[0].code]:
        t = open_task(papp, kind="review")
        services.task_complete(
            task=t, actor=parallel.reviewer(parallel.departments[0], stage), decision="approve"
        )
    with pytest.raises(Invalid) as exc:
        services.task_complete(
            task=open_task(papp, kind="decision"),
            actor=parallel.lead_staff["undertake"],
            decision="consult",
            departments=[parallel.departments[0].code],
            opinion="x",
        )
    assert set(exc.value.fields) == {"departments"}


def test_the_decision_page_shows_every_opinion_by_round_and_consults_again(client):
    from django.urls import reverse

    world = core_world(2)
    first, second = world.departments
    app = submitted_case(world)
    accept(world, app)
    consult(world, app, first, decision="deny", opinion="第一轮不同意")
    consult(world, app, second, opinion="第二部门同意")
    task = open_task(app, kind="decision")
    client.force_login(world.lead_staff["undertake"])
    url = reverse("workflow:task_detail", args=[task.pk])
    body = client.get(url).content.decode()
    assert "第一轮不同意" in body and "第二部门同意" in body
    assert 'value="consult"' in body and 'data-testid="consult-picker"' in body
    response = client.post(
        url,
        # The picker's departments; what to look at falls back to the opinion field.
        {"d-decision": "consult", "d-departments": [first.code], "d-opinion": "请再核查"},
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    again = open_task(app, kind="consultation", department=first)
    assert again.round == 2
    consult(world, app, first, opinion="第二轮同意")
    body = client.get(reverse("workflow:task_detail", args=[open_task(app, kind="decision").pk]))
    text = body.content.decode()
    assert "第一轮不同意" in text and "第二轮同意" in text and "第 2 轮" in text
