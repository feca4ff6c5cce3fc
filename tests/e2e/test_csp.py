"""The site under its Content-Security-Policy (issue 12, item 7), in a real browser.

Public pages, a citizen's pages, the back office, the admin and the API docs are opened in
Chromium: each answers with a CSP that has no ``'unsafe-inline'`` for scripts, and the browser
reports no CSP violation and no console error (a blocked inline script or style, a script
that failed). The JavaScript that remains (the large-text switch, auto-submitting filters,
Bootstrap's menu, Swagger UI) must still work.

One test, one seed: ``live_server`` tests empty the database after each test.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from permits.models import ServiceItem
from tests.e2e.conftest import assert_no_console_error, assert_no_csp_violation, login, url

pytestmark = pytest.mark.e2e


def _visit(page, address: str) -> None:
    response = page.goto(address)
    assert response is not None and response.status < 400, (address, response and response.status)
    policy = response.headers.get("content-security-policy", "")
    script_src = next(
        (part for part in policy.split(";") if part.strip().startswith("script-src")), ""
    )
    assert "'self'" in script_src, (address, policy)
    assert "unsafe-inline" not in script_src, (address, policy)
    page.wait_for_load_state("load")
    assert_no_csp_violation(page)
    assert_no_console_error(page)


def test_pages_run_under_the_csp_without_console_errors(page, live_server, settings):
    call_command("seed_demo", verbosity=0)
    item = ServiceItem.objects.order_by("code").first()

    # Public pages (cached by the performance work: no inline script at all).
    for address in (
        url(live_server, "portal:home"),
        url(live_server, "portal:catalogue"),
        url(live_server, "portal:item", code=item.code),
        url(live_server, "portal:track"),
        url(live_server, "portal:verify"),
        url(live_server, "portal:login"),
    ):
        _visit(page, address)

    # The scripts still work: the large-text switch toggles without a reload.
    page.goto(url(live_server, "portal:home"))
    page.locator("[data-large-text-toggle]").first.click()
    assert "large-text" in (page.locator("html").get_attribute("class") or "")
    assert_no_csp_violation(page)

    # A citizen's pages.
    login(page, live_server, "citizen")
    _visit(page, url(live_server, "portal:my_cases"))
    page.goto(url(live_server, "portal:home"))
    with page.expect_navigation():
        page.locator("form[action$='logout/'] [type=submit]").first.click()

    # The back office and the admin.
    login(page, live_server, "admin")
    for address in (
        url(live_server, "workflow:home"),
        url(live_server, "workflow:inbox"),
        url(live_server, "deadlines:supervision"),
        url(live_server, "deadlines:calendar"),
        live_server.url + "/admin/",
        live_server.url + "/admin/permits/serviceitem/",
    ):
        _visit(page, address)

    # Swagger UI (split view: its start-up script is a file) renders the operations.
    _visit(page, live_server.url + "/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
    assert_no_csp_violation(page)
    assert_no_console_error(page)
