"""An approved case's page says how the applicant gets the result (统一窗口出件): before the
hand-over, the result window of the service centre of the case's region; after it, how it was
handed over."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import ServiceCentre
from tests.workflow.journey import accept, build_world, decide, submitted_case
from workflow import services

pytestmark = pytest.mark.django_db


def test_an_approved_case_says_where_to_collect_the_result_and_then_how_it_was_handed_over(
    client,
):
    world = build_world(0)
    app = submitted_case(world)
    accept(world, app)
    decide(world, app)
    centre = ServiceCentre.objects.create(
        region_id=app.region_id,
        department=world.lead,
        name="测试市政务服务中心",
        address="测试市世纪大道 1 号",
        opening_hours="周一至周五 9:00–17:00",
    )
    client.force_login(world.citizen)
    page = reverse("portal:case_detail", kwargs={"number": app.number})

    html = client.get(page).content.decode()
    assert "统一出件窗口" in html and centre.name in html and centre.address in html

    services.application_handover(
        actor=world.lead_staff["undertake"],
        application=app,
        method="mail",
        address="测试市某路 2 号",
        courier="中国邮政 EMS",
        tracking_number="EA123456789CN",
    )
    html = client.get(page).content.decode()
    assert "邮寄送达" in html and "EA123456789CN" in html
    assert "统一出件窗口" not in html
