"""axe on every page a newcomer meets, and the layouts that used to overflow (issue 14, items 9
and 10).

* One case in review, one draft: every page of the walk-through (portal, application steps,
  accounts, notifications, back office, supervision, calendar, and the admin's item and
  department pages) has no serious or critical axe violation, and outside the Django admin no
  content outside a landmark either (axe's ``region``, moderate: the top bar once sat outside).
* The case page's summary box keeps its four facts readable (no label or date wrapped a
  character or two per line) at the desktop, on a phone and on a phone in large-text mode.
* Large text on a 390 px phone: the home page fits, the region button stays on the screen and
  the quick-link labels stay on one line.
* The back office sits in the header's container and shows no citizen navigation; a
  supervisor's menu offers no inbox.

One test per kind of check (each ``live_server`` test empties the database afterwards).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from departments.models import Role
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, url
from tests.e2e.test_applying import login_as
from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, new_case, open_task, submitted_case
from workflow.deadlines import calendar

pytestmark = pytest.mark.e2e

# axe rules that must pass whatever their impact, on the site's own pages.
ALSO_BLOCKING = ("region",)
LARGE_TEXT_COOKIE = "onestop_large_text"


@pytest.fixture
def site(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.calendar_seed(years=[2026, 2027])
    calendar.invalidate_local()
    world = build_world(2, materials=[{"name": "企业设立登记申请书"}])
    app = submitted_case(world)
    accept(world, app)
    app.refresh_from_db()
    world.extra.update(
        case=app,
        draft=new_case(world),
        head=f.staff(world.lead, Role.HEAD),
        supervisor=f.supervisor(world.lead.region, world.lead),
        admin=get_user_model().objects.create_superuser("site-admin", password="pw-123456"),
    )
    return world


def _axe(page, failures: list[str], path: str, *, site_page: bool = True) -> None:
    response = page.goto(path)
    if response is None or response.status != 200:
        failures.append(f"{path}: HTTP {response.status if response else '—'}")
        return
    try:
        assert_accessible(page, also=ALSO_BLOCKING if site_page else ())
    except AssertionError as error:
        failures.append(str(error))


def test_every_page_of_the_walk_through_passes_axe(browser, live_server, site):
    world, app, draft = site, site.extra["case"], site.extra["draft"]
    first = world.departments[0]
    review = open_task(app, kind="review", department=first)
    failures: list[str] = []

    def as_user(user):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        page = context.new_page()
        if user is not None:
            login_as(page, live_server, user)
        return page

    anonymous = as_user(None)
    for name, kwargs in (
        ("portal:home", {}),
        ("portal:catalogue", {}),
        ("portal:item", {"code": world.item.code}),
        ("portal:login", {}),
        ("portal:register", {}),
        ("portal:track", {}),
        ("portal:verify", {}),
        ("accessibility", {}),
    ):
        _axe(anonymous, failures, url(live_server, name, **kwargs))

    citizen = as_user(world.citizen)
    for name, kwargs in (
        ("portal:apply", {"code": world.item.code}),
        ("portal:apply_form", {"number": draft.number}),
        ("portal:apply_materials", {"number": draft.number}),
        ("portal:apply_review", {"number": draft.number}),
        ("portal:apply_done", {"number": app.number}),
        ("portal:my_cases", {}),
        ("portal:case_detail", {"number": app.number}),
        ("notifications:list", {}),
    ):
        _axe(citizen, failures, url(live_server, name, **kwargs))

    reviewer = as_user(world.reviewer(first))
    for name, kwargs in (
        ("workflow:home", {}),
        ("workflow:inbox", {}),
        ("workflow:queue", {}),
        ("workflow:task_detail", {"task_id": review.pk}),
    ):
        _axe(reviewer, failures, url(live_server, name, **kwargs))

    head = as_user(world.extra["head"])
    for name, kwargs in (
        ("deadlines:case_clock", {"number": app.number}),
        ("deadlines:supervision", {}),
    ):
        _axe(head, failures, url(live_server, name, **kwargs))
    # The clock page's extension buttons are there to be checked (they failed contrast).
    head.goto(url(live_server, "deadlines:case_clock", number=app.number))
    assert head.get_by_role("button", name="批准延长10个工作日").count() == 1

    supervisor = as_user(world.extra["supervisor"])
    _axe(supervisor, failures, url(live_server, "deadlines:supervision"))

    admin = as_user(world.extra["admin"])
    _axe(admin, failures, url(live_server, "deadlines:calendar"))
    for name, args in (
        ("admin:index", ()),
        ("admin:permits_serviceitem_changelist", ()),
        ("admin:permits_serviceitem_change", (world.item.pk,)),
        ("admin:permits_serviceitem_add", ()),
        ("admin:departments_department_changelist", ()),
        ("admin:departments_department_change", (world.lead.pk,)),
    ):
        _axe(admin, failures, url(live_server, name, *args), site_page=False)
    # The item's inlines fit a 1366 px screen.
    admin.set_viewport_size({"width": 1366, "height": 800})
    admin.goto(url(live_server, "admin:permits_serviceitem_change", world.item.pk))
    try:
        assert_no_horizontal_scroll(admin)
    except AssertionError as error:
        failures.append(str(error))

    for page in (anonymous, citizen, reviewer, head, supervisor, admin):
        page.context.close()
    assert not failures, "\n".join(failures)


def _facts_problems(page) -> list[str]:
    """Each fact of the summary box is a readable cell: at least 8 characters wide, its label
    on one line, nothing sticking out of it."""
    return page.evaluate(
        """() => {
          const box = document.querySelector('[data-testid=case-facts]');
          if (!box) return ['no summary box'];
          const out = [];
          for (const cell of box.children) {
            const em = parseFloat(getComputedStyle(cell).fontSize);
            const rect = cell.getBoundingClientRect();
            const dt = cell.firstElementChild;  // the label
            const lineHeight = parseFloat(getComputedStyle(dt).lineHeight);
            const lines = dt.getBoundingClientRect().height / lineHeight;
            if (rect.width < 8 * em) out.push(`${dt.textContent}: ${rect.width}px wide`);
            if (lines > 1.5) out.push(`${dt.textContent}: label on ${lines.toFixed(1)} lines`);
            for (const el of cell.querySelectorAll('*')) {
              const wide = el.scrollWidth > el.clientWidth + 1;
              if (wide || el.getBoundingClientRect().right > rect.right + 1)
                out.push(`${dt.textContent}: ${el.tagName.toLowerCase()} overflows`);
            }
          }
          return out;
        }"""
    )


def test_case_summary_box_stays_readable_on_desktop_and_phones(
    page, phone_page, live_server, site, shot
):
    app = site.extra["case"]
    problems = []
    for viewport_page, large in ((page, False), (phone_page, False), (phone_page, True)):
        login_as(viewport_page, live_server, site.citizen)
        if large:
            viewport_page.context.add_cookies(
                [{"name": LARGE_TEXT_COOKIE, "value": "1", "url": live_server.url}]
            )
        viewport_page.goto(url(live_server, "portal:case_detail", number=app.number))
        label = f"{viewport_page.viewport_name}{' large text' if large else ''}"
        shot(viewport_page, f"case page {label}")
        problems += [f"[{label}] {p}" for p in _facts_problems(viewport_page)]
        try:
            assert_no_horizontal_scroll(viewport_page)
        except AssertionError as error:
            problems.append(f"[{label}] {error}")
    assert not problems, "\n".join(problems)


def test_large_text_on_a_phone_fits_the_screen(phone_page, live_server, transactional_db, shot):
    call_command("seed_demo", verbosity=0)  # the real regions and categories of the home page
    page = phone_page
    page.context.add_cookies([{"name": LARGE_TEXT_COOKIE, "value": "1", "url": live_server.url}])
    page.goto(url(live_server, "portal:home"))
    assert "large-text" in (page.locator("html").get_attribute("class") or "")
    shot(page, "home large text")
    assert_no_horizontal_scroll(page)

    width = page.viewport_size["width"]
    switch = page.locator(".os-region-form button[type=submit]").bounding_box()
    assert switch["x"] >= 0 and switch["x"] + switch["width"] <= width, switch

    for link in page.locator(".os-quick-link").all():
        label = link.locator("span").first
        lines = label.evaluate(
            "el => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)"
        )
        assert lines < 1.5, f"{label.inner_text()!r} wraps onto {lines:.1f} lines"
    assert_accessible(page, also=ALSO_BLOCKING)


def test_back_office_sits_in_the_container_with_its_own_navigation(page, live_server, site, shot):
    login_as(page, live_server, site.reviewer(site.departments[0]))
    page.goto(url(live_server, "workflow:inbox"))
    header = page.locator(".os-header .container").bounding_box()
    main = page.locator("main#main").bounding_box()
    assert abs(header["x"] - main["x"]) <= 1 and abs(header["width"] - main["width"]) <= 1
    assert page.get_by_role("navigation", name="主导航").count() == 0  # no citizen menu
    staff_nav = page.get_by_role("complementary", name="后台导航")
    for label in ("我的待办", "部门待认领", "我的已办"):
        assert staff_nav.get_by_role("link", name=label).count() == 1, label
    shot(page, "reviewer inbox")

    # A supervisor acts on no task: no inbox links, in the menu or on the workbench.
    login_as(page, live_server, site.extra["supervisor"])
    page.goto(url(live_server, "workflow:home"))
    staff_nav = page.get_by_role("complementary", name="后台导航")
    assert staff_nav.get_by_role("link", name="电子监察").count() == 1
    for label in ("我的待办", "部门待认领", "我的已办"):
        assert page.get_by_role("link", name=label).count() == 0, label
    shot(page, "supervisor workbench")
