"""The browser suite: Playwright's Python package driving Debian's Chromium against a live server.

Fixtures
    ``browser``        one headless Chromium per session (/usr/bin/chromium, never downloaded)
    ``page``           a desktop page (1280×800) in a fresh context, zh-CN, Asia/Shanghai
    ``phone_page``     a 390×844 phone page in a fresh context
    ``any_page``       parametrised over both: a test using it runs once per viewport
    ``shot``           ``shot(page, "step")`` saves test-artifacts/e2e/<run>/<test>/<NN-step>.png
    ``live_server``    pytest-django's server (each test using it gets ``transactional_db``)

Helpers (import from ``tests.e2e.conftest``)
    ``url(live_server, "portal:home", **kwargs)``   absolute URL of a named route
    ``login(page, live_server, username)``          logs in on ``portal:login`` with DEMO_PASSWORD
    ``assert_no_horizontal_scroll(page)``
    ``assert_accessible(page)``                     axe-core: no serious or critical violation
    ``assert_no_csp_violation(page)``               nothing blocked by the Content-Security-Policy
    ``assert_no_console_error(page)``               no console error or uncaught exception

Every ``page`` / ``phone_page`` also fails at teardown when Chromium logged a CSP violation, so
the whole browser suite runs under the site's policy.

Every test in this folder is marked ``e2e`` automatically by tests/conftest.py, and runs after
the rest of the suite (``make test-fast`` leaves them out).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ARTIFACTS_ROOT = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"
BLOCKING_IMPACTS = {"serious", "critical"}
DEFAULT_TIMEOUT_MS = 15_000


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk "
            "(or set E2E_CHROMIUM). The browser suite never downloads a browser."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread, so Django would refuse ORM
    # calls made by the test itself. The e2e tests run last (tests/conftest.py sorts them),
    # so lifting the check here does not reach the rest of the suite.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright()
    playwright = manager.start()
    try:
        yield playwright
    finally:
        manager.__exit__(None, None, None)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        **context_options,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    # Every page records what the browser reported: CSP violations (the event, before any
    # script of the page runs) and console errors. See ``assert_no_csp_violation``.
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.viewport_name = "phone" if context_options.get("is_mobile") else "desktop"
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(
                f"{message.text} ({(message.location or {}).get('url') or page.url})"
            )
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(f"{error} ({page.url})"))
    return context, page


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`);
});
"""


def csp_violations(page) -> list[str]:
    """CSP violations of the page now shown, plus those Chromium logged to the console."""
    try:
        seen = page.evaluate("window.__cspViolations || []")
    except Exception:  # the page is closed or navigating
        seen = []
    logged = [e for e in page.console_errors if "Content Security Policy" in e]
    return list(seen) + logged


def assert_no_csp_violation(page) -> None:
    """The browser suite runs under the site's Content-Security-Policy: nothing it blocks."""
    violations = csp_violations(page)
    assert not violations, "CSP violations:\n" + "\n".join(violations)


def assert_no_console_error(page) -> None:
    """No console error (a blocked script, a failed resource, an uncaught exception)."""
    assert not page.console_errors, "console errors:\n" + "\n".join(page.console_errors)


@pytest.fixture
def page(browser, live_server):
    """A desktop page in a fresh browser context (cookies and storage start empty)."""
    context, page = _new_page(browser, live_server, viewport=DESKTOP)
    yield page
    logged = [e for e in page.console_errors if "Content Security Policy" in e]
    context.close()
    assert not logged, "CSP violations:\n" + "\n".join(logged)


