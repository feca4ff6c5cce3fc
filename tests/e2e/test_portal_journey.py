"""The newcomer's journey through the portal: home → search ``qykb`` → catalogue → guide, at the
desktop and at a 390×844 phone, without sideways scrolling, with axe finding no serious or
critical violation, and a screenshot of every step.

The journey ends with logging in as each demo role: ``test_demo_roles.py`` (seeded with
``seed_demo``).
"""

from __future__ import annotations

import pytest

from departments.models import Level
from tests.departments.factories import DepartmentFactory, RegionFactory
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, url
from tests.permits.factories import CompleteItemFactory, ServiceItemFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(transactional_db):
    city = RegionFactory(code="445300", name="云浮市", level=Level.CITY, position=0)
    RegionFactory(code="445381", name="罗定市", level=Level.COUNTY, parent=city, position=3)
    market = DepartmentFactory(code="yf-scjg", name="云浮市市场监督管理局", region=city)
    qykb = CompleteItemFactory(
        code="11445300MB2C12345A", region=city, lead_department=market, popularity=99
    )
    ServiceItemFactory(
        name="食品经营许可", region=city, lead_department=market, published=True, popularity=50
    )
    ServiceItemFactory(
        name="个体工商户登记", region=city, lead_department=market, published=True, popularity=40
    )
    return qykb


def check(page, shot, step: str) -> None:
    shot(page, step)
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def walk_to_the_guide(page, live_server, shot, item) -> None:
    # Given a newcomer on the home page, in Chinese
    response = page.goto(url(live_server, "portal:home"))
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", level=1).inner_text().strip()
    check(page, shot, "home")

    # When they type the pinyin initials into the big search box
    search = page.get_by_role("search").filter(has=page.locator("#os-hero-q"))
    page.fill("#os-hero-q", "qykb")
    with page.expect_navigation():
        search.get_by_role("button").click()

    # Then the catalogue finds 企业开办 and nothing else
    assert "/items/" in page.url and "q=qykb" in page.url
    cards = page.locator(".os-item-card")
    assert cards.count() == 1
    assert "企业开办" in cards.first.inner_text()
    check(page, shot, "search qykb")

    # And the card leads to the guide with its parallel departments
    with page.expect_navigation():
        page.get_by_role("link", name="企业开办").click()
    assert page.url.endswith(f"/items/{item.code}/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "企业开办"
    assert page.locator(".os-branches .os-branch").count() == 5
    check(page, shot, "guide")


def test_newcomer_journey_home_search_guide(any_page, live_server, shot, catalogue):
    walk_to_the_guide(any_page, live_server, shot, catalogue)


def test_language_and_large_text_switches(page, live_server, shot, catalogue):
    page.goto(url(live_server, "portal:item", code=catalogue.code))

    # Large text: toggled in place by JavaScript, remembered across pages
    base_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="长者模式").click()
    assert "large-text" in page.locator("html").get_attribute("class")
    page.goto(url(live_server, "portal:home"))
    assert "large-text" in (page.locator("html").get_attribute("class") or "")
    large_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large_size >= base_size * 1.2
    check(page, shot, "home large text")

    # English through the language link; item content stays Chinese
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(url(live_server, "portal:item", code=catalogue.code))
    assert "Service guide" in page.inner_text("main")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "企业开办"
    check(page, shot, "guide english large text")


def test_phone_menu_opens_and_catalogue_filters_work(phone_page, live_server, shot, catalogue):
    page = phone_page
    page.goto(url(live_server, "portal:catalogue"))
    assert not page.get_by_role("link", name="办事服务").is_visible()
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="办事服务").wait_for(state="visible")
    check(page, shot, "menu open")

    # On the phone the filters are folded so the results come first; they open on a tap
    assert not page.locator("#id_audience").is_visible()
    page.locator(".os-filter-summary").click()
    assert page.locator("#id_audience").is_visible()

    # Choosing a filter submits the form (and the button works without JavaScript too)
    with page.expect_navigation():
        page.select_option("#id_audience", "enterprise")
    assert "audience=enterprise" in page.url
    assert page.locator(".os-item-card").count() == 3
    # The results come first again; the folded panel says how many filters are set
    assert not page.locator("#id_audience").is_visible()
    assert "已选 1 个条件" in page.locator(".os-filter-summary").inner_text()
    check(page, shot, "catalogue filtered")
