"""Browser journeys of applying online and of the back office (issue 3):

* the citizen applies with the form and uploads, answers a supplement, and follows the
  departments turning green, down to the certificate that verifies on the public page;
* a reviewer claims and approves from the department queue;
* a second reviewer's stale page gets a clear "already handled" message, not an error page;
* axe finds no serious or critical violation on the application steps, the progress page, the
  inbox and the task page.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from departments.models import Role
from permits.models import Application, Certificate, ItemVersion
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, url
from tests.workflow import factories as f
from tests.workflow.journey import approve_department, build_world, decide, open_task

pytestmark = pytest.mark.e2e

FORM_FIELDS = [
    {"name": "company_name", "label": "拟设企业名称", "type": "text", "required": True},
    {
        "name": "kind",
        "label": "企业类型",
        "type": "choice",
        "required": True,
        "choices": [
            {"value": "llc", "label": "有限责任公司"},
            {"value": "sole", "label": "个人独资企业"},
        ],
    },
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True},
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login_as(page, live_server, user) -> None:
    """Sign the browser in as ``user`` with a real session (no dependency on the login page)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(2, materials=[{"name": "企业设立登记申请书"}])
    version = world.item.current_version
    # The browser journey fills a real form: publish a version 2 with a three-field form
    # (versions are immutable).
    snapshot = {**version.snapshot, "form_fields": FORM_FIELDS}
    new_version = ItemVersion.objects.create(item=world.item, number=2, snapshot=snapshot)
    world.item.current_version = new_version
    world.item.save(update_fields=["current_version"])
    return world


@pytest.fixture
def plain_world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(2)


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "企业设立登记申请书.pdf"
    path.write_bytes(PDF)
    return path


