"""The kiosk, the slip, the hall display and the clerk's queue page, and who may open them."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from centres.models import Ticket, TicketStatus
from departments.models import Role, WindowKind
from permits.choices import Category
from tests.centres.factories import build_world
from tests.departments.factories import UserFactory, grant
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-centres-pages",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world():
    w = build_world()
    w.window("05", categories=[Category.LICENSING])
    w.window("08", categories=[Category.SOCIAL_SECURITY])
    return w


def take(client, world, item, **extra):
    url = reverse("centres:kiosk", args=[world.centre.code])
    return client.post(url, {"item": item.pk, **extra}, follow=True)


def test_the_kiosk_lists_categories_then_items_and_issues_a_slip_in_chinese(zh_client, world):
    url = reverse("centres:kiosk", args=[world.centre.code])
    page = zh_client.get(url).content.decode()
    assert "行政许可" in page and "社会保障" in page and "长者模式" in page
    page = zh_client.get(url, {"category": Category.LICENSING}).content.decode()
    assert world.items["lic0"].name in page and world.items["soc0"].name not in page

    response = take(zh_client, world, world.items["lic0"])
    slip = response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.code == "A001" and ticket.window.number == "05"
    assert "A001" in slip and "请到 05 号窗口" in slip and "排队号" in slip
    assert "您前面还有 0 人" in slip


def test_elder_mode_and_priority(zh_client, world):
    url = reverse("centres:kiosk", args=[world.centre.code])
    page = zh_client.get(url, {"elder": "1", "category": Category.LICENSING}).content.decode()
    assert "os-elder" in page
    take(zh_client, world, world.items["lic0"], elder="1", priority_reason="elderly")
    ticket = Ticket.objects.get()
    assert ticket.priority and ticket.priority_reason == "elderly" and ticket.elder_mode


def test_the_kiosk_refuses_an_item_no_open_window_serves(zh_client, world):
    world.windows["08"].status = "closed"
    world.windows["08"].save()
    take(zh_client, world, world.items["soc0"])
    assert not Ticket.objects.exists()


def test_the_public_is_throttled_but_the_centres_kiosks_are_not(client, world, settings):
    settings.CENTRES_TICKETS_PER_HOUR = 2
    for _ in range(3):
        response = take(client, world, world.items["lic0"])
    assert response.status_code == 429 and Ticket.objects.count() == 2
    settings.CENTRES_KIOSK_IPS = ["127.0.0.1"]
    for _ in range(3):
        assert take(client, world, world.items["lic0"]).status_code == 200
    assert Ticket.objects.count() == 5


def test_the_hall_display_shows_calls_and_waiting_counts_and_refreshes_by_script(
    client, zh_client, world
):
    take(client, world, world.items["lic0"])
    take(client, world, world.items["lic1"])
    client.force_login(world.clerk)
    desk = reverse("centres:desk_act", args=[world.windows["05"].pk])
    client.post(desk, {"action": "call"})
    page = zh_client.get(reverse("centres:display", args=[world.centre.code]))
    html = page.content.decode()
    assert "请 A001 号到 05 号窗口办理" in html
    # No inline script: the page loads its refresher from a static file.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "centres/display.js" in html
    data = zh_client.get(reverse("centres:display_data", args=[world.centre.code])).json()
    assert data["calls"][0]["ticket"] == "A001" and data["calls"][0]["window"] == "05"
    assert data["waiting_total"] == 1
    assert {w["number"]: w["waiting"] for w in data["windows"]}["05"] == 1


def test_the_clerk_calls_recalls_transfers_and_finishes(client, world):
    comprehensive = world.window("01", kind=WindowKind.COMPREHENSIVE)
    take(client, world, world.items["lic0"])
    client.force_login(world.clerk)
    w05 = world.windows["05"]
    act = reverse("centres:desk_act", args=[w05.pk])
    client.post(act, {"action": "duty"})
    assert client.get(reverse("centres:desk_home")).url == reverse("centres:desk", args=[w05.pk])
    client.post(act, {"action": "call"})
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CALLED
    page = client.get(reverse("centres:desk", args=[w05.pk])).content.decode()
    assert ticket.code in page
    client.post(act, {"action": "recall", "ticket": ticket.pk})
    client.post(act, {"action": "transfer", "ticket": ticket.pk, "to_window": comprehensive.pk})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRANSFERRED and ticket.window == comprehensive
    act01 = reverse("centres:desk_act", args=[comprehensive.pk])
    client.post(act01, {"action": "call"})
    client.post(act01, {"action": "start", "ticket": ticket.pk})
    client.post(act01, {"action": "finish", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE and ticket.recalls == 1


def test_the_queue_page_is_for_the_centres_clerks_only(client, world):
    w05 = world.windows["05"]
    outsider = UserFactory()
    other_department_clerk = UserFactory()
    grant(
        other_department_clerk,
        build_world(licensing_items=0, social_items=0).centre.department,
        Role.CLERK,
    )
    assert client.get(reverse("centres:desk", args=[w05.pk])).status_code == 302  # to login
    for user in (outsider, other_department_clerk):
        client.force_login(user)
        assert client.get(reverse("centres:desk", args=[w05.pk])).status_code == 404
        assert (
            client.post(reverse("centres:desk_act", args=[w05.pk]), {"action": "call"}).status_code
            == 404
        )
    client.force_login(world.clerk)
    assert client.get(reverse("centres:desk", args=[w05.pk])).status_code == 200


def test_closing_a_window_from_the_queue_page_reassigns(client, world):
    other = world.window("06", categories=[Category.LICENSING])
    for _ in range(2):
        take(client, world, world.items["lic0"])
    client.force_login(world.clerk)
    w05 = world.windows["05"]
    client.post(
        reverse("centres:desk_act", args=[w05.pk]), {"action": "status", "status": "closed"}
    )
    assert set(Ticket.objects.values_list("window", flat=True)) == {other.pk}


def test_a_citizen_books_a_slot_and_checks_in_at_the_kiosk(client, world):
    from centres.models import Appointment

    citizen = UserFactory()
    item = world.items["lic0"]
    url = reverse("centres:book", args=[world.centre.code])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(citizen)
    # Wednesday 10:00 → the first bookable day is Thursday.
    page = client.get(url, {"item": item.pk, "day": "2026-12-03"}).content.decode()
    assert "09:00" in page and "16:30" in page
    starts = datetime(2026, 12, 3, 9, 30, tzinfo=SHANGHAI)
    response = client.post(url, {"item": item.pk, "starts_at": starts.isoformat()}, follow=True)
    booking = Appointment.objects.get()
    assert booking.code in response.content.decode()
    client.logout()
    with time_machine.travel(starts, tick=False):
        check_in = reverse("centres:check_in", args=[world.centre.code])
        slip = client.post(check_in, {"code": booking.code}, follow=True).content.decode()
    ticket = Ticket.objects.get()
    assert ticket.priority_reason == "appointment" and ticket.code in slip


def test_the_centre_head_configures_the_windows_items_and_status(client, world):
    head = UserFactory()
    grant(head, world.centre.department, Role.HEAD)
    url = reverse("centres:configure", args=[world.centre.code])
    client.force_login(world.clerk)
    assert client.get(url).status_code == 404  # a clerk does not configure
    client.force_login(head)
    page = client.get(url).content.decode()
    assert world.items["lic0"].name in page
    w05 = world.windows["05"]
    take(client, world, world.items["lic1"])  # waiting at 05
    client.post(url, {"window": w05.pk, "status": "open", "items": [world.items["lic0"].pk]})
    assert list(w05.accepted_items.values_list("item", flat=True)) == [world.items["lic0"].pk]
    # An item of another category is refused; closing hands the queue on (here: unassigned).
    client.post(url, {"window": w05.pk, "status": "open", "items": [world.items["soc0"].pk]})
    assert w05.accepted_items.count() == 1
    client.post(url, {"window": w05.pk, "status": "closed", "items": []})
    w05.refresh_from_db()
    assert w05.status == "closed" and not w05.accepted_items.exists()
    assert Ticket.objects.get().window is None
