"""Query-count guards of the service centre's lists (issue 11 item 5): the clerk's desk (its
queue), the hall display and its data read as many queries with 3 tickets waiting as with 30."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.choices import Category
from tests.centres.factories import build_world
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
            "LOCATION": "test-centres-list-queries",
        }
    }
    settings.CENTRES_KIOSK_IPS = ["127.0.0.1"]  # the kiosk, not throttled
    from django.core.cache import cache

    cache.clear()


def _count(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_desk_and_display_queries_do_not_grow_with_the_tickets():
    world = build_world()
    w05 = world.window("05", categories=[Category.LICENSING])
    world.window("08", categories=[Category.SOCIAL_SECURITY])
    kiosk = Client()
    clerk = Client()
    clerk.force_login(world.clerk)

    def take(n: int) -> None:
        url = reverse("centres:kiosk", args=[world.centre.code])
        for i in range(n):
            item = world.items["lic0" if i % 3 else "soc0"]
            assert kiosk.post(url, {"item": item.pk}).status_code in (200, 302)

    act = reverse("centres:desk_act", args=[w05.pk])
    clerk.post(act, {"action": "duty"})
    take(4)
    clerk.post(act, {"action": "call"})
    pages = (
        (clerk, reverse("centres:desk", args=[w05.pk])),
        (Client(), reverse("centres:display", args=[world.centre.code])),
        (Client(), reverse("centres:display_data", args=[world.centre.code])),
    )
    few = [_count(c, url) for c, url in pages]
    take(30)
    clerk.post(act, {"action": "call"})
    many = [_count(c, url) for c, url in pages]
    assert few == many
    assert max(many) <= 15
