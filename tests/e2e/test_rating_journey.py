"""In the browser: the applicant rates a finished 企业开办 case 不满意 from the case page, and the
lead department's reviewer finds the rectification (差评整改) in the department's queue."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, url
from tests.evaluations.helpers import finished_case
from workflow.deadlines import calendar
from workflow.models import CaseTask

PASSWORD = "pw-123456"  # the factories' password


@pytest.mark.django_db(transaction=True)
def test_a_bad_rating_reaches_the_departments_inbox(page, live_server, shot):
    calendar.calendar_seed(years=[2026, 2027])
    calendar.invalidate_local()
    world, app = finished_case()
    world.item.name = "企业开办"
    world.item.save(update_fields=["name"])

    login(page, live_server, world.citizen.get_username(), PASSWORD)
    page.goto(url(live_server, "portal:case_detail", number=app.number))
    assert "企业开办" in page.locator("h1").inner_text()
    page.locator('[data-testid="rate-link"]').click()
    page.wait_for_url("**/rate/")
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("超过承诺时限").check()
    page.fill('textarea[name="comment"]', "等了很久")
    shot(page, "rating-form")
    with page.expect_navigation():
        page.locator('[data-testid="rating-form"] [type="submit"]').click()
    assert page.locator('[data-testid="rectification-outcome"]').count() == 1
    shot(page, "case-after-rating")

    task = CaseTask.objects.get(application=app, kind="rectification")
    page.context.clear_cookies()
    login(page, live_server, world.lead_staff["undertake"].get_username(), PASSWORD)
    page.goto(url(live_server, "workflow:queue"))
    row = page.locator(f'tr[data-task="{task.pk}"]')
    assert row.count() == 1
    assert app.number in row.inner_text()
    shot(page, "department-queue")
