"""The process-centred flow end to end through the API on PostgreSQL (issue 8 item 2): a
complaint dispatched to two departments, one returns it, the office re-dispatches, both reply,
one consolidated answer; the return cap and window; a joint annual inspection's outcomes; the
reopening once; who sees what (a department never dispatched gets 404)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.services import notify_for_event
from permits.models import Event
from tests.workflow.process_journey import (
    build_process_world,
    dispatch,
    filed_complaint,
    give_back,
    reply,
    send_answer,
)
from workflow import services
from workflow.exceptions import Conflict

pytestmark = pytest.mark.django_db

NOW = "2026-11-02 09:00:00+08:00"  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _queue(client, number, kind=None):
    params = {"scope": "queue", "application": number}
    if kind:
        params["kind"] = kind
    r = client.get("/api/v1/tasks/", params)
    assert r.status_code == 200, r.data
    return r.data["results"]


def _complete(client, task_id, **body):
    return client.post(f"/api/v1/tasks/{task_id}/complete/", body, format="json")


def test_complaint_two_departments_one_returns_redispatch_one_answer():
    world = build_process_world(3)
    a, b, c = world.departments
    citizen = client_for(world.citizen)
    r = citizen.post(
        "/api/v1/applications/",
        {"item": world.item.code, "form": {"summary": "夜间施工噪声扰民"}},
        format="json",
    )
    assert r.status_code == 201, r.data
    number = r.data["number"]
    r = citizen.post(f"/api/v1/applications/{number}/submit/", {}, format="json")
    assert r.status_code == 200 and r.data["status"] == "submitted", r.data

    office = client_for(world.operator)
    outsider = client_for(world.outsider_staff)
    handler_a, handler_b, handler_c = (client_for(world.handler(d)) for d in (a, b, c))
    # Before the dispatch no department but the office sees the case.
    assert handler_a.get(f"/api/v1/applications/{number}/").status_code == 404
    (triage,) = _queue(office, number, "triage")
    r = _complete(
        office,
        triage["id"],
        decision="dispatch",
        departments=[
            {"code": a.code, "instructions": "测量噪声", "time_limit_days": 3},
            {"code": b.code, "instructions": "夜间巡查"},
        ],
    )
    assert r.status_code == 200, r.data
    # The dispatched departments see the case and their task; another department 404.
    assert handler_a.get(f"/api/v1/applications/{number}/").status_code == 200
    assert outsider.get(f"/api/v1/applications/{number}/").status_code == 404
    assert handler_c.get(f"/api/v1/applications/{number}/").status_code == 404
    (task_b,) = _queue(handler_b, number, "handling")
    assert outsider.get(f"/api/v1/tasks/{task_b['id']}/").status_code == 404
    assert _complete(outsider, task_b["id"], decision="reply", opinion="x").status_code == 404

    r = _complete(handler_b, task_b["id"], decision="return", opinion="属于环保部门职责范围外")
    assert r.status_code == 200, r.data
    (task_a,) = _queue(handler_a, number, "handling")
    r = _complete(handler_a, task_a["id"], decision="reply", opinion="已测量，夜间超标，责令停工")
    assert r.status_code == 200, r.data

    # Back to the office: it re-dispatches the returned part (改派).
    (triage2,) = _queue(office, number, "triage")
    r = _complete(
        office,
        triage2["id"],
        decision="dispatch",
        departments=[{"code": c.code, "instructions": "核查施工许可夜间作业证明"}],
    )
    assert r.status_code == 200, r.data
    # B took part: it still sees the case after returning it.
    assert handler_b.get(f"/api/v1/applications/{number}/").status_code == 200
    (task_c,) = _queue(handler_c, number, "handling")
    r = _complete(handler_c, task_c["id"], decision="reply", opinion="未办理夜间施工许可，已立案")
    assert r.status_code == 200, r.data

    (review,) = _queue(office, number, "reply_review")
    r = _complete(office, review["id"], decision="approve")
    assert r.status_code == 200, r.data

    r = citizen.get(f"/api/v1/applications/{number}/")
    assert r.status_code == 200
    assert r.data["status"] == "answered"
    answer = r.data["result"]["answer"]
    assert [p["name"] for p in answer["parts"]] == [a.name, c.name]
    assert "责令停工" in answer["text"] and "已立案" in answer["text"]
    rows = [(d["code"], d["role"], d["status"]) for d in r.data["departments"]]
    assert (b.code, "dispatched", "returned") in rows
    assert (a.code, "dispatched", "replied") in rows and (c.code, "dispatched", "replied") in rows
    answered = Event.objects.get(application__number=number, action="answered")
    notify_for_event(event_id=answered.pk)
    notice = Notification.objects.get(recipient=world.citizen, event=answered)
    assert notice.kind == "answered"


def test_the_return_window_and_may_return_false():
    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    with time_machine.travel("2026-11-06 09:00:00+08:00", tick=True):  # 4 working days later
        with pytest.raises(Conflict):
            give_back(world, app, a)
        reply(world, app, a)
    send_answer(world, app)
    assert app.status == "answered"

    other = filed_complaint(world)
    dispatch(world, other, b, may_return=False)
    with pytest.raises(Conflict):
        give_back(world, other, b)


def test_reply_review_sends_back_to_named_departments_keeping_both_replies():
    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a, b)
    reply(world, app, a, "初次答复")
    reply(world, app, b, "公安局答复")
    from tests.workflow.journey import open_task

    review = open_task(app, kind="reply_review")
    services.task_complete(
        task=review,
        actor=world.operator,
        decision="deny",
        departments=[a.code],
        opinion="请补充监测数据",
    )
    reply(world, app, a, "补充：夜间噪声 65 分贝")
    send_answer(world, app)
    assert "65 分贝" in app.answer and "初次答复" not in app.answer
    assert app.participations.filter(department=a, role="dispatched").count() == 2


def test_joint_annual_inspection_carries_each_departments_outcome():
    world = build_process_world(3, category="annual_inspection")
    departments = world.departments
    app = filed_complaint(world, "2026 年度联合年检")
    dispatch(world, app, *departments)
    from permits.exceptions import Invalid

    with pytest.raises(Invalid):
        reply(world, app, departments[0])  # no outcome
    reply(world, app, departments[0], outcome="passed")
    reply(world, app, departments[1], outcome="passed")
    reply(world, app, departments[2], "消防通道堵塞", outcome="failed")
    send_answer(world, app)
    r = client_for(world.citizen).get(f"/api/v1/applications/{app.number}/")
    answer = r.data["result"]["answer"]
    assert answer["outcome"] == "failed"
    assert [p["outcome"] for p in answer["parts"]] == ["passed", "passed", "failed"]
    assert {d["outcome"] for d in r.data["departments"] if d["role"] == "dispatched"} == {
        "passed",
        "failed",
    }


def test_case_reopen_once_for_a_second_handling():
    world = build_process_world(1)
    (a,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    reply(world, app, a)
    send_answer(world, app)
    services.case_reopen(application=app, reason="差评：问题未解决")
    app.refresh_from_db()
    assert app.status == "in_review" and app.reopened_at is not None
    # The office triages again and dispatches for the second handling.
    dispatch(world, app, a)
    reply(world, app, a, "二次处理：已停工")
    send_answer(world, app)
    assert app.status == "answered" and "二次处理" in app.answer
    with pytest.raises(Conflict):
        services.case_reopen(application=app)
    # Closing (the ratings app's act) then settles the flow.
    app.transition_to("closed")
    app.save()
    assert services.case_answer_settle(application=app) is True
    app.process.refresh_from_db()
    assert app.process.finished is not None


def test_answered_directly_cannot_be_reopened_twice_and_withdraw_until_answered():
    world = build_process_world(1)
    app = filed_complaint(world)
    services.application_withdraw(actor=world.citizen, application=app)
    app.refresh_from_db()
    assert app.status == "withdrawn"