@pytest.fixture
def phone_page(browser, live_server):
    """A 390×844 phone page (touch, mobile user agent behaviour) in a fresh context."""
    context, page = _new_page(
        browser,
        live_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    logged = [e for e in page.console_errors if "Content Security Policy" in e]
    context.close()
    assert not logged, "CSP violations:\n" + "\n".join(logged)


@pytest.fixture(params=["desktop", "phone"])
def any_page(request):
    """The test runs twice: once on the desktop page and once on the phone page."""
    return request.getfixturevalue("page" if request.param == "desktop" else "phone_page")


# --- Screenshots ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """This run's folder: test-artifacts/e2e/<timestamp>/ (or $E2E_ARTIFACTS_DIR)."""
    base = os.environ.get("E2E_ARTIFACTS_DIR")
    run = Path(base) if base else ARTIFACTS_ROOT / datetime.now().strftime("%Y%m%d-%H%M%S")
    run.mkdir(parents=True, exist_ok=True)
    latest = ARTIFACTS_ROOT / "latest"
    if not base:
        if latest.is_symlink() or latest.exists():
            if latest.is_dir() and not latest.is_symlink():
                shutil.rmtree(latest)
            else:
                latest.unlink()
        latest.symlink_to(run.name)
    return run


@pytest.fixture
def shot(request, artifacts_dir):
    """``shot(page, "step name")`` saves a full-page PNG and returns its path."""
    test_name = re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
    folder = artifacts_dir / test_name
    counter = {"n": 0}

    def take(page, step: str) -> Path:
        counter["n"] += 1
        viewport = getattr(page, "viewport_name", "page")
        name = re.sub(r"[^\w\-]+", "-", step).strip("-") or "step"
        path = folder / f"{counter['n']:02d}-{viewport}-{name}.png"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- Helpers ----------------------------------------------------------------------------------


def url(live_server, name: str, *args, **kwargs) -> str:
    """Absolute URL of a named route on the live server."""
    return live_server.url + reverse(name, args=args or None, kwargs=kwargs or None)


def login(page, live_server, username: str, password: str | None = None) -> None:
    """Log in through the login page (``portal:login``) with the demo password.

    Fills the standard ``username`` / ``password`` fields, submits, and waits until the browser
    has left the login page, failing with the page's own error text otherwise.
    """
    login_url = url(live_server, "portal:login")
    page.goto(login_url)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password or settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator('form:has(input[name="password"]) [type="submit"]').first.click()
    if page.url.split("?")[0] == login_url:
        errors = page.locator(".errorlist, .alert, [role=alert]").all_inner_texts()
        pytest.fail(f"login as {username!r} failed: {errors or 'still on the login page'}")


def assert_no_horizontal_scroll(page) -> None:
    """The page must fit the viewport's width: no sideways scrolling, esp. on phones.

    Checks ``document.documentElement.scrollWidth <= window.innerWidth`` and, because a mobile
    browser zooms out to fit wide content (which makes ``innerWidth`` grow with it), also
    against the width the page's viewport was opened with.
    """
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    limit = min(inner_width, (page.viewport_size or {}).get("width", inner_width))
    if scroll_width > limit:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                           + (el.className && typeof el.className === 'string'
                              ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))""",
            limit,
        )
        raise AssertionError(
            f"horizontal scrolling on {page.url}: scrollWidth {scroll_width} > "
            f"viewport width {limit} (innerWidth {inner_width}); too wide: {wide}"
        )


def assert_accessible(
    page, context: str | dict | None = None, *, disable: tuple = (), also: tuple = ()
) -> None:
    """Run axe-core on the page; fail on any ``serious`` or ``critical`` violation.

    ``disable`` takes axe rule ids to leave out; say why next to any use of it. ``also`` takes
    rule ids that fail whatever their impact (e.g. ``region``, moderate: content outside any
    landmark).
    """
    from axe_playwright_python.sync_playwright import Axe

    options: dict = {"resultTypes": ["violations"]}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    results = Axe().run(page, context=context, options=options)
    blocking = [
        v
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING_IMPACTS or v.get("id") in also
    ]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {page.url}:"]
        for violation in blocking:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                f"— {len(violation['nodes'])} node(s): {targets}"
            )
        raise AssertionError("\n".join(lines))
