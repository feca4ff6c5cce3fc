"""The background feed with a real Celery worker on the real Redis broker (not eager mode),
against the test database: committed events are queued by the request, the worker drains them
(one drain task for many commits); and what Redis lost is counted by the catch-up the beat
sends. The worker is the subprocess of ``tests/celery_worker.py`` on this suite's Redis."""

from __future__ import annotations

import time

import pytest

from permits.choices import EventAction as A
from stats import feed
from stats.models import CaseFact, CountedEvent
from tests.celery_worker import Worker
from tests.conftest import suite_redis_url
from tests.statistics import worked
from tests.statistics.feeding import forget_pending
from tests.workflow import factories as f
from workflow.services.events import event_append

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker():
    import redis

    broker = redis.Redis.from_url(suite_redis_url())
    broker.flushdb()  # this suite's own database: only our test queues live here
    w = Worker(broker=suite_redis_url())
    yield w
    w.kill()
    broker.flushdb()


def _send(name: str) -> None:
    from onestop.celery import app

    app.send_task(name)


def test_a_real_worker_drains_the_queued_events_and_the_catch_up_counts_what_redis_lost(
    work_calendar, worker
):
    item = f.published_item(lead=f.department(name="市发展和改革局"))
    app = worked._case(1, item, channel="online", due=worked.end_of(30))
    worker.start(concurrency=1)
    # Given three committed moves of the case (each its own transaction, as requests are)
    events = [
        event_append(application=app, actor=None, action=action, at=worked.at(day))
        for action, day in ((A.SUBMITTED, 2), (A.ACCEPTED, 3), (A.APPROVED, 5))
    ]
    # then the worker feeds them all, and the queue and its flag are empty again
    worker.wait_for(lambda: CountedEvent.objects.count() == 3, limit=90, what="the drain")
    assert set(CountedEvent.objects.values_list("event_id", flat=True)) == {e.pk for e in events}
    assert CaseFact.objects.get(application_id=app.pk).outcome == "approved"
    worker.wait_for(
        lambda: feed.pending_count() == 0 and not feed.redis_client().exists(feed.SCHEDULED),
        limit=30,
        what="the flag cleared",
    )
    # When Redis loses what a commit queued (the worker stopped first, so nothing drains it)
    worker.kill()
    late = event_append(
        application=app, actor=None, action=A.TASK_OVERDUE, at=worked.at(6), department=None
    )
    forget_pending()
    worker.start(concurrency=1)
    time.sleep(2)
    assert not CountedEvent.objects.filter(event_id=late.pk).exists()
    # then the beat's catch-up counts it
    _send("statistics.catch_up")
    worker.wait_for(
        lambda: CountedEvent.objects.filter(event_id=late.pk).exists(),
        limit=90,
        what="the catch-up",
    )
    assert CountedEvent.objects.count() == 4
