"""Issue 14 item 1: the outcome of an establishment item (企业开办) is a new enterprise —
created from the form (name, type, a checksum-valid 统一社会信用代码 from the demo's range),
the certificate issued to it, the founder its first authorised handler; the public check shows
the company's name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from permits import credit_codes
from permits.models import Enterprise, Handler
from permits.selectors import certificate_verify
from permits.validators import is_valid_credit_code
from tests.workflow import factories as f
from tests.workflow.journey import World, accept, build_world, decide
from workflow import services

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "company_name", "label": "企业名称", "type": "text", "required": True},
    {
        "name": "company_type",
        "label": "企业类型",
        "type": "choice",
        "choices": ["有限责任公司（自然人独资）", "合伙企业"],
        "required": True,
    },
    {"name": "legal_rep_name", "label": "法定代表人姓名", "type": "text", "required": False},
]


def establishment_world() -> World:
    world = build_world(0)
    world.item = f.published_item(
        lead=world.lead,
        service_model="single_department",
        stages={world.lead.code: ["undertake"]},
        form_fields=FIELDS,
    )
    return world


def establish(world: World, name: str):
    app = services.application_create(
        actor=world.citizen,
        item=world.item,
        form={"company_name": name, "company_type": "合伙企业", "legal_rep_name": "张三"},
    )
    for req in world.item.current_version.snapshot["materials"]:
        if req["required"] and not req.get("tolerable"):
            services.material_upload(
                actor=world.citizen,
                application=app,
                requirement_id=req["id"],
                uploaded_file=f.pdf_file(),
            )
    services.application_submit(actor=world.citizen, application=app)
    accept(world, app)
    decide(world, app)
    app.refresh_from_db()
    return app


def test_the_demo_range_codes_are_checksum_valid():
    code = credit_codes.demo_credit_code(region_code="445300", serial=1)
    assert code.startswith("91445300DM000001")
    assert len(code) == 18 and is_valid_credit_code(code)
    assert credit_codes.is_demo_credit_code(code)
    # GB 11714's check of the organisation code, on a published code (91350100M000100Y43).
    assert credit_codes.organisation_code_check_char("M000100Y") == "4"
    assert credit_codes.organisation_code_check_char("D2143569") == "X"


def test_an_establishment_case_creates_the_enterprise_and_issues_the_licence_to_it(client):
    world = establishment_world()
    app = establish(world, "云浮市示例科技有限公司")
    enterprise = Enterprise.objects.get(established_by=app)
    assert enterprise.name == "云浮市示例科技有限公司"
    assert enterprise.kind == "合伙企业" and enterprise.legal_representative == "张三"
    assert is_valid_credit_code(enterprise.credit_code)
    assert credit_codes.is_demo_credit_code(enterprise.credit_code)
    certificate = app.certificate
    assert certificate.holder_enterprise == enterprise
    assert certificate.holder_name == enterprise.name
    assert certificate.holder_identifier == enterprise.credit_code
    # The founder is the enterprise's first authorised handler.
    handler = Handler.objects.valid().get(enterprise=enterprise)
    assert handler.person == world.person and handler.scope == "all"
    # The public check names the company in full, not a masked person.
    found = certificate_verify(number=certificate.number, code=certificate.verification_code)
    assert found.holder_display == "云浮市示例科技有限公司"
    page = client.get(
        reverse("portal:verify"),
        {"number": certificate.number, "code": certificate.verification_code},
    )
    assert "云浮市示例科技有限公司" in page.content.decode()
    # The case page says who holds it, with the credit code.
    client.force_login(world.citizen)
    detail = client.get(reverse("portal:case_detail", kwargs={"number": app.number}))
    html = detail.content.decode()
    assert enterprise.credit_code in html and "云浮市示例科技有限公司" in html


def test_two_establishments_get_two_codes():
    world = establishment_world()
    first = establish(world, "甲公司")
    second = establish(world, "乙公司")
    codes = {first.established_enterprise.credit_code, second.established_enterprise.credit_code}
    assert len(codes) == 2


def test_an_ordinary_item_still_issues_to_the_applicant():
    world = build_world(0)
    from tests.workflow.journey import submitted_case

    app = submitted_case(world)
    accept(world, app)
    decide(world, app)
    app.refresh_from_db()
    assert app.certificate.holder_enterprise is None
    assert not Enterprise.objects.filter(established_by=app).exists()
