"""PDF notices (workflow.documents): each one's extracted text carries the case number, the item
name in Chinese and the applicant's masked name; the QR code decodes to the tracking page (the
certificate's to its verification); a stranger gets 404."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

from permits.models import Certificate
from permits.validators import mask_name
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import sh, travel
from tests.workflow.journey import (
    approve_department,
    build_world,
    decide,
    open_task,
    submitted_case,
)
from workflow import services
from workflow.documents.content import tracking_url, verification_url
from workflow.documents.models import CaseDocument

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"name": "申请书", "required": True},
    {"name": "住所（经营场所）使用证明", "required": True, "tolerable": True},
]


@pytest.fixture
def world(work_calendar):
    with travel(sh(2026, 3, 2, 9)):
        return build_world(1, materials=MATERIALS)


def _pdf(client, app, kind) -> bytes:
    response = client.get(reverse("documents:file", args=[app.number, kind]))
    assert response.status_code == 200, (kind, response.status_code)
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _qr(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[0].render(scale=2).to_pil()
        return [r.text for r in zxingcpp.read_barcodes(image)]
    finally:
        pdf.close()


def _check(data: bytes, app, *, qr: str) -> str:
    text = _text(data)
    assert app.number in text
    assert app.item.name in text
    assert mask_name(app.applicant_person.real_name) in text
    assert app.applicant_person.real_name not in text  # masked, never in full
    assert _qr(data) == [qr]
    return text


def test_every_notice_of_a_tolerated_approved_case(world, client):
    with travel(sh(2026, 3, 2, 9, 30)):
        app = submitted_case(world, upload_tolerable=False)
    with travel(sh(2026, 3, 2, 10)):
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="approve",
            tolerated=[f.requirement_ids(world.item)[1]],
            tolerance_deadline="2026-03-06",
            commitment_signed=True,
        )
    app.refresh_from_db()
    client.force_login(world.citizen)
    text = _check(_pdf(client, app, "acceptance_notice"), app, qr=tracking_url(app))
    assert "受理通知书" in text and "2026年03月16日" in text  # the promised due
    assert "住所（经营场所）使用证明" in text  # tolerated, with its deadline
    text = _check(_pdf(client, app, "tolerance_commitment"), app, qr=tracking_url(app))
    assert "容缺受理承诺书" in text and "2026-03-06" in text
    # Stored once through the storage API: a second download serves the same document.
    _pdf(client, app, "acceptance_notice")
    assert CaseDocument.objects.filter(application=app, kind="acceptance_notice").count() == 1
    # Staff who may see the case download it too (the reviewer of the participating department).
    dept = world.departments[0]
    staff_client = client.__class__()
    staff_client.force_login(world.reviewer(dept))
    _pdf(staff_client, app, "acceptance_notice")
    with travel(sh(2026, 3, 3, 10)):
        services.material_upload(
            actor=world.citizen,
            application=app,
            requirement_id=f.requirement_ids(world.item)[1],
            uploaded_file=f.pdf_file(),
        )
        approve_department(world, app, dept)
        decide(world, app)
    app.refresh_from_db()
    text = _check(_pdf(client, app, "decision_notice"), app, qr=tracking_url(app))
    assert "准予行政许可决定书" in text
    certificate = Certificate.objects.get(application=app)
    text = _check(_pdf(client, app, "certificate"), app, qr=verification_url(certificate))
    assert certificate.number in text and certificate.verification_code in text


def test_not_accepted_and_supplement_notices(world, client):
    with travel(sh(2026, 3, 2, 9, 30)):
        refused = submitted_case(world, upload_tolerable=False)
        asked = submitted_case(world, upload_tolerable=False)
    with travel(sh(2026, 3, 2, 10)):
        services.task_complete(
            task=open_task(refused, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="deny",
            opinion="经营范围属于前置审批事项",
            competent_agency="云浮市生态环境局",
        )
        services.task_complete(
            task=open_task(asked, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="supplement",
            missing=[{"requirement": f.requirement_ids(world.item)[1], "note": "须加盖公章"}],
        )
    refused.refresh_from_db()
    asked.refresh_from_db()
    client.force_login(world.citizen)
    text = _check(_pdf(client, refused, "not_accepted_notice"), refused, qr=tracking_url(refused))
    assert "不予受理通知书" in text and "经营范围属于前置审批事项" in text
    assert "云浮市生态环境局" in text and "行政复议" in text and "行政诉讼" in text
    text = _check(_pdf(client, asked, "supplement_notice"), asked, qr=tracking_url(asked))
    assert "一次性告知书" in text and "住所（经营场所）使用证明" in text and "须加盖公章" in text
    # A notice the case has not reached is not there.
    response = client.get(reverse("documents:file", args=[asked.number, "certificate"]))
    assert response.status_code == 404


def test_a_stranger_gets_404(world, client):
    with travel(sh(2026, 3, 2, 9, 30)):
        app = submitted_case(world, upload_tolerable=False)
    with travel(sh(2026, 3, 2, 10)):
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="deny",
            opinion="不符合条件",
        )
    stranger, _person = f.citizen()
    client.force_login(stranger)
    response = client.get(reverse("documents:file", args=[app.number, "not_accepted_notice"]))
    assert response.status_code == 404
    other_staff = f.staff(f.department(name="无关部门"))
    client.force_login(other_staff)
    response = client.get(reverse("documents:file", args=[app.number, "not_accepted_notice"]))
    assert response.status_code == 404
    assert not CaseDocument.objects.filter(application=app).exists()


def test_the_api_lists_the_documents_and_hands_over(world, api_client):
    with travel(sh(2026, 3, 2, 9, 30)):
        app = submitted_case(world, upload_tolerable=False)
    with travel(sh(2026, 3, 2, 10)):
        services.task_complete(
            task=open_task(app, kind="acceptance"),
            actor=world.lead_staff["undertake"],
            decision="approve",
            tolerated=[f.requirement_ids(world.item)[1]],
            tolerance_deadline="2026-03-06",
            commitment_signed=True,
        )
    api_client.force_authenticate(world.citizen)
    response = api_client.get(f"/api/v1/applications/{app.number}/documents/")
    assert response.status_code == 200
    assert [d["kind"] for d in response.data] == ["acceptance_notice", "tolerance_commitment"]
    assert response.data[0]["name"] == "受理通知书" and response.data[0]["url"].endswith(
        reverse("documents:file", args=[app.number, "acceptance_notice"])
    )
    stranger, _person = f.citizen()
    api_client.force_authenticate(stranger)
    assert api_client.get(f"/api/v1/applications/{app.number}/documents/").status_code == 404
    # Hand-over through the API (API.md): mail needs its address, courier and tracking number.
    with travel(sh(2026, 3, 3, 10)):
        services.material_upload(
            actor=world.citizen,
            application=app,
            requirement_id=f.requirement_ids(world.item)[1],
            uploaded_file=f.pdf_file(),
        )
        approve_department(world, app, world.departments[0])
        decide(world, app)
    api_client.force_authenticate(world.lead_staff["undertake"])
    url = f"/api/v1/applications/{app.number}/handover/"
    response = api_client.post(url, {"method": "mail", "address": "云浮市云城区"}, format="json")
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"courier", "tracking_number"}
    response = api_client.post(
        url,
        {
            "method": "mail",
            "address": "云浮市云城区世纪大道1号",
            "courier": "中国邮政EMS",
            "tracking_number": "EMS123456789CN",
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    app.refresh_from_db()
    assert app.status == "closed" and app.handover["tracking_number"] == "EMS123456789CN"
