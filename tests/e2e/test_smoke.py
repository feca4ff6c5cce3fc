"""Smoke tests of the browser harness and the home page."""

import pytest
from django.conf import settings

from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, login, url

pytestmark = pytest.mark.e2e

GOOD_PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>云浮</title></head>
<body><main><h1>云浮市一站式政务服务平台</h1><p>欢迎</p></main></body></html>"""


def test_home_page_loads_and_passes_axe(any_page, live_server, shot):
    response = any_page.goto(url(live_server, "portal:home"))

    assert response is not None and response.status == 200
    shot(any_page, "home")
    assert_no_horizontal_scroll(any_page)
    assert_accessible(any_page)


def test_harness_runs_chromium_with_chinese_fonts_and_screenshots(page, shot):
    page.set_content(GOOD_PAGE)

    # Glyphs render with real width (a missing CJK font draws tofu boxes of equal width too,
    # so also check that the page reports the Chinese locale it was given).
    assert page.evaluate("navigator.language") == "zh-CN"
    assert page.locator("h1").bounding_box()["width"] > 100
    path = shot(page, "good page")
    assert path.exists() and path.stat().st_size > 1000
    assert path.name == "01-desktop-good-page.png"


def test_axe_helper_passes_a_good_page_and_fails_a_bad_one(page):
    page.set_content(GOOD_PAGE)
    assert_accessible(page)

    page.set_content("<html><body><img src='x.png'><button></button></body></html>")
    with pytest.raises(AssertionError, match="serious/critical") as failure:
        assert_accessible(page)
    assert "html-has-lang" in str(failure.value)
    assert "button-name" in str(failure.value)


def test_scroll_helper_catches_a_too_wide_element_on_a_phone(phone_page):
    phone_page.set_content(GOOD_PAGE)
    assert_no_horizontal_scroll(phone_page)

    phone_page.set_content(
        GOOD_PAGE.replace(
            "<p>欢迎</p>", '<table id="wide" style="width:900px"><tr><td>x</td></tr></table>'
        )
    )
    with pytest.raises(AssertionError, match="horizontal scrolling.*table#wide"):
        assert_no_horizontal_scroll(phone_page)


def test_login_helper_logs_in_with_the_demo_password(page, live_server, shot):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="e2e-smoke", password=settings.DEMO_PASSWORD)

    login(page, live_server, "e2e-smoke")

    shot(page, "after login")
    assert "/accounts/login/" not in page.url
    session_cookie = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert session_cookie, "no session after logging in"


def test_login_helper_fails_clearly_on_a_wrong_password(page, live_server):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="e2e-smoke", password=settings.DEMO_PASSWORD)

    with pytest.raises(pytest.fail.Exception, match="login as 'e2e-smoke' failed"):
        login(page, live_server, "e2e-smoke", password="wrong-password")
