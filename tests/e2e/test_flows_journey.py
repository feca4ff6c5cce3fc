"""The other two service models in the browser, on the seeded demo data (README's tours):

* 核心部门模式: a 普通护照签发（出入境证件办理） case — 市出入境支队 accepts as the core
  department; 市治安支队 (position 1) and 市人社局 (position 2) are consulted one at a time in
  that order; 治安 disagrees, the decision page shows it; the core department consults 治安 again
  from its decision task (the department picker), 治安 agrees, the core department decides;
* 以流程为中心: the citizen files a 噪声扰民投诉 online; the 12345 centre dispatches it to
  市生态环境局 and 市公安局; 公安局 returns it with reasons; 生态环境局 replies; the centre
  re-dispatches (改派) to 公安局 as not returnable; 公安局 replies; the centre sends one
  consolidated answer that the citizen reads on the case page.

Each test seeds the demo (``live_server`` tests empty the database after each test).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from departments.models import Department
from permits.models import Application, ServiceItem
from tests.e2e.conftest import assert_accessible, url
from tests.e2e.test_applying import login_as
from tests.workflow.test_demo_journey import fill_form, upload_required
from workflow.models import CaseTask

pytestmark = pytest.mark.e2e

User = get_user_model()


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)


def as_user(page, live_server, username: str) -> None:
    login_as(page, live_server, User.objects.get(username=username))


def claim_from_queue(page, live_server, number: str) -> None:
    """The department's queue → 认领 on the case's row → the task page."""
    page.goto(url(live_server, "workflow:queue"))
    page.locator(f"tr:has-text('{number}')").get_by_role("button", name=re.compile("认领")).click()
    page.wait_for_url(re.compile(r"/office/tasks/\d+/"))


def open_from_my_tasks(page, live_server, number: str) -> None:
    """我的待办 → the case's task (the decision is already the accepter's) → the task page."""
    page.goto(url(live_server, "workflow:inbox"))
    page.locator(f"tr:has-text('{number}')").get_by_role("link", name=re.compile("办理")).click()
    page.wait_for_url(re.compile(r"/office/tasks/\d+/"))


def decide(page, value: str, opinion: str = "") -> None:
    page.check(f'input[name="d-decision"][value="{value}"]')
    if opinion:
        page.fill('textarea[name="d-opinion"]', opinion)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("提交决定")).click()
    errors = page.locator(".invalid-feedback, .alert-danger").all_inner_texts()
    assert not errors, errors


def open_kinds(number: str) -> list[tuple[str, str]]:
    return sorted(
        CaseTask.objects.filter(application__number=number, status__in=["open", "assigned"])
        .values_list("kind", "department__code")
        .distinct()
    )


def test_passport_case_runs_through_its_core_department_and_sequential_consultations(
    page, live_server, shot, demo
):
    item = ServiceItem.objects.get(code="445300-GAJ-PTHZ")
    za, rsj = Department.objects.get(code="yf-gaj-za"), Department.objects.get(code="yf-rsj")
    # The citizen's application (the browser part of applying is tests/e2e/test_applying.py).
    citizen = APIClient()
    citizen.force_authenticate(User.objects.get(username="citizen"))
    form = {**fill_form(item), "name_pinyin": "ZHANG WEI", "birth_date": "1990-05-01"}
    r = citizen.post("/api/v1/applications/", {"item": item.code, "form": form}, format="json")
    assert r.status_code == 201, r.data
    number = r.data["number"]
    upload_required(citizen, number, item)
    r = citizen.post(f"/api/v1/applications/{number}/submit/", {}, format="json")
    assert r.status_code == 200, r.data

    # The core department (市出入境支队) accepts.
    as_user(page, live_server, "crj_reviewer")
    claim_from_queue(page, live_server, number)
    shot(page, "acceptance")
    decide(page, "approve")
    # Sequential: only the first consulted department (position 1, 治安) is asked.
    assert open_kinds(number) == [("consultation", "yf-gaj-za")]
    as_user(page, live_server, "rsj_reviewer")
    page.goto(url(live_server, "workflow:queue"))
    assert page.locator(f"tr:has-text('{number}')").count() == 0

    # 治安 disagrees, with reasons.
    as_user(page, live_server, "za_reviewer")
    claim_from_queue(page, live_server, number)
    assert_accessible(page)
    shot(page, "consultation-za")
    decide(page, "deny", "户籍信息与申报不一致，需核实迁移记录")
    assert open_kinds(number) == [("consultation", "yf-rsj")]

    # 人社 agrees; the round is over and the decision opens.
    as_user(page, live_server, "rsj_reviewer")
    claim_from_queue(page, live_server, number)
    decide(page, "approve", "非登记备案国家工作人员，同意")
    assert open_kinds(number) == [("decision", "yf-gaj-crj")]

    # The decision page shows the denial and consults 治安 again through the picker; the
    # decision waits in the accepter's own list.
    as_user(page, live_server, "crj_reviewer")
    open_from_my_tasks(page, live_server, number)
    departments = page.locator("#depts-title").locator("xpath=..")
    assert "户籍信息与申报不一致" in departments.inner_text()
    picker = page.get_by_test_id("consult-picker")
    assert "户籍信息与申报不一致" in picker.locator(f'tr[data-department="{za.code}"]').inner_text()
    # The item's consulted departments come first, in position order.
    codes = picker.locator("tr[data-department]").evaluate_all(
        "rows => rows.map(r => r.dataset.department)"
    )
    assert codes[:2] == [za.code, rsj.code] and "yf-gaj-crj" not in codes
    assert_accessible(page)
    shot(page, "decision-consult-picker")
    page.check('input[name="d-decision"][value="consult"]')
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("提交决定")).click()
    # Nothing ticked, nothing said: the picker says so in Chinese, nothing moves.
    assert page.locator("#id_d-departments_errors").is_visible()
    assert "请说明需要征求意见的事项" in page.locator("#id_d-consult_note_errors").inner_text()
    page.get_by_test_id(f"consult-{za.code}").check()
    page.get_by_label("请部门重点核查的事项").fill("请核实申请人户籍迁移记录后再提意见")
    shot(page, "decision-consult-again")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("提交决定")).click()
    assert open_kinds(number) == [("consultation", "yf-gaj-za")]

    # 治安's second opinion: its page shows what to look at and its first opinion.
    as_user(page, live_server, "za_reviewer")
    claim_from_queue(page, live_server, number)
    assert "请核实申请人户籍迁移记录后再提意见" in " ".join(
        page.get_by_test_id("consult-duty").all_inner_texts()
    )
    assert "户籍信息与申报不一致" in page.locator("#depts-title").locator("xpath=..").inner_text()
    decide(page, "approve", "已核实户籍迁移记录，同意")

    # The core department decides; both opinions of 治安 are kept (two rows).
    as_user(page, live_server, "crj_reviewer")
    open_from_my_tasks(page, live_server, number)
    text = page.locator("#depts-title").locator("xpath=..").inner_text()
    assert "户籍信息与申报不一致" in text and "已核实户籍迁移记录" in text
    shot(page, "decision")
    decide(page, "approve", "准予签发普通护照")
    app = Application.objects.get(number=number)
    assert app.status == "approved"
    rows = list(
        app.participations.filter(role="consult")
        .order_by("round", "position")
        .values_list("department__code", "round", "status")
    )
    assert rows == [
        (za.code, 1, "denied"),
        (rsj.code, 1, "approved"),
        (za.code, 2, "approved"),
    ]

    as_user(page, live_server, "citizen")
    page.goto(url(live_server, "portal:case_detail", number=number))
    assert page.get_by_test_id("certificate-number").inner_text().strip()
    shot(page, "citizen-approved")


def test_noise_complaint_dispatched_to_two_departments_ends_in_one_answer(
    page, live_server, shot, demo
):
    item = ServiceItem.objects.get(code="445300-12345-ZSTS")
    sthj, gaj = Department.objects.get(code="yf-sthj"), Department.objects.get(code="yf-gaj")

    # The citizen files the complaint online.
    as_user(page, live_server, "citizen")
    page.goto(url(live_server, "portal:apply", code=item.code))
    page.get_by_role("button", name=re.compile("开始申请")).click()
    page.get_by_label("投诉事项").fill("夜间施工噪声扰民")
    page.get_by_label("噪声来源（工地、商铺等）").fill("世纪大道东侧工地")
    page.get_by_label("投诉内容").fill("工地每晚十一点后仍在施工，噪声很大，影响休息。")
    page.get_by_role("button", name=re.compile("保存并继续")).click()
    page.get_by_role("link", name=re.compile("继续核对")).click()
    page.get_by_label(re.compile("本人承诺")).check()
    page.get_by_role("button", name=re.compile("提交申请")).click()
    number = page.get_by_test_id("case-number").inner_text().strip()
    assert Application.objects.get(number=number).status == "submitted"
    shot(page, "complaint-filed")

    # 12345 dispatches to both departments the dispatch catalogue suggests.
    as_user(page, live_server, "hotline")
    claim_from_queue(page, live_server, number)
    picker = page.get_by_test_id("dispatch-picker")
    for dept in (sthj, gaj):
        row = picker.locator("tr", has=page.get_by_test_id(f"dispatch-{dept.code}"))
        assert "建议" in row.inner_text()  # suggested by the item's dispatch catalogue
        page.get_by_test_id(f"dispatch-{dept.code}").check()
        row.get_by_label(re.compile(f"给{dept.name}的")).fill(f"请{dept.name}核查处理")
    assert_accessible(page)
    shot(page, "triage-dispatch")
    decide(page, "dispatch")
    assert open_kinds(number) == [("handling", gaj.code), ("handling", sthj.code)]

    # 公安局 returns it with reasons (within 2 working days of the dispatch).
    as_user(page, live_server, "gaj_reviewer")
    claim_from_queue(page, live_server, number)
    shot(page, "handling-return")
    decide(page, "return", "建筑施工噪声不属于本局职责，请转生态环境部门")
    # 生态环境局 replies; with every department done, the case is back at triage.
    as_user(page, live_server, "sthj_reviewer")
    claim_from_queue(page, live_server, number)
    decide(page, "reply", "已到现场监测，责令工地夜间停止施工")
    assert open_kinds(number) == [("triage", "yf-12345")]

    # 12345 re-dispatches (改派) to 公安局, this time not returnable.
    as_user(page, live_server, "hotline")
    claim_from_queue(page, live_server, number)
    departments = page.locator("#depts-title").locator("xpath=..").inner_text()
    assert "建筑施工噪声不属于本局职责" in departments
    page.get_by_test_id(f"dispatch-{gaj.code}").check()
    row = page.get_by_test_id("dispatch-picker").locator(
        "tr", has=page.get_by_test_id(f"dispatch-{gaj.code}")
    )
    row.get_by_label(re.compile(f"给{gaj.name}的")).fill("夜间仍有人员喧哗，请配合处置")
    row.get_by_label("可退回").uncheck()
    shot(page, "triage-redispatch")
    decide(page, "dispatch")
    gaj_row = Application.objects.get(number=number).participations.filter(
        role="dispatched", department=gaj
    )
    assert list(gaj_row.order_by("round").values_list("status", "may_return")) == [
        ("returned", True),
        ("in_review", False),
    ]

    # 公安局 cannot return it again; it replies.
    as_user(page, live_server, "gaj_reviewer")
    claim_from_queue(page, live_server, number)
    decide(page, "reply", "已联合社区劝导，夜间喧哗已停止")
    assert open_kinds(number) == [("reply_review", "yf-12345")]

    # 12345 sends the one consolidated answer, composed from both replies.
    as_user(page, live_server, "hotline")
    claim_from_queue(page, live_server, number)
    parts = page.get_by_test_id("answer-parts").inner_text()
    assert "责令工地夜间停止施工" in parts and "夜间喧哗已停止" in parts
    answer = page.locator('textarea[name="d-opinion"]').input_value()
    assert "责令工地夜间停止施工" in answer and "夜间喧哗已停止" in answer
    assert_accessible(page)
    shot(page, "reply-review")
    decide(page, "approve")
    assert Application.objects.get(number=number).status == "answered"

    # The citizen reads the one answer on the case page.
    as_user(page, live_server, "citizen")
    page.goto(url(live_server, "portal:case_detail", number=number))
    text = page.get_by_test_id("case-answer").inner_text()
    assert "责令工地夜间停止施工" in text and "夜间喧哗已停止" in text
    assert_accessible(page)
    shot(page, "citizen-reads-answer")