def test_citizen_applies_answers_a_supplement_and_watches_departments_turn_green(
    page, live_server, shot, world, pdf, tmp_path
):
    citizen_page = page
    login_as(citizen_page, live_server, world.citizen)

    # ① who applies
    citizen_page.goto(url(live_server, "portal:apply", code=world.item.code))
    assert_accessible(citizen_page)
    shot(citizen_page, "apply-start")
    citizen_page.get_by_role("button", name=re.compile("开始申请|Start")).click()

    # ② the form: a wrong phone number is refused next to its field, in Chinese
    citizen_page.get_by_label("拟设企业名称").fill("云浮石艺有限公司")
    citizen_page.get_by_label("有限责任公司").check()
    citizen_page.get_by_label("联系电话").fill("12345")
    citizen_page.get_by_role("button", name=re.compile("保存并继续")).click()
    assert citizen_page.locator("#id_phone_errors").is_visible()
    assert_accessible(citizen_page)
    shot(citizen_page, "form-error")
    citizen_page.get_by_label("联系电话").fill("13800138000")
    citizen_page.get_by_role("button", name=re.compile("保存并继续")).click()

    # ③ materials: a PNG renamed .pdf is refused, the real PDF is accepted with a preview
    fake = tmp_path / "假冒.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    citizen_page.locator("input[type=file]").first.set_input_files(str(fake))
    citizen_page.get_by_role("button", name=re.compile("^上传")).first.click()
    assert "PNG" in citizen_page.locator("[id$=-errors]").first.inner_text()
    citizen_page.locator("input[type=file]").first.set_input_files(str(pdf))
    citizen_page.get_by_role("button", name=re.compile("^上传")).first.click()
    assert citizen_page.get_by_text("企业设立登记申请书.pdf").first.is_visible()
    assert citizen_page.get_by_role("link", name=re.compile("预览")).first.is_visible()
    assert_accessible(citizen_page)
    shot(citizen_page, "materials")
    citizen_page.get_by_role("link", name=re.compile("继续核对")).click()

    # ④ review and the declaration, ⑤ submitted with the number
    assert citizen_page.get_by_text("云浮石艺有限公司").is_visible()
    assert_accessible(citizen_page)
    citizen_page.get_by_label(re.compile("本人承诺|I declare")).check()
    shot(citizen_page, "review")
    citizen_page.get_by_role("button", name=re.compile("提交申请")).click()
    number = citizen_page.get_by_test_id("case-number").inner_text().strip()
    app = Application.objects.get(number=number)
    assert app.status == "submitted"
    assert_accessible(citizen_page)
    shot(citizen_page, "submitted")

    # The lead's reviewer asks for a supplement from the task page (a one-time notice).
    staff_context = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN")
    staff_page = staff_context.new_page()
    reviewer = world.lead_staff["undertake"]
    login_as(staff_page, live_server, reviewer)
    staff_page.goto(url(live_server, "workflow:queue"))
    assert_accessible(staff_page)
    shot(staff_page, "queue")
    staff_page.locator(f"tr:has-text('{number}')").get_by_role(
        "button", name=re.compile("认领")
    ).click()
    assert_accessible(staff_page)
    staff_page.get_by_label(re.compile("要求补正")).check()
    staff_page.get_by_label("企业设立登记申请书", exact=True).check()
    staff_page.get_by_placeholder(re.compile("给申请人的说明")).first.fill("请提供全体股东签字页")
    shot(staff_page, "supplement")
    staff_page.get_by_role("button", name=re.compile("提交决定")).click()
    app.refresh_from_db()
    assert app.status == "supplement"

    # The citizen sees the one merged notice and answers it with a new file.
    citizen_page.goto(url(live_server, "portal:case_detail", number=number))
    assert citizen_page.get_by_text("请提供全体股东签字页").first.is_visible()
    assert_accessible(citizen_page)
    shot(citizen_page, "notice")
    citizen_page.get_by_role("link", name=re.compile("补充或更换材料")).first.click()
    citizen_page.locator("input[type=file]").first.set_input_files(str(pdf))
    citizen_page.get_by_role("button", name=re.compile("^更换")).first.click()
    citizen_page.get_by_role("link", name=re.compile("继续核对")).click()
    citizen_page.get_by_label(re.compile("本人承诺|I declare")).check()
    citizen_page.get_by_role("button", name=re.compile("提交补正")).click()
    app.refresh_from_db()
    assert app.status == "submitted"

    # The reviewer still holds the acceptance task ("my tasks") and now accepts.
    staff_page.goto(url(live_server, "workflow:inbox"))
    assert_accessible(staff_page)
    staff_page.locator(f"tr:has-text('{number}')").get_by_role(
        "link", name=re.compile("办理")
    ).click()
    staff_page.get_by_label(re.compile("^受理")).check()
    staff_page.get_by_role("button", name=re.compile("提交决定")).click()
    app.refresh_from_db()
    assert app.status == "in_review"

    # A participating department's reviewer claims and approves from their queue.
    first, second = world.departments
    login_as(staff_page, live_server, world.reviewer(first))
    staff_page.goto(url(live_server, "workflow:queue"))
    staff_page.locator(f"tr:has-text('{number}')").get_by_role(
        "button", name=re.compile("认领")
    ).click()
    assert_accessible(staff_page)
    shot(staff_page, "review-task")
    staff_page.get_by_label("同意", exact=True).check()
    staff_page.get_by_label("意见", exact=True).fill("符合要求")
    staff_page.get_by_role("button", name=re.compile("提交决定")).click()

    # The citizen watches the departments turn green.
    citizen_page.goto(url(live_server, "portal:case_detail", number=number))
    rows = citizen_page.locator(".os-progress-row")
    assert (
        citizen_page.locator(f'[data-department="{first.code}"]').get_attribute("data-status")
        == "approved"
    )
    assert (
        citizen_page.locator(f'[data-department="{second.code}"]').get_attribute("data-status")
        == "in_review"
    )
    assert "is-green" in citizen_page.locator(f'[data-department="{first.code}"]').get_attribute(
        "class"
    )
    assert rows.count() == 3
    assert_accessible(citizen_page)
    assert_no_horizontal_scroll(citizen_page)
    shot(citizen_page, "progress-one-green")

    approve_department(world, app, second)
    decide(world, app)
    citizen_page.reload()
    assert (
        citizen_page.locator(f'[data-department="{second.code}"]').get_attribute("data-status")
        == "approved"
    )
    certificate = Certificate.objects.get(application=app)
    assert citizen_page.get_by_test_id("certificate-number").inner_text() == certificate.number
    shot(citizen_page, "approved")
    citizen_page.get_by_role("link", name=re.compile("公开核验")).click()
    assert (
        citizen_page.get_by_test_id("verify-result")
        .get_by_text(re.compile("真实有效"))
        .is_visible()
    )
    assert_accessible(citizen_page)
    shot(citizen_page, "verified")
    staff_context.close()


def test_a_second_reviewers_stale_page_says_already_handled(
    browser, live_server, shot, plain_world
):
    from tests.workflow.journey import submitted_case

    world = plain_world
    app = submitted_case(world)
    task = open_task(app, kind="acceptance")
    second_reviewer = f.staff(world.lead, Role.REVIEWER, "undertake")

    pages = []
    for user in (world.lead_staff["undertake"], second_reviewer):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        p = context.new_page()
        login_as(p, live_server, user)
        p.goto(url(live_server, "workflow:task_detail", task_id=task.pk))
        pages.append(p)
    first, second = pages

    # Both have the task page open; the first accepts.
    first.get_by_label(re.compile("^受理")).check()
    first.get_by_role("button", name=re.compile("提交决定")).click()

    # The second, on their stale page, decides too: a clear message, not an error page.
    second.get_by_label(re.compile("^受理")).check()
    second.get_by_role("button", name=re.compile("提交决定")).click()
    assert second.get_by_test_id("stale-task").get_by_text("该任务已被处理").is_visible()
    assert second.get_by_role("link", name=re.compile("返回部门待认领")).is_visible()
    assert_accessible(second)
    shot(second, "stale")
    for p in pages:
        p.context.close()
