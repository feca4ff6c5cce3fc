"""Publishing outbox rows to the broker: right after the writing transaction commits, and by
the relay for whatever is still unsent (the broker was down, the process died after commit).

Publishing is at least once: a row is marked sent only after the broker took it, so a crash in
between sends it again, which the tasks tolerate (they are idempotent, STYLE.md §7)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger("outbox")


def _celery_app():
    from onestop.celery import app

    return app


def _publish_one(message: OutboxMessage, *, app) -> None:
    if app.conf.task_always_eager:
        # Eager mode (in-process tests, CELERY_TASK_ALWAYS_EAGER): run it here and now, as
        # ``.delay()`` would; ``send_task`` alone would ignore the setting.
        if message.task_name not in app.tasks:
            app.loader.import_default_modules()  # the apps' tasks modules, as a worker would
        app.tasks[message.task_name].apply(args=message.args, kwargs=message.kwargs)
        return
    app.send_task(
        message.task_name,
        args=message.args,
        kwargs=message.kwargs,
        retry=False,  # a broker that is down fails at once; the relay tries again later
    )


def publish(messages: Iterable[OutboxMessage], *, app=None) -> int:
    """Publish ``messages`` and mark the ones the broker took as sent; returns how many.

    A failure leaves the row unsent with its error and attempt count, for the relay."""
    app = app or _celery_app()
    sent: list[int] = []
    for message in messages:
        try:
            _publish_one(message, app=app)
        except Exception as exc:  # noqa: BLE001 - any broker failure leaves the row for later
            logger.warning(
                "outbox: could not publish %s #%s: %s", message.task_name, message.pk, exc
            )
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:500]
            )
            if app.conf.task_always_eager and getattr(app.conf, "task_eager_propagates", False):
                raise
            continue
        sent.append(message.pk)
    if sent:
        _mark_sent(sent)
    return len(sent)


def _mark_sent(ids: list[int]) -> None:
    """Mark ``ids`` sent, in one statement whose commit does not wait for its WAL flush.

    PostgreSQL's asynchronous commit, for this one statement (``set_config(..., true)`` lasts
    until its transaction ends, which in autocommit is this statement's own commit): the flush of
    the writing transaction is what makes a row durable; a mark lost to a database crash only
    leaves the row looking unsent, and the relay publishes it again, which the tasks tolerate
    (they are idempotent by id). Waiting for a second flush, and a transaction of its own around
    the mark, cost every enqueue as much again as its own commit (bench/celery.py)."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            sent_at=now, attempts=F("attempts") + 1
        )
        return
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)) "  # nosec B608 - the model's table
            f"UPDATE {table} SET sent_at = %s, attempts = attempts + 1 "
            "FROM async_commit WHERE id = ANY(%s) AND sent_at IS NULL",
            [now, list(ids)],
        )


def relay_pending(*, app=None, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Publish unsent rows older than ``older_than`` (``OUTBOX_RELAY_GRACE_SECONDS`` by default,
    so the after-commit send of a fresh row is not raced), oldest first, ``limit`` at a time.
    Two relays never take the same rows (``SKIP LOCKED``). Returns how many were sent."""
    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
    cutoff = timezone.now() - older_than
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, created_at__lte=cutoff)
                .order_by("created_at", "pk")[:limit]
            )
            if not batch:
                return total
            sent = publish(batch, app=app)
            total += sent
        if sent < len(batch):  # the broker is failing: stop until the next tick
            return total


def purge_sent(*, older_than: timedelta | None = None) -> int:
    """Delete rows sent longer ago than ``OUTBOX_RETENTION_DAYS`` (the events stay)."""
    if older_than is None:
        older_than = timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted


def backlog(*, older_than: timedelta) -> int:
    """Unsent rows older than ``older_than``: what ``/readyz`` reports as degraded."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, created_at__lt=timezone.now() - older_than
    ).count()
