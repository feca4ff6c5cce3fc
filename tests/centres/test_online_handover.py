"""Handing over an online case at a window (统一窗口出件; API.md: "staff of the handing-over
centre or the lead department"): a clerk of the service centre of the case's region may hand
over a decided online case, on the page and through the API, and the case then records that
centre (so the centre's clerks see it afterwards); before the decision, and for a clerk of
another region's centre, the case is not found (404); nothing else about it becomes visible."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Role
from permits.models import Event
from tests.workflow import factories as f
from tests.workflow.journey import accept, approve_department, build_world, decide, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    world = build_world(1)
    centre_dept = f.department(name="云浮市政务服务中心")
    centre = f.centre(world.lead.region, centre_dept)
    clerk = f.staff(centre_dept, Role.CLERK)
    other_dept = f.department(name="罗定市政务服务中心", reg=f.region("445381", "罗定市"))
    f.centre(other_dept.region, other_dept)
    stranger = f.staff(other_dept, Role.CLERK)
    return world, centre, clerk, stranger


def _decided(world):
    app = submitted_case(world)
    accept(world, app)
    approve_department(world, app, world.departments[0])
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved" and app.centre_id is None and app.channel == "online"
    return app


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def handover(user, app, **body):
    return api(user).post(
        f"/api/v1/applications/{app.number}/handover/",
        {"method": "window", "collected_by": "张三", "id_checked": True, **body},
        format="json",
    )


def test_a_clerk_of_the_cases_region_hands_over_a_decided_online_case_through_the_api(setting):
    world, centre, clerk, stranger = setting
    app = _decided(world)
    assert app.region_id == centre.region_id
    # Not visible to the clerk as a case (an online case of another door) …
    assert api(clerk).get(f"/api/v1/applications/{app.number}/").status_code == 404
    # … another region's clerk cannot hand it over: 404, nothing changed.
    refused = handover(stranger, app)
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    app.refresh_from_db()
    assert app.status == "approved" and app.centre_id is None
    # The clerk of the case's region's centre can, and the case records the centre.
    done = handover(clerk, app)
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "closed"
    app.refresh_from_db()
    assert app.status == "closed" and app.centre_id == centre.pk
    assert app.handover["handed_over_by"] == clerk.get_username()
    assert Event.objects.filter(application=app, action="handed_over").exists()
    # Handed over at their centre: now the centre's clerks see it (DESIGN.md §5).
    assert api(clerk).get(f"/api/v1/applications/{app.number}/").status_code == 200
    assert api(stranger).get(f"/api/v1/applications/{app.number}/").status_code == 404


def test_not_before_the_decision(setting):
    world, centre, clerk, stranger = setting
    app = submitted_case(world)
    accept(world, app)
    response = handover(clerk, app)
    assert response.status_code == 404
    app.refresh_from_db()
    assert app.status == "in_review" and app.centre_id is None


def test_the_hand_over_page_for_the_regions_clerk_only(setting, client):
    world, centre, clerk, stranger = setting
    app = _decided(world)
    url = reverse("centres:intake:handover", args=[app.number])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    pick_up = {"method": "window", "collected_by": "李四", "id_checked": "on"}
    assert client.post(url, pick_up).status_code == 404
    client.force_login(clerk)
    page = client.get(url)
    assert page.status_code == 200 and "登记出件" in page.content.decode()
    done = client.post(url, pick_up)
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == "closed" and app.centre_id == centre.pk


def test_the_lead_department_still_hands_over_without_giving_the_case_a_centre(setting):
    world, centre, clerk, stranger = setting
    app = _decided(world)
    response = handover(world.lead_staff["undertake"], app, method="electronic")
    assert response.status_code == 200, response.json()
    app.refresh_from_db()
    assert app.status == "closed" and app.centre_id is None
