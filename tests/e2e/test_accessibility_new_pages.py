"""axe, English mode and the 390 px phone on the pages added since issue 14 was written (its item
10 extended): the service centre's kiosk (standard and elder mode, a category chosen, the slip of
a ticket taken, appointment check-in), the hall display, the clerk's desk, walk-in intake (item
search, the item's form), appointment booking and "my appointments", the public ratings, the
rating page, the comment moderation page, the hand-over page, the case-sharing and delegation
pages, and the window configuration.

On the demo data (``seed_demo``, once: ``live_server`` tests empty the database afterwards):

* no serious or critical axe violation, and no content outside a landmark (``region``);
* in English mode the page's own words are English: once the demo's data is taken out (item,
  department, centre, window and region names, people's masked names, the official Chinese
  term glossed in brackets after its English name, e.g. "Very satisfied (非常满意)"), no
  Chinese is left;
* on a 390 px phone the page does not scroll sideways.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    _new_page,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
    url,
)

pytestmark = pytest.mark.e2e

ALSO_BLOCKING = ("region",)
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+")
# An official Chinese term glossed after its English name: "Approve (准予许可)".
GLOSS = re.compile(r"[（(][^()（）]*[\u3400-\u9fff][^()（）]*[)）]")
# A person's name masked as the pages show it (张*, 黄**).
MASKED_NAME = re.compile(r"[\u3400-\u9fff][*＊]+")


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    from departments.models import Department, Region, ServiceCentre, Window
    from permits.models import Application, ServiceItem

    users = get_user_model().objects
    approved = Application.objects.filter(
        status="approved", applicant_person__user__username="citizen2"
    ).first()
    # The rating page is checked on a case still to be rated (the demo rates the approved one).
    to_rate = Application.objects.filter(
        status="denied", applicant_person__user__username="citizen2"
    ).first()
    in_review = Application.objects.filter(
        status="in_review", lead_department__code__contains="scjg"
    ).first()
    assert approved is not None and in_review is not None and to_rate is not None, (
        "seed_demo's cases in flight changed"
    )
    centre = ServiceCentre.objects.select_related("region").get(region__code="445300")
    window = Window.objects.filter(centre=centre).order_by("number").first()
    data_names = set()
    for model, fields in (
        (ServiceItem, ("name", "short_name")),
        (Department, ("name", "short_name")),
        (ServiceCentre, ("name",)),
        (Window, ("name",)),
        (Region, ("name",)),
    ):
        concrete = {f.name for f in model._meta.get_fields()}
        for values in model.objects.values_list(*(f for f in fields if f in concrete)):
            data_names.update(v for v in values if v)
    for name in users.values_list("first_name", "last_name"):
        data_names.update(n for n in name if n)
    # What citizens wrote is data too: the demo's published rating comment.
    from evaluations.models import Rating

    data_names.update(c for c in Rating.objects.values_list("comment_published", flat=True) if c)
    return {
        "approved": approved,
        "to_rate": to_rate,
        "in_review": in_review,
        "centre": centre,
        "window": window,
        # longest first, so that a name containing another goes out whole
        "data_names": sorted(data_names, key=len, reverse=True),
    }


def _pages(live_server, demo) -> list[tuple[str | None, str, bool]]:
    """(username or None, path, whether its own words can be checked in English)."""
    code = demo["centre"].region.code
    approved, in_review = demo["approved"].number, demo["in_review"].number
    lead = demo["approved"].lead_department.code
    u = lambda name, *args, **kw: url(live_server, name, *args, **kw)  # noqa: E731
    return [
        (None, u("centres:kiosk", code), True),
        (None, u("centres:kiosk", code) + "?elder=1", True),
        (None, u("centres:kiosk", code) + "?category=certificate", True),
        (None, u("centres:check_in", code), True),
        (None, u("centres:display", code), True),
        (None, u("portal:rating_results"), True),
        (None, u("portal:rating_results_department", lead), True),
        ("citizen", u("centres:book", code), True),
        ("citizen", u("centres:my_appointments"), True),
        ("citizen2", u("portal:rate", demo["to_rate"].number), True),
        ("clerk", u("centres:desk_home") + "?all=1", True),
        ("clerk", u("centres:desk", demo["window"].pk), True),
        ("clerk", u("centres:intake:start") + "?q=qykb", True),
        # The item's own form: its labels are the catalogue's (data), in Chinese.
        ("clerk", u("centres:intake:new", demo["in_review"].item.code), False),
        ("scjg_undertake", u("centres:intake:handover", approved), True),
        ("supervisor", u("evaluations:moderation"), True),
        # The form's field labels are the item's (data).
        ("head_scjg", u("grants:case", in_review), False),
        ("head_scjg", u("grants:shared"), True),
        ("head_scjg", u("grants:delegations"), True),
        ("admin", u("centres:configure", code), True),
    ]


def _own_words(page) -> str:
    """The page's visible text without what is marked Chinese on purpose (``lang="zh…"``: the
    language switch's 中文, the brand's Chinese name, a notice's official title)."""
    return page.evaluate(
        """() => {
          for (const el of document.body.querySelectorAll('[lang^="zh"]')) el.remove();
          return document.body.innerText;
        }"""
    )


def _chinese_left(text: str, data_names: list[str]) -> list[str]:
    for name in data_names:
        text = text.replace(name, " ")
    text = GLOSS.sub(" ", MASKED_NAME.sub(" ", text))
    return sorted(set(CJK.findall(text)))


def test_the_new_pages_pass_axe_read_english_and_fit_a_phone(browser, live_server, demo, shot):
    pages = _pages(live_server, demo)
    failures: list[str] = []
    contexts: dict = {}

    def page_for(username, mode):
        if (username, mode) not in contexts:
            options = {"viewport": DESKTOP}
            if mode == "phone":
                options = {
                    "viewport": PHONE,
                    "device_scale_factor": 2,
                    "is_mobile": True,
                    "has_touch": True,
                }
            context, page = _new_page(browser, live_server, **options)
            if mode == "en":
                context.add_cookies(
                    [{"name": "django_language", "value": "en", "url": live_server.url}]
                )
            if username:
                login(page, live_server, username)
            contexts[(username, mode)] = page
        return contexts[(username, mode)]

    for username, path, english in pages:
        for mode in ("zh", "en", "phone"):
            if mode == "en" and not english:
                continue
            page = page_for(username, mode)
            response = page.goto(path)
            where = f"[{username or 'anonymous'}, {mode}] {path}"
            if response is None or response.status != 200:
                failures.append(f"{where}: HTTP {response.status if response else '—'}")
                continue
            try:
                if mode == "zh":
                    assert_accessible(page, also=ALSO_BLOCKING)
                elif mode == "en":
                    assert page.locator("html").get_attribute("lang") == "en"
                    left = _chinese_left(_own_words(page), demo["data_names"])
                    assert not left, f"Chinese in English mode: {left}"
                else:
                    assert_no_horizontal_scroll(page)
            except AssertionError as error:
                failures.append(f"{where}: {error}")
        shot(page_for(username, "zh"), path.removeprefix(live_server.url))

    # A ticket taken at the kiosk: its slip.
    kiosk = page_for(None, "zh")
    kiosk.goto(pages[2][1])
    kiosk.get_by_test_id("kiosk-item").first.click()
    kiosk.wait_for_url(re.compile(r"/slip/"))
    try:
        assert_accessible(kiosk, also=ALSO_BLOCKING)
    except AssertionError as error:
        failures.append(f"[slip] {error}")
    shot(kiosk, "slip")

    for page in contexts.values():
        page.context.close()
    assert not failures, "\n".join(failures)
