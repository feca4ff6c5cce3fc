"""政务公开 in the browser: the section's pages a citizen opens without logging in pass axe (no
serious or critical violation, no content outside a landmark), on the desktop and a phone,
without horizontal scrolling."""

from __future__ import annotations

import pytest

from disclosure.models import Category, Kind
from tests.disclosure.conftest import _user, decided_case, make_article
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, url
from tests.workflow import factories as f

pytestmark = pytest.mark.e2e


@pytest.fixture
def published(transactional_db):
    editor = _user("e2e-gk-editor", "add_article", "change_article")
    reviewer = _user("e2e-gk-reviewer", "review_article")
    news = Category.objects.create(kind=Kind.NOTICE, code="news", name="工作动态")
    notice = make_article(editor, reviewer, title="关于元旦假期窗口服务安排的通告", category=news)
    policy = make_article(
        editor, reviewer, kind=Kind.POLICY, title="实施方案", document_number="云府办〔2026〕12号"
    )
    make_article(editor, reviewer, kind=Kind.INTERPRETATION, title="实施方案解读", policy=policy)
    reg = f.region()
    lead = f.department(name="云浮市市场监督管理局", reg=reg)
    world = {"region": reg, "lead": lead, "item": f.published_item(lead=lead)}
    decided_case(world, enterprise=f.enterprise())
    decided_case(world, person=f.citizen()[1], decision="denied")
    return {"notice": notice, "policy": policy}


def test_the_disclosure_pages_pass_axe(any_page, live_server, published):
    pages = [
        url(live_server, "disclosure:home"),
        url(live_server, "disclosure:list", "notices"),
        url(live_server, "disclosure:search") + "?q=元旦",
        url(live_server, "disclosure:article", published["notice"].pk),
        url(live_server, "disclosure:article", published["policy"].pk),
        url(live_server, "disclosure:cases"),
        url(live_server, "disclosure:open_data"),
    ]
    failures = []
    for address in pages:
        response = any_page.goto(address)
        assert response is not None and response.status == 200, address
        try:
            assert_accessible(any_page, also=("region",))
            assert_no_horizontal_scroll(any_page)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)
    any_page.goto(url(live_server, "disclosure:search") + "?q=元旦")
    assert any_page.get_by_text("关于元旦假期窗口服务安排的通告").is_visible()
