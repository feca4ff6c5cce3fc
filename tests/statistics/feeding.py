"""Running the statistics feed synchronously in a test (``stats.feed``).

After commit the request only queues the events' ids in Redis, and a Celery task feeds them; a
test that reads figures right after its events drains the queue itself: ``feed_now()``, or
``committed(capture)`` around the writes (pytest-django's ``django_capture_on_commit_callbacks``
runs the after-commit callbacks, which queue the ids, and then the queue is drained here, as
the worker would)."""

from __future__ import annotations

from contextlib import contextmanager

from stats import feed


def forget_pending() -> None:
    """Empty the queue, its flag and the catch-up's marks (the suite's Redis outlives a test's
    rolled-back rows; a test that calls this for a lost queue gets what a restarted Redis
    has: nothing)."""
    client = feed.redis_client()
    if client is not None:
        client.delete(feed.PENDING, feed.SCHEDULED, feed.CHECKED)


def feed_now() -> int:
    """Feed every queued event now, in this process (what the ``statistics.feed`` task does);
    the number of events counted."""
    return feed.drain()


@contextmanager
def committed(capture):
    """Run the block's after-commit callbacks, then feed what they queued."""
    with capture(execute=True):
        yield
    feed_now()
