"""A staff member's first login with the second factor required: enrol by scanning the QR code
drawn on the page, keep the recovery codes, reach the back office; the next login asks for the
code."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from departments.models import Role, Stage
from tests.departments.factories import DepartmentFactory, UserFactory, grant
from tests.e2e.conftest import assert_accessible, login, url
from tests.logins.conftest import code_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def staff(transactional_db):
    user = UserFactory(username="clerk-2fa")
    grant(user, DepartmentFactory(), Role.REVIEWER, stage=Stage.UNDERTAKE)
    return user


def test_staff_enrol_at_first_login_then_verify(page, live_server, shot, staff, settings):
    settings.TWO_FACTOR_REQUIRED = True
    login(page, live_server, staff.username, settings.DEMO_PASSWORD)
    page.goto(url(live_server, "workflow:home"))
    assert "/accounts/two-factor/" in page.url
    assert page.locator(".os-qr svg").count() == 1
    shot(page, "two-factor setup")
    assert_accessible(page)

    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    page.fill('input[name="code"]', code_for(device))
    with page.expect_navigation():
        page.locator('form:has(input[name="code"]) [type="submit"]').click()
    assert page.locator("#os-recovery-codes li").count() == 10
    shot(page, "recovery codes")
    with page.expect_navigation():
        page.get_by_role("link", name="继续").click()
    assert page.url.rstrip("/").endswith("/office")

    # log out, log in again: the code is asked for (a recovery code answers it here, as the
    # app's current code was just used and cannot be replayed)
    page.context.clear_cookies()
    login(page, live_server, staff.username, settings.DEMO_PASSWORD)
    page.goto(url(live_server, "workflow:home"))
    assert "/accounts/two-factor/" in page.url
    assert page.locator('input[name="code"]').count() == 1
    assert_accessible(page)
