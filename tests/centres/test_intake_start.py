"""The walk-in intake start page: the window's most requested items as quick links, and a
short how-to, in Chinese (centres.selectors.intake_quick_items)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from centres.models import Ticket, TicketStatus
from centres.selectors import intake_quick_items
from departments.models import WindowKind
from permits.choices import Category
from tests.centres.factories import build_world

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


def _served(world, window, item, n, *, days_ago=1):
    at = NOW - dt.timedelta(days=days_ago)
    for i in range(n):
        Ticket.objects.create(
            centre=world.centre,
            day=at.date(),
            letter="A",
            number=100 * days_ago + i + Ticket.objects.count(),
            item=item,
            category=item.category,
            status=TicketStatus.DONE,
            window=window,
            issued_at=at,
            queued_at=at,
            finished_at=at,
        )


def _world():
    world = build_world(licensing_items=3, social_items=1)
    window = world.window("01", kind=WindowKind.COMPREHENSIVE)
    window.clerk_on_duty = world.clerk
    window.save()
    return world, window


def test_the_window_s_most_served_items_come_first_then_the_popular_ones():
    world, window = _world()
    lic0, lic1, lic2 = (world.items[f"lic{i}"] for i in range(3))
    _served(world, window, lic2, 3)
    _served(world, window, lic1, 1)
    _served(world, window, lic0, 9, days_ago=40)  # older than 30 days: not counted

    quick = intake_quick_items(user=world.clerk, now=NOW, limit=3)

    assert quick[:2] == [lic2, lic1]
    assert len(quick) == 3 and quick[2] in (lic0, world.items["soc0"])


def test_another_clerk_s_window_and_items_it_cannot_serve_are_not_offered():
    world = build_world(licensing_items=1, social_items=1)
    window = world.window("02", categories=[Category.SOCIAL_SECURITY])
    window.clerk_on_duty = world.clerk
    window.save()
    other = world.window("03", kind=WindowKind.COMPREHENSIVE)
    _served(world, other, world.items["lic0"], 5)

    assert intake_quick_items(user=world.clerk, now=NOW) == [world.items["soc0"]]
    assert intake_quick_items(user=world.clerk_of_centre("nowindow"), now=NOW) != []


def test_the_start_page_links_them_and_tells_how_in_chinese(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    world, window = _world()
    item = world.items["lic1"]
    popular = world.items["lic0"]
    popular.popularity = 99  # the most popular item: second to what the window served
    popular.save(update_fields=["popularity"])
    _served(world, window, item, 2)
    client.force_login(world.clerk)

    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("centres:intake:start"), {"ticket": "A017"}).content.decode()

    quick = body[body.index('data-testid="intake-quick"') :]
    first_link = quick[quick.index("<a ") : quick.index("</a>")]
    assert item.name in first_link and popular.name in quick
    assert f"{reverse('centres:intake:new', args=[item.code])}?ticket=A017" in quick
    assert "窗口受理步骤" in body and "扫描或上传材料" in body
    # a search shows its results instead of the quick links
    with time_machine.travel(NOW, tick=False):
        found = client.get(reverse("centres:intake:start"), {"q": item.code}).content.decode()
    assert 'data-testid="intake-quick"' not in found and item.name in found
