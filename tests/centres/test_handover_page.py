"""The clerk's hand-over page (centres.intake): pick-up records who collected it, with the ID
checked; the case closes; a clerk of another centre gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Role
from tests.workflow import factories as f
from tests.workflow.journey import accept, approve_department, build_world, decide, submitted_case

pytestmark = pytest.mark.django_db


def test_pick_up_at_the_window_closes_the_case(client):
    world = build_world(1)
    centre_dept = f.department(name="云浮市政务服务中心")
    f.centre(world.lead.region, centre_dept)
    clerk = f.staff(centre_dept, Role.CLERK)
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])
    decide(world, app)
    url = reverse("centres:intake:handover", args=[app.number])
    # Not the clerk's centre's case yet (online case): a stranger clerk of another region.
    other_dept = f.department(name="罗定市政务服务中心", reg=f.region("445381", "罗定市"))
    f.centre(other_dept.region, other_dept)
    client.force_login(f.staff(other_dept, Role.CLERK))
    assert client.get(url).status_code == 404
    client.force_login(world.lead_staff["undertake"])  # the lead department hands over
    page = client.get(url)
    assert page.status_code == 200 and "登记出件" in page.content.decode()
    refused = client.post(url, {"method": "window", "collected_by": "张三"})
    assert refused.status_code == 400
    app.refresh_from_db()
    assert app.status == "approved"
    done = client.post(
        url, {"method": "window", "collected_by": "张三", "id_checked": "on"}, follow=True
    )
    assert done.status_code == 200
    app.refresh_from_db()
    assert app.status == "closed"
    assert app.handover["collected_by"] == "张三" and app.handover["id_checked"] is True
    assert app.handover["collected_at"]
    assert (
        clerk
    )  # the centre's clerk exists; the online case gets a centre only when a clerk hands over
