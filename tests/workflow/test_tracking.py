"""The progress query's backoff per case number (issue 12, item 1).

Case numbers are sequential and the check value has 10,000 values, so wrong guesses on one
number slow down further queries on that number whatever address they come from — but never
lock it for longer than the cap, so the owner gets in after the wait and nobody can lock every
citizen out by guessing on every number.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.workflow.journey import build_world, submitted_case
from workflow import tracking
from workflow.tracking import TrackThrottle

pytestmark = pytest.mark.django_db
NOW = "2026-11-02 09:00:00+08:00"


@pytest.fixture(autouse=True)
def _setup(settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-tracking",
        }
    }
    settings.TRACK_BACKOFF_FREE_MISSES = 3
    settings.TRACK_BACKOFF_MAX_SECONDS = 60
    # The per-address throttle is not what is tested here.
    monkeypatch.setattr(TrackThrottle, "THROTTLE_RATES", {"track": "1000/min"})
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case():
    world = build_world(1)
    return submitted_case(world), world.person.id_number[-4:]


def _ask(client, number, last4, n):
    # Each guess from another address: the backoff does not care.
    return client.get(
        "/api/v1/track/", {"number": number, "id_last4": last4}, REMOTE_ADDR=f"203.0.113.{n}"
    )


def test_misses_on_one_number_back_off_and_the_owner_gets_in_after_the_wait(case):
    app, last4 = case
    wrong = "0000" if last4 != "0000" else "1111"
    client = APIClient()
    with time_machine.travel(NOW, tick=False) as clock:
        assert [_ask(client, app.number, wrong, n).status_code for n in range(3)] == [404] * 3
        # The fourth miss is answered, and starts the wait (2 s).
        assert _ask(client, app.number, wrong, 4).status_code == 404
        # During the wait even the right value is not looked up (no oracle for the guesser).
        waiting = _ask(client, app.number, last4, 5)
        assert waiting.status_code == 429
        assert waiting.json()["code"] == "throttled"
        assert int(waiting["Retry-After"]) == 2
        # Other numbers are not affected.
        assert _ask(client, "YF-OTHER", wrong, 6).status_code == 404

        clock.shift(timedelta(seconds=3))
        assert _ask(client, app.number, last4, 7).status_code == 200
        # A right answer clears the count: the next miss is a free one again.
        assert _ask(client, app.number, wrong, 8).status_code == 404
        assert _ask(client, app.number, wrong, 9).status_code == 404


def test_the_wait_doubles_but_never_exceeds_the_cap(case):
    app, last4 = case
    waits = []
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(12):
            tracking.record_miss(app.number)
            waits.append(tracking.wait_seconds(app.number))
        assert waits[:3] == [0, 0, 0]
        assert waits[3:8] == [2, 4, 8, 16, 32]
        assert max(waits) == 60  # TRACK_BACKOFF_MAX_SECONDS
        # The owner, after the cap at most, gets in.
        clock.shift(timedelta(seconds=61))
        assert tracking.track_lookup(number=app.number, id_last4=last4, query_code=None).application
        assert tracking.wait_seconds(app.number) == 0


def test_the_count_is_per_number_normalised(case):
    app, _ = case
    for _ in range(4):
        tracking.record_miss(f"  {app.number.lower()} ")
    assert tracking.wait_seconds(app.number) > 0


def test_the_page_says_when_to_try_again(client, case):
    app, last4 = case
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            tracking.record_miss(app.number)
        response = client.post("/track/", {"number": app.number, "id_last4": last4})
    assert response.status_code == 429
    body = response.content.decode()
    assert "分钟" in body
    assert app.item.name not in body


@pytest.mark.redis
def test_the_count_lives_in_the_shared_cache(settings, case):
    """Two web nodes share Redis: a miss counted by one slows the other (run on Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-tracking-{timezone.now().timestamp()}",
        }
    }
    app, _ = case
    from django.core.cache import caches

    for _ in range(4):
        tracking.record_miss(app.number)
    assert tracking.wait_seconds(app.number) > 0
    caches["default"].delete_many(
        [tracking._MISSES % tracking._number_key(app.number)]
        + [tracking._WAIT % tracking._number_key(app.number)]
    )


def test_the_answer_reads_three_queries_however_many_departments_take_part():
    """The case with its persons, its department rows (prefetched once, shown in their
    order) and its events: no second read of the department rows (issue 11's profile)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 4):
        world = build_world(n)
        app = submitted_case(world)
        with CaptureQueriesContext(connection) as ctx:
            response = APIClient().get(
                "/api/v1/track/",
                {"number": app.number, "id_last4": world.person.id_number[-4:]},
                REMOTE_ADDR="203.0.113.9",
            )
        assert response.status_code == 200
        assert len(response.data["departments"]) == n + 1
        counts.append(len(ctx))
    assert counts[0] == counts[1] == 3
