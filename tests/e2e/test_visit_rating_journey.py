"""Browser journey of a window visit rated 一次一评 (issues 9 and 10): a visitor takes a ticket
at the kiosk on their phone, the slip shows the rating QR code and link, which answers
"办理结束后可评价" while the visit goes on; the clerk calls and finishes the ticket at the desk;
the visitor then rates the visit from the slip's link, once."""

from __future__ import annotations

import re

import pytest

from evaluations.models import Rating
from permits.choices import Category
from tests.centres.factories import build_world
from tests.e2e.conftest import assert_accessible, url
from tests.e2e.test_applying import login_as

pytestmark = pytest.mark.e2e


@pytest.fixture
def hall(transactional_db):
    world = build_world(licensing_items=1, social_items=0)
    world.window("05", categories=[Category.LICENSING])
    return world


def test_a_visit_finished_at_the_desk_is_rated_from_the_slip(
    page, phone_page, live_server, shot, hall
):
    item = hall.items["lic0"]
    visitor = phone_page

    # The kiosk: the category, the item, the slip with its rating QR code and link.
    visitor.goto(url(live_server, "centres:kiosk", hall.centre.code))
    visitor.get_by_test_id("kiosk-category").first.click()
    visitor.get_by_role("button", name=item.name).click()
    code = visitor.get_by_test_id("ticket-code").inner_text().strip()
    assert re.fullmatch(r"A\d{3}", code)
    assert visitor.get_by_test_id("slip-rating").locator("svg").count() == 1
    link = visitor.get_by_test_id("slip-rating-url").get_attribute("href")
    assert_accessible(visitor)
    shot(visitor, "slip")

    # Before the visit is finished the link says when it can be used.
    visitor.goto(link)
    assert "办理结束后可评价" in visitor.content()
    shot(visitor, "not-yet")

    # The clerk calls the ticket and finishes the visit at the desk.
    login_as(page, live_server, hall.clerk)
    page.goto(url(live_server, "centres:desk", window_id=hall.windows["05"].pk))
    page.get_by_test_id("call-next").click()
    assert page.get_by_test_id("current-ticket").inner_text().strip() == code
    page.get_by_test_id("finish").click()
    assert page.get_by_test_id("rate-visit").is_visible()  # the pad is offered at the window
    assert_accessible(page)
    shot(page, "finished")

    # The visitor rates from the slip's link: the on-site criteria, once.
    visitor.goto(link)
    assert code in visitor.get_by_test_id("rating-visit").inner_text()
    visitor.get_by_label(re.compile("非常满意")).check()
    visitor.get_by_label(re.compile("服务态度")).check()
    assert_accessible(visitor)
    shot(visitor, "form")
    visitor.get_by_role("button", name=re.compile("提交评价")).click()
    assert visitor.get_by_test_id("rating-done").is_visible()
    rating = Rating.objects.get(subject_kind="visit")
    assert (rating.level, rating.channel, rating.staff_id) == (5, "window", hall.clerk.pk)
    assert rating.tags == ["attitude"]
    shot(visitor, "rated")

    # The link is used now; the desk no longer offers the pad.
    visitor.goto(link)
    assert "已使用" in visitor.content()
    page.reload()
    assert page.get_by_test_id("rate-visit").count() == 0
