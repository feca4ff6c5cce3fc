"""Browser journey at the window (issue 10): the clerk enters a walk-in 企业开办 with one
tolerable material missing (容缺受理, accepted on the spot), opens the acceptance notice PDF,
takes the tolerated material later, and records the hand-over once the case is decided."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.utils import timezone

from departments.models import Role
from permits.models import Application
from tests.e2e.conftest import url
from tests.e2e.test_applying import login_as
from tests.workflow import factories as f
from tests.workflow.journey import approve_department, build_world, decide

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MATERIALS = [
    {"name": "企业设立登记申请书", "required": True},
    {"name": "住所（经营场所）使用证明", "required": True, "tolerable": True},
]


@pytest.fixture
def counter(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(1, materials=MATERIALS)
    world.item.name = "企业开办"
    world.item.save(update_fields=["name"])
    centre_dept = f.department(name="云浮市政务服务中心")
    f.centre(world.lead.region, centre_dept)
    clerk = f.staff(centre_dept, Role.CLERK)
    return world, clerk


def test_clerk_enters_a_walk_in_case_with_a_tolerated_material_and_hands_it_over(
    page, live_server, shot, counter, tmp_path
):
    world, clerk = counter
    pdf = tmp_path / "申请书.pdf"
    pdf.write_bytes(PDF)
    login_as(page, live_server, clerk)

    # Find the item (from a called ticket: the ticket is carried along).
    page.goto(url(live_server, "centres:intake:start") + "?ticket=A017")
    page.get_by_role("searchbox", name=re.compile("事项")).fill("企业开办")
    page.get_by_role("button", name="查找事项").click()
    shot(page, "items")
    page.get_by_role("link", name="录入办件").first.click()
    page.wait_for_load_state()
    shot(page, "form")

    # The applicant present and the item's form.
    page.get_by_label("姓名").fill("陈小明")
    page.get_by_label("证件号码").fill(f.resident_id(321))
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("申请事由").fill("设立云浮石艺有限公司")
    shot(page, "applicant")
    page.get_by_role("button", name=re.compile("收取材料")).click()

    # Materials: the application form is uploaded with its original checked; the address
    # proof is missing (shown at the top) and tolerated under the applicant's commitment.
    assert page.get_by_test_id("missing-required").is_visible()
    page.locator("input[type=file]").first.set_input_files(str(pdf))
    page.get_by_role("button", name="上传").first.click()
    assert page.get_by_test_id("original-checked").first.is_visible()
    page.get_by_label("住所（经营场所）使用证明").check()
    deadline = timezone.localdate() + timezone.timedelta(days=3)
    page.get_by_label("容缺材料补交期限").fill(deadline.isoformat())
    page.get_by_label(re.compile("承诺书")).check()
    shot(page, "tolerance")
    page.get_by_test_id("intake-submit").click()
    app = Application.objects.get(applicant_person__real_name="陈小明")
    assert app.status == "in_review" and app.channel == "window"
    assert app.tolerance.deadline == deadline
    assert "审查中" in page.get_by_test_id("case-status").inner_text()
    shot(page, "accepted")

    # The acceptance notice opens as a PDF with the case's number and the masked name.
    link = page.get_by_test_id("document-acceptance_notice")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.body())).pages)
    assert app.number in text and "企业开办" in text and "陈*" in text
    assert page.get_by_test_id("document-tolerance_commitment").is_visible()

    # Later: the applicant brings the address proof; the back office reviews and decides.
    page.reload()
    page.locator("input[type=file]").nth(1).set_input_files(str(pdf))
    page.get_by_role("button", name="上传").nth(1).click()
    app.refresh_from_db()
    assert app.tolerance.fulfilled_at is not None
    approve_department(world, app, world.departments[0])
    decide(world, app)

    # The hand-over at the window: who collected it, ID checked; the case closes.
    page.goto(url(live_server, "centres:intake:handover", app.number))
    page.get_by_label("窗口领取").check()
    page.get_by_label("领取人", exact=True).fill("陈小明")
    page.get_by_label("已核验领取人身份证件").check()
    shot(page, "handover")
    page.get_by_role("button", name="出件并办结").click()
    assert "陈小明" in page.get_by_test_id("handover-record").inner_text()
    app.refresh_from_db()
    assert app.status == "closed" and app.handover["id_checked"] is True
    shot(page, "handed-over")
