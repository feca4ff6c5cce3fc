"""Celery tasks of the statistics: thin and idempotent (STYLE.md point 7). The feed's drain is
published after commit by ``stats.feed.record`` (one at a time: a Redis flag); the catch-up
runs on the beat (``STATISTICS_CATCH_UP_SECONDS``)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import feed

COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 240,
    "time_limit": 300,
}


@shared_task(
    name="statistics.feed",
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    **COMMON,
)
def feed_pending() -> int:
    """Feed the events queued since the last drain, in batches (``stats.feed.drain``)."""
    return feed.drain()


@shared_task(name="statistics.catch_up", max_retries=0, **COMMON)
def catch_up() -> dict:
    """Count every event not counted yet (what Redis or a dead worker lost), then drain."""
    return feed.catch_up()
