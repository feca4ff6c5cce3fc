"""Celery tasks of the notification centre: thin, idempotent, by id (STYLE.md point 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import services

COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(
    name="notifications.notify_event",
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    **COMMON,
)
def notify_event(event_id: int) -> int:
    return len(services.notify_for_event(event_id=event_id))


@shared_task(
    name="notifications.notify_events",
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    **COMMON,
)
def notify_events(event_ids: list[int]) -> int:
    """The notices of a bulk append's events (``notifications.bulk``), a batch at a time."""
    from .bulk import notify_for_events

    return len(notify_for_events(event_ids=event_ids))


class RetryDelivery(Exception):
    """A passing delivery failure: retried with backoff."""


@shared_task(
    name="notifications.deliver",
    autoretry_for=(RetryDelivery, DatabaseError),
    retry_backoff=10,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS,
    **COMMON,
)
def deliver(delivery_id: int) -> str:
    outcome = services.delivery_send(delivery_id=delivery_id)
    if outcome == "retry":
        raise RetryDelivery(delivery_id)
    return outcome


@shared_task(name="notifications.catch_up", max_retries=0, **COMMON)
def catch_up() -> dict:
    return services.catch_up()
