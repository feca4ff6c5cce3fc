"""The one place work is handed to Celery (DESIGN.md §2): by task name, so the code that
enqueues never imports the code that runs. Call inside the transaction that made the work
necessary; the message leaves only once that transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Send ``task_name(*args, **kwargs)`` to the broker after the current transaction commits.

    (The transactional outbox replaces this body: the message becomes a row written in the
    caller's transaction and a relay sends it, again until it is sent.)"""
    from onestop.celery import app

    transaction.on_commit(lambda: app.send_task(task_name, args=args, kwargs=kwargs))
