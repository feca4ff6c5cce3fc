"""Personal data of a case (issue 12 item 5): the data-access log of every full view, download
and export, the citizen reading it on their account page, and supervisors seeing masked data."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditRecord, DataAccess
from departments.models import Role
from permits.models import Material
from tests.workflow import factories as f
from tests.workflow.journey import build_world, open_task
from workflow import services

pytestmark = pytest.mark.django_db

AGENT_ID = "440106199001011235"
AGENT_PHONE = "13912345678"
FIELDS = [
    {"name": "summary", "label": "申请事由", "type": "text", "required": True},
    {"name": "agent_id", "label": "代理人身份证号", "type": "id_number", "required": True},
    {"name": "agent_phone", "label": "代理人手机", "type": "phone", "required": True},
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"
    cache.clear()
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=True):
        yield
    cache.clear()


@pytest.fixture
def world():
    w = build_world(1)
    w.item = f.published_item(lead=w.lead, parallel=w.departments, form_fields=FIELDS)
    return w


@pytest.fixture
def case(world):
    app = services.application_create(
        actor=world.citizen,
        item=world.item,
        form={"summary": "申请", "agent_id": AGENT_ID, "agent_phone": AGENT_PHONE},
    )
    for req in world.item.current_version.snapshot["materials"]:
        services.material_upload(
            actor=world.citizen,
            application=app,
            requirement_id=req["id"],
            uploaded_file=f.pdf_file(),
        )
    services.application_submit(actor=world.citizen, application=app)
    app.refresh_from_db()
    return app


def _supervisor(world):
    return f.supervisor(world.lead.region, world.lead)


def test_a_reviewer_sees_full_values_and_the_view_is_logged(client, world, case):
    reviewer = world.lead_staff["undertake"]
    task = open_task(case, kind="acceptance")
    client.force_login(reviewer)

    page = client.get(reverse("workflow:task_detail", args=[task.pk])).content.decode()

    assert AGENT_ID in page and AGENT_PHONE in page
    row = DataAccess.objects.get()
    assert row.kind == "view" and row.actor_id == reviewer.pk
    assert row.person_id == world.person.pk and row.application_number == case.number
    assert "代理人身份证号" in row.what and AGENT_ID not in row.what
    assert world.lead.name in row.organisation
    # the same access is in the hash-chained audit log, values never in it
    audit = AuditRecord.objects.get(category="data", action="data.view")
    assert audit.object_id == case.number and AGENT_ID not in str(audit.detail)


def test_every_material_download_is_logged(client, world, case):
    reviewer = world.lead_staff["undertake"]
    task = open_task(case, kind="acceptance")
    material = Material.objects.get(application=case)
    client.force_login(reviewer)

    assert (
        client.get(reverse("workflow:task_material_file", args=[task.pk, material.pk])).status_code
        == 200
    )
    assert (
        client.get(
            reverse("grants:case_material_file", args=[case.number, material.pk])
        ).status_code
        == 200
    )
    api = APIClient()
    api.force_authenticate(reviewer)
    assert (
        api.get(f"/api/v1/applications/{case.number}/materials/{material.pk}/file/").status_code
        == 200
    )

    rows = list(DataAccess.objects.filter(kind="download"))
    assert len(rows) == 3
    assert {r.person_id for r in rows} == {world.person.pk}
    assert {r.application_number for r in rows} == {case.number}


def test_the_applicant_reading_their_own_case_is_not_logged(client, world, case):
    client.force_login(world.citizen)
    page = client.get(reverse("portal:case_detail", args=[case.number])).content.decode()
    assert AGENT_ID in page
    material = Material.objects.get(application=case)
    client.get(reverse("portal:material_file", args=[case.number, material.pk]))
    assert not DataAccess.objects.exists()


def test_supervisors_see_masked_values_in_pages_and_the_api(client, world, case):
    supervisor = _supervisor(world)
    client.force_login(supervisor)

    page = client.get(reverse("grants:case", args=[case.number])).content.decode()
    assert AGENT_ID not in page and AGENT_PHONE not in page
    assert "440**************5" in page and "139****5678" in page

    api = APIClient()
    api.force_authenticate(supervisor)
    body = api.get(f"/api/v1/applications/{case.number}/").json()
    assert body["form"]["agent_id"] == "440**************5"
    assert body["form"]["agent_phone"] == "139****5678"
    assert body["form"]["summary"] == "申请"
    assert not DataAccess.objects.exists()  # masked data is no full view


def test_staff_of_a_participating_department_see_full_values_in_the_api(world, case):
    reviewer = world.reviewer(world.departments[0])
    api = APIClient()
    api.force_authenticate(reviewer)
    body = api.get(f"/api/v1/applications/{case.number}/").json()
    assert body["form"]["agent_id"] == AGENT_ID
    assert DataAccess.objects.get().actor_id == reviewer.pk


def test_an_export_is_logged(client, world, case):
    head = f.staff(world.lead, Role.HEAD)
    client.force_login(head)
    response = client.get(reverse("deadlines:supervision"), {"export": "overdue"})
    assert response.status_code == 200
    row = DataAccess.objects.get(kind="export")
    assert row.actor_id == head.pk and row.what.startswith("supervision-overdue")


def test_the_citizen_sees_who_looked_at_their_data_and_only_their_own(client, world, case):
    reviewer = world.lead_staff["undertake"]
    reviewer.first_name, reviewer.last_name = "审", "李"
    reviewer.save()
    task = open_task(case, kind="acceptance")
    client.force_login(reviewer)
    client.get(reverse("workflow:task_detail", args=[task.pk]))
    other_user, other_person = f.citizen()
    DataAccess.objects.create(
        kind="view", actor_id=reviewer.pk, actor_name="别人的记录", person_id=other_person.pk,
        application_number="YF-OTHER",
    )  # fmt: skip

    client.force_login(world.citizen)
    page = client.get(reverse("portal:account")).content.decode()
    assert case.number in page and world.lead.name in page
    assert "YF-OTHER" not in page and "别人的记录" not in page

    client.force_login(other_user)
    page = client.get(reverse("portal:account")).content.decode()
    assert "YF-OTHER" in page and case.number not in page
