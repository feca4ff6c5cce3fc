"""The issue's "done when", through the API alone, on the seeded demo data: the citizen
applies for 企业开办 as the founder, 市场监管 accepts, the five departments approve in parallel,
the certificate verifies; the enterprise's handler applies for 食品经营许可 (single department,
three stages, on-site inspection)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from permits.models import ServiceItem
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db


def as_(username: str) -> APIClient:
    c = APIClient()
    c.force_authenticate(get_user_model().objects.get(username=username))
    return c


def upload_required(client, number: str, item: ServiceItem) -> None:
    for m in item.current_version.snapshot["materials"]:
        if m["required"]:  # tolerable ones too: acceptance would have to tolerate them
            kind = "pdf" if "pdf" in m["accepted_types"] else m["accepted_types"][0]
            if kind == "pdf":
                upload = f.pdf_file(f"{m['name'][:20]}.pdf")
            else:  # a photo (jpg or png): a real image of that kind
                upload = f.image_file(f"{m['name'][:20]}.{kind}", kind)
            r = client.post(
                f"/api/v1/applications/{number}/materials/",
                {"requirement": m["id"], "file": upload},
                format="multipart",
            )
            assert r.status_code == 201, r.data


def fill_form(item: ServiceItem) -> dict:
    values = {
        "text": "云浮测试",
        "textarea": "云浮测试说明",
        "address": "云浮市云城区世纪大道1号",
        "number": 1,
        "date": "2026-12-01",
        "bool": True,
        "phone": "13800138000",
        "email": "test@example.com",
        "id_number": f.resident_id(5),
        "credit_code": f.credit_code(5),
    }
    form = {}
    for field in item.current_version.snapshot["form_fields"]:
        if not field.get("required"):
            continue
        kind = field["type"]
        if kind in ("choice", "multichoice"):
            first = field["choices"][0]
            value = first.get("value") if isinstance(first, dict) else first
            if isinstance(value, list | tuple):
                value = value[0]
            form[field["name"]] = [value] if kind == "multichoice" else value
        else:
            form[field["name"]] = values[kind]
    return form


def queue(client, number, scope="queue"):
    r = client.get("/api/v1/tasks/", {"scope": scope, "application": number})
    assert r.status_code == 200
    return r.data["results"]


def complete(client, task_id, **body):
    r = client.post(f"/api/v1/tasks/{task_id}/complete/", body, format="json")
    assert r.status_code == 200, r.data
    return r.data


def test_demo_company_setup_and_food_licence_through_the_api():
    call_command("seed_demo", verbosity=0)

    # 企业开办 by the citizen, as the founder (a person: the enterprise does not exist yet)
    item = ServiceItem.objects.get(name__startswith="企业开办", region__code="445300")
    citizen = as_("citizen")
    r = citizen.post(
        "/api/v1/applications/", {"item": item.code, "form": fill_form(item)}, format="json"
    )
    assert r.status_code == 201, r.data
    number = r.data["number"]
    upload_required(citizen, number, item)
    r = citizen.post(f"/api/v1/applications/{number}/submit/", {}, format="json")
    assert r.status_code == 200, r.data

    lead = as_("scjg_undertake")
    (acceptance,) = queue(lead, number)
    complete(lead, acceptance["id"], decision="approve")
    reviewers = ["gaj_reviewer", "sw_reviewer", "rsj_reviewer", "ybj_reviewer", "gjj_reviewer"]
    for username in reviewers:
        rows = queue(as_(username), number)
        assert len(rows) == 1, (username, rows)
    for username in reviewers:
        (row,) = queue(as_(username), number)
        complete(as_(username), row["id"], decision="approve", opinion="同意")
    detail = citizen.get(f"/api/v1/applications/{number}/").data
    assert [d["status"] for d in detail["departments"] if d["role"] == "parallel"] == [
        "approved"
    ] * 5
    # the accepter finds the decision in their own list (DECISION_TASK_TO_ACCEPTER)
    assert queue(lead, number) == []
    (decision,) = queue(lead, number, scope="mine")
    assert decision["kind"] == "decision"
    complete(lead, decision["id"], decision="approve", opinion="准予设立登记")
    result = citizen.get(f"/api/v1/applications/{number}/").data["result"]
    r = APIClient().get(
        "/api/v1/certificates/verify/",
        {"number": result["certificate_number"], "code": result["verification_code"]},
    )
    assert r.status_code == 200 and r.data["valid"] is True

    # 食品经营许可 by the demo enterprise's handler
    food = ServiceItem.objects.get(name__contains="食品经营许可", region__code="445300")
    handler = as_("enterprise")
    from workflow.access import user_enterprise_ids

    (ent_id,) = user_enterprise_ids(get_user_model().objects.get(username="enterprise"))
    from permits.models import Enterprise

    ent = Enterprise.objects.get(pk=ent_id)
    r = handler.post(
        "/api/v1/applications/",
        {"item": food.code, "form": fill_form(food), "on_behalf_of": ent.credit_code},
        format="json",
    )
    assert r.status_code == 201, r.data
    number = r.data["number"]
    upload_required(handler, number, food)
    assert handler.post(f"/api/v1/applications/{number}/submit/", {}, format="json").status_code
    (acceptance,) = queue(lead, number)
    complete(lead, acceptance["id"], decision="approve")
    (inspection,) = queue(lead, number)
    assert inspection["kind"] == "inspection"
    complete(
        lead,
        inspection["id"],
        decision="pass",
        inspected_on="2026-11-03",
        inspectors=["周敏", "吴俊"],
        findings="经营场所、设施设备与申报一致",
    )
    signer = as_("scjg_sign")
    (decision,) = queue(signer, number)
    assert decision["kind"] == "decision" and decision["stage"] == "sign"
    complete(signer, decision["id"], decision="approve", opinion="准予许可")
    detail = handler.get(f"/api/v1/applications/{number}/").data
    assert detail["status"] == "approved" and detail["result"]["certificate_number"]
