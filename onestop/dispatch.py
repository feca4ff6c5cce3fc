"""The one place work is handed to Celery (DESIGN.md §2): by task name, so the code that
enqueues never imports the code that runs, through a transactional outbox (``outbox``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from outbox.models import OutboxMessage
from outbox.relay import publish


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Hand ``task_name(*args, **kwargs)`` to Celery as part of the current transaction.

    The message is a row written in the caller's transaction: it exists only if the change
    commits, and it is published right after the commit; should the broker be down then, the
    relay (``outbox.relay`` on the beat) publishes it later, again until it is sent. Arguments
    must be JSON (ids, ISO dates), as every task here takes ids."""
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: publish([message]))
    return message


def enqueue_many(task_name: str, calls: list[tuple[Any, ...]]) -> list[OutboxMessage]:
    """``enqueue`` for many calls of one task in one INSERT (a case event's deliveries)."""
    if not calls:
        return []
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=task_name, args=list(call)) for call in calls]
    )
    transaction.on_commit(lambda: publish(messages))
    return messages


def send_now(task_name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> None:
    """Publish ``task_name`` now, without an outbox row: for work whose lost message a beat
    safety net repairs anyway (the statistics feed's drain, ``stats.feed``), so the caller
    writes nothing to the database. Call it after commit. In eager mode it runs here."""
    from onestop.celery import app

    if app.conf.task_always_eager:
        if task_name not in app.tasks:
            app.loader.import_default_modules()
        app.tasks[task_name].apply(args=list(args), kwargs=kwargs)
        return
    app.send_task(task_name, args=list(args), kwargs=kwargs, countdown=countdown, retry=False)
