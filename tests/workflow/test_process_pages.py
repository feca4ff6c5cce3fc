"""The back office's triage, handling and reply-review pages (the decision form's kind
extensions) and the citizen's case page with the answer."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.workflow.journey import open_task
from tests.workflow.process_journey import build_process_world, dispatch, filed_complaint, reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_triage_page_suggests_the_catalogue_and_dispatches():
    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    task = open_task(app, kind="triage")
    office = client_for(world.operator)
    url = reverse("workflow:task_detail", args=[task.pk])
    page = office.get(url).content.decode()
    assert 'data-testid="dispatch-picker"' in page
    assert f'data-testid="dispatch-{a.code}"' in page and f'data-testid="dispatch-{b.code}"' in page
    picked = {}
    for dept in (a, b):
        picked.update(
            {
                f"d-send_{dept.pk}": "on",
                f"d-instructions_{dept.pk}": f"请{dept.name}处理",
                f"d-days_{dept.pk}": "3",
                f"d-unit_{dept.pk}": "working_day",
                f"d-return_{dept.pk}": "on",
            }
        )
    r = office.post(url, {"d-decision": "dispatch", **picked})
    assert r.status_code == 302, r.content.decode()[:2000]
    app.refresh_from_db()
    assert app.status == "in_review"
    assert app.participations.filter(role="dispatched", time_limit_days=3).count() == 2

    # The handling page, then the reply review composes the answer from both replies.
    handling = open_task(app, kind="handling", department=a)
    page = client_for(world.handler(a)).get(reverse("workflow:task_detail", args=[handling.pk]))
    assert "请" in page.content.decode() and page.status_code == 200
    reply(world, app, a, "甲部门答复")
    reply(world, app, b, "乙部门答复")
    review = open_task(app, kind="reply_review")
    url = reverse("workflow:task_detail", args=[review.pk])
    page = office.get(url).content.decode()
    assert 'data-testid="answer-parts"' in page and "甲部门答复" in page
    r = office.post(url, {"d-decision": "approve", "d-opinion": "综合答复：已处理。"})
    assert r.status_code == 302
    page = client_for(world.citizen).get(reverse("portal:case_detail", args=[app.number]))
    body = page.content.decode()
    assert 'data-testid="case-answer"' in body and "综合答复：已处理。" in body


def test_a_department_never_dispatched_gets_404_on_the_task_page():
    world = build_process_world(1)
    (a,) = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a)
    handling = open_task(app, kind="handling")
    r = client_for(world.outsider_staff).get(reverse("workflow:task_detail", args=[handling.pk]))
    assert r.status_code == 404


def test_the_supervision_panel_counts_returns_and_replies_on_time():
    from datetime import date

    from tests.workflow import factories as f
    from tests.workflow.process_journey import give_back
    from workflow.deadlines.process_board import handling_counts
    from workflow.deadlines.supervision import BoardFilters

    world = build_process_world(2)
    a, b = world.departments
    app = filed_complaint(world)
    dispatch(world, app, a, b)
    give_back(world, app, b)
    reply(world, app, a)
    head = f.user(is_superuser=True)
    rows = {
        r["department_id"]: r
        for r in handling_counts(head, BoardFilters(date(2026, 11, 1), date(2026, 11, 30)))
    }
    assert rows[b.pk]["returns"] == 1 and rows[b.pk]["replies"] == 0
    assert rows[a.pk]["replies"] == 1 and rows[a.pk]["on_time"] == 1
    assert rows[a.pk]["on_time_rate"] == 100
    r = client_for(head).get(reverse("deadlines:supervision"))
    assert 'data-testid="process-handling-panel"' in r.content.decode()
