"""The demo's windows (seed_demo): the Yunfu city centre's windows accept their items, so the
kiosk, the assignment and the desk work on first look; seeding again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from centres.demo import seed_window_items
from centres.models import WindowItem
from centres.services import queue
from centres.services.capability import capable_windows
from departments.models import ServiceCentre, Window
from permits.models import ServiceItem

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def yunfu():
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", stdout=io.StringIO())
    return ServiceCentre.objects.get(region__code="445300")


def numbers(windows) -> set[str]:
    return {w.number for w in windows}


def test_the_city_centres_windows_accept_their_departments_items(yunfu, client):
    windows = {w.number: w for w in Window.objects.filter(centre=yunfu)}
    # A 帮办代办 window beside the comprehensive ones; comprehensive windows list nothing.
    assert windows["03"].kind == "assisted"
    assert not WindowItem.objects.filter(window__in=[windows["01"], windows["02"]]).exists()
    listed = set(
        WindowItem.objects.filter(window=windows["05"]).values_list("item__code", flat=True)
    )
    assert "445300-SCJG-QYKB" in listed and "445300-ZJJ-SGXK" not in listed

    company = ServiceItem.objects.get(code="445300-SCJG-QYKB")
    building = ServiceItem.objects.get(code="445300-ZJJ-SGXK")
    social_card = ServiceItem.objects.get(code="445300-RSJ-SBKSL")
    assert numbers(capable_windows(centre=yunfu, item=company)) == {"01", "02", "05"}
    assert numbers(capable_windows(centre=yunfu, item=building)) == {"01", "02", "15"}
    assert numbers(capable_windows(centre=yunfu, item=social_card)) == {"01", "02", "03", "08"}

    # The kiosk offers 企业开办 and the ticket goes to a window that can serve it (the
    # specialist window first while nobody waits).
    page = client.get("/centres/445300/kiosk/?category=licensing")
    assert page.status_code == 200 and "企业开办" in page.content.decode()
    ticket = queue.ticket_issue(centre=yunfu, item=company)
    assert ticket.window == windows["05"]


def test_seeding_again_keeps_the_window_items(yunfu):
    before = sorted(WindowItem.objects.values_list("pk", "window_id", "item_id"))
    result = seed_window_items()
    assert result.created == [] and result.skipped == []
    assert sorted(WindowItem.objects.values_list("pk", "window_id", "item_id")) == before


def test_seeding_puts_back_items_changed_by_hand(yunfu):
    window = Window.objects.get(centre=yunfu, number="05")
    WindowItem.objects.filter(window=window, item__code="445300-SCJG-QYKB").delete()
    result = seed_window_items()
    assert result.created == ["445300-05"]
    assert WindowItem.objects.filter(window=window, item__code="445300-SCJG-QYKB").exists()
