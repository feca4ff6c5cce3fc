"""差评 handling: a 1–2 rating opens a rectification task for the lead department under the
sweep (due in 15 working days), the callback, the fix the citizen answers on; or the appeal to
the region's supervisor: overturn sets the rating aside (out of the figures), uphold keeps the
rectification open. A process-centred case's first 差评 reopens it once, and only once."""

from datetime import date

import pytest
import time_machine

from departments.models import Role
from evaluations import figures, handling
from evaluations.models import Rating, Rectification
from onestop.errors import Conflict, Invalid
from permits.choices import EventAction
from tests.evaluations.helpers import (
    answered_complaint,
    client,
    finished_case,
    rate,
    second_answer,
)
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import recorded
from tests.workflow.journey import open_task
from workflow.deadlines import followup, sweep
from workflow.models import CaseTask, TaskDeadline

pytestmark = pytest.mark.django_db

NOW = "2026-11-02 09:00:00+08:00"  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _complete(task, user, decision, **fields):
    return client(user).post(
        f"/api/v1/tasks/{task.pk}/complete/", {"decision": decision, **fields}, format="json"
    )


def test_a_bad_rating_opens_a_rectification_task_under_the_sweep_then_fixed(work_calendar, _frozen):
    world, app = finished_case()
    response = rate(world.citizen, app, 2, tags=["overdue", "efficiency"], comment="太慢")
    assert response.status_code == 201, response.content
    task = open_task(app, kind="rectification")
    assert task.department_id == world.lead.pk and task.stage == "undertake"
    # The 15th working day after Monday 2 November 2026: Monday 23 November.
    assert task.due_at.astimezone().date() == date(2026, 11, 23)
    rating = Rating.objects.get(application=app)
    assert rating.reasons == ["overdue"] and rating.tags == ["efficiency"]
    rect = rating.rectification
    assert rect.task_id == task.pk and rect.status == "open"
    # The sweep marks it like every task (its narrow deadline row); the follow-up gives the
    # task its red warning with the red card's event.
    _frozen.move_to("2026-11-24 09:00:00+08:00")
    result = sweep.sweep()
    assert TaskDeadline.objects.get(task=task).warning == "red"
    followup.process_marks(mark_ids=recorded(result))
    task.refresh_from_db()
    assert task.warning == "red"
    lead = world.lead_staff["undertake"]
    # No fix without the callback first.
    refused = _complete(task, lead, "done", opinion="已优化流程")
    assert refused.status_code == 400 and "revisit" in refused.json()["fields"]
    called = _complete(
        task,
        lead,
        "callback",
        revisit="已电话回访，申请人反映等待时间长",
        called_on="2026-11-03",
        callback_person="李四",
    )
    assert called.status_code == 200, called.content
    rect.refresh_from_db()
    assert rect.revisit_person == "李四" and rect.revisit.startswith("已电话回访")
    done = _complete(task, lead, "done", opinion="已优化审批流程", told="已告知申请人整改情况")
    assert done.status_code == 200, done.content
    rect.refresh_from_db()
    assert rect.status == "done" and rect.on_time is False and rect.fix == "已优化审批流程"
    actions = list(app.events.values_list("action", flat=True))
    for action in ("rectification_opened", "rectification_callback", "rectified"):
        assert action in actions
    # The citizen answers on the fix, once; the case detail shows the outcome.
    handling.fix_confirm(actor=world.citizen, application=app, answer="basically")
    with pytest.raises(Conflict):
        handling.fix_confirm(actor=world.citizen, application=app, answer="satisfied")
    detail = client(world.citizen).get(f"/api/v1/applications/{app.number}/").json()
    assert detail["ratings"][0]["rectification_status"] == "done"
    page = client(world.citizen)
    page.force_login(world.citizen)
    html = page.get(f"/my/cases/{app.number}/").content.decode()
    assert "已优化审批流程" in html


def test_appeal_overturned_sets_the_rating_aside_and_out_of_the_figures(work_calendar):
    world, app = finished_case()
    rate(world.citizen, app, 1, tags=["bad_attitude"])
    task = open_task(app, kind="rectification")
    lead = world.lead_staff["undertake"]
    appealed = _complete(
        task,
        lead,
        "appeal",
        opinion="申请人要求办理不符合法定条件的事项",
        revisit="已回访，申请人坚持",
        evidence=["录音编号 2026-1103-01"],
    )
    assert appealed.status_code == 200, appealed.content
    review = open_task(app, kind="appeal_review")
    head = f.staff(world.lead, Role.HEAD)
    supervisor = f.supervisor(app.region, world.lead)
    # Only the region's supervisor decides; the department's head does not.
    assert _complete(review, head, "overturn", opinion="x").status_code in (403, 404)
    assert _complete(review, supervisor, "overturn").status_code == 400  # reasons required
    assert (
        _complete(review, supervisor, "overturn", opinion="经核实，差评与服务无关").status_code
        == 200
    )
    rating = Rating.objects.get(application=app)
    assert rating.set_aside and rating.set_aside_reasons == "经核实，差评与服务无关"
    assert rating.rectification.appeal_status == "overturned"
    year = figures.figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert year.overall.total == 0 and year.overall.bad == 0
    assert app.events.filter(action=EventAction.APPEAL_OVERTURNED).exists()
    detail = client(world.citizen).get(f"/api/v1/applications/{app.number}/").json()
    assert detail["ratings"][0]["appeal_status"] == "overturned"


