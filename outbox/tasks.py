"""The relay on the beat: publishes what the after-commit send could not, and purges old rows."""

from __future__ import annotations

from celery import shared_task

from . import relay as outbox_relay


@shared_task(name="outbox.relay", max_retries=0, acks_late=True, time_limit=120)
def relay() -> dict:
    return {"sent": outbox_relay.relay_pending(), "purged": outbox_relay.purge_sent()}
