"""The core department's decision page offers ``consult`` with a department picker: the item's
consulted departments first with their earlier opinions, then the region's others; what to look
at; a new round from the page; validation messages in Chinese. Other cases' decisions do not
offer ``consult``."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, open_task, submitted_case
from workflow import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def core_case_at_decision():
    world = build_world(2, service_model="core_department", consult_mode="sequential")
    app = submitted_case(world)
    accept(world, app)
    one, two = world.departments
    for dept, decision, opinion in ((one, "deny", "户籍信息待核实"), (two, "approve", "同意")):
        task = open_task(app, kind="consultation", department=dept)
        services.task_complete(
            task=task, actor=world.reviewer(dept), decision=decision, opinion=opinion
        )
    return world, app, open_task(app, kind="decision")


def test_the_decision_page_offers_a_picker_with_earlier_opinions_and_consults_again():
    world, app, task = core_case_at_decision()
    one, two = world.departments
    outside = f.department(name="市卫健局")
    lead = client_for(world.lead_staff["undertake"])
    url = reverse("workflow:task_detail", args=[task.pk])
    page = lead.get(url).content.decode()
    assert 'data-testid="consult-picker"' in page
    # The consulted departments first (by position), then the region's others; not the lead.
    order = [page.index(f'data-testid="consult-{d.code}"') for d in (one, two, outside)]
    assert order == sorted(order)
    assert f'data-testid="consult-{world.lead.code}"' not in page
    assert "户籍信息待核实" in page  # the denial is shown beside its department

    r = lead.post(
        url,
        {
            "d-decision": "consult",
            "d-departments": [one.code, outside.code],
            "d-consult_note": "请补充核查户籍迁移记录",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    rows = app.participations.filter(role="consult").order_by("round", "position")
    assert [(r.department_id, r.round) for r in rows] == [
        (one.pk, 1),
        (two.pk, 1),
        (one.pk, 2),  # sequential: the second round opens one at a time
    ]
    again = open_task(app, kind="consultation", department=one)
    assert again.round == 2 or again.participation.round == 2
    assert again.participation.duty == "请补充核查户籍迁移记录"
    # The consulted department's page shows what to look at and the earlier opinions.
    page = client_for(world.reviewer(one)).get(reverse("workflow:task_detail", args=[again.pk]))
    body = page.content.decode()
    assert 'data-testid="consult-duty"' in body and "请补充核查户籍迁移记录" in body
    assert "户籍信息待核实" in body


def test_consult_without_departments_or_note_says_so_in_chinese():
    world, app, task = core_case_at_decision()
    lead = client_for(world.lead_staff["undertake"])
    url = reverse("workflow:task_detail", args=[task.pk])
    r = lead.post(url, {"d-decision": "consult", "d-consult_note": ""})
    assert r.status_code == 400  # the form again, with its errors
    body = r.content.decode()
    assert "请说明需要征求意见的事项。" in body  # on the note's field
    assert 'id="id_d-consult_note_errors"' in body
    assert 'id="id_d-departments_errors"' in body  # and on the picker
    r = lead.post(url, {"d-decision": "consult", "d-departments": ["nope"], "d-consult_note": "x"})
    assert "nope" in r.content.decode() and "有效" in r.content.decode()  # Django's zh message
    task.refresh_from_db()
    assert task.status != "done"


def test_a_parallel_case_decision_does_not_offer_consult():
    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    (dept,) = world.departments
    services.task_complete(
        task=open_task(app, kind="review", department=dept),
        actor=world.reviewer(dept),
        decision="approve",
        opinion="同意",
    )
    task = open_task(app, kind="decision")
    page = client_for(world.lead_staff["undertake"]).get(
        reverse("workflow:task_detail", args=[task.pk])
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="consult"' not in body and 'data-testid="consult-picker"' not in body
