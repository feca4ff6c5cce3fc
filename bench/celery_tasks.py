"""The tasks of bench/celery.py, on the project's Celery app (the worker runs
``celery -A bench.celery_tasks worker``; nothing in the project imports this module).

- ``bench.bare``: a bare no-op task (it only counts itself done, in Redis, so the benchmark sees
  it finish);
- ``bench.wrapped``: the project's idempotent way (STYLE.md §7, ``onestop.dispatch``): enqueued
  through the transactional outbox by its row's id, declared with the project's task options
  (explicit name, ``acks_late``, ``reject_on_worker_lost``, time limits, retries on database
  errors), and idempotent by id: one ``UPDATE … WHERE not done`` both checks and marks the row,
  so a second delivery of the same message returns quietly without counting twice.
"""

from __future__ import annotations

import redis
from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from onestop.celery import app  # noqa: F401 - the app the worker runs

COUNTER = "bench:celery:done"
DONE = "bench: done"
_client = None


def _redis():
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


@shared_task(name="bench.bare", ignore_result=True)
def bare(n: int) -> None:
    _redis().incr(COUNTER)


@shared_task(
    name="bench.wrapped",
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def wrapped(message_id: int) -> str:
    from outbox.models import OutboxMessage

    taken = (
        OutboxMessage.objects.filter(pk=message_id, task_name="bench.wrapped")
        .exclude(last_error=DONE)
        .update(last_error=DONE)
    )
    if not taken:
        return "done already"  # gone, or a second delivery
    _redis().incr(COUNTER)
    return "done"