def test_appeal_upheld_keeps_the_rectification_open(work_calendar):
    world, app = finished_case()
    rate(world.citizen, app, 2)
    task = open_task(app, kind="rectification")
    lead = world.lead_staff["undertake"]
    _complete(task, lead, "callback", revisit="已回访")
    assert _complete(task, lead, "appeal", opinion="不属实").status_code == 200
    review = open_task(app, kind="appeal_review")
    supervisor = f.supervisor(app.region, world.lead)
    assert _complete(review, supervisor, "uphold", opinion="差评成立").status_code == 200
    again = open_task(app, kind="rectification")
    assert again.pk != task.pk and again.due_at == task.due_at
    rect = Rectification.objects.get(rating__application=app)
    assert rect.status == "open" and rect.appeal_status == "upheld" and rect.task_id == again.pk
    year = figures.figures(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert year.overall.bad == 1
    # The callback was recorded before: the fix needs no second one.
    assert _complete(again, lead, "done", opinion="已整改").status_code == 200


def test_unsatisfied_process_centred_answer_reopens_once_and_only_once(work_calendar):
    world, app = answered_complaint()
    assert rate(world.citizen, app, 1, tags=["other"]).status_code == 201
    app.refresh_from_db()
    assert app.status == "in_review" and app.reopened_at is not None
    assert not CaseTask.objects.filter(application=app, kind="rectification").exists()
    # No rating while it is handled again.
    assert rate(world.citizen, app, 2).status_code == 409
    app = second_answer(world, app)
    assert app.status == "answered"
    second = rate(world.citizen, app, 2)
    assert second.status_code == 201, second.content
    app.refresh_from_db()
    # Rated again after the reopening: closed, and the 差评 goes to rectification instead.
    assert app.status == "closed"
    task = open_task(app, kind="rectification")
    assert task.department_id == world.office.pk
    assert rate(world.citizen, app, 5).status_code == 409
    assert app.events.filter(action=EventAction.REOPENED).count() == 1
    assert sorted(Rating.objects.filter(application=app).values_list("round", flat=True)) == [1, 2]
    # The coordinating office hands it to the department that handled the case.
    (dept,) = world.departments
    stranger = f.department(name="无关部门")
    with pytest.raises(Invalid):
        handling.rectification_reassign_department(
            task=task, actor=world.operator, department=stranger.code
        )
    moved = client(world.operator).post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"department": dept.code}, format="json"
    )
    assert moved.status_code == 200, moved.content
    task.refresh_from_db()
    assert task.department_id == dept.pk and task.status == "open"
    with pytest.raises(Conflict):  # handed on once: only the office hands it on
        handling.rectification_reassign_department(
            task=task, actor=world.handler(dept), department=dept.code
        )


def test_a_satisfied_answer_closes_the_process_centred_case(work_calendar):
    world, app = answered_complaint()
    assert rate(world.citizen, app, 4).status_code == 201
    app.refresh_from_db()
    assert app.status == "closed"
    app.process.refresh_from_db()
    assert app.process.finished is not None
    assert app.events.filter(action="case_closed").count() == 1


def test_the_task_page_records_the_callback_and_the_fix(work_calendar):
    from django.test import Client

    world, app = finished_case()
    rate(world.citizen, app, 1)
    task = open_task(app, kind="rectification")
    page = Client()
    page.force_login(world.lead_staff["undertake"])
    html = page.get(f"/office/tasks/{task.pk}/").content.decode()
    assert 'name="d-revisit"' in html and "记录回访核实" in html
    page.post(
        f"/office/tasks/{task.pk}/",
        {
            "d-decision": "callback",
            "d-revisit": "已回访",
            "d-called_on": "2026-11-02",
            "d-callback_person": "王五",
        },
    )
    rect = Rectification.objects.get(rating__application=app)
    assert rect.revisit == "已回访" and rect.revisit_person == "王五"
    page.post(
        f"/office/tasks/{task.pk}/",
        {"d-decision": "done", "d-opinion": "已整改", "d-told": "已告知"},
    )
    rect.refresh_from_db()
    assert rect.status == "done" and rect.told == "已告知"
