"""The deadline sweep's tolerance hook (``workflow.deadlines.sweep`` calls ``tolerance_sweep``).

Two set-based steps, each one statement over a partial index of ``Tolerance`` (only open,
unmarked rows are in it), selecting with ``SKIP LOCKED`` and marking in the same statement:

* reminders: rows whose ``remind_at`` passed get ``reminded_at``; their ``tolerance_reminded``
  events (the applicant's notice, sent after commit through the notifications' outbox) are
  written in the same transaction — an Event insert takes no case lock;
* terminations: rows whose deadline day ended get ``terminating_at`` (claimed); terminating the
  case locks it (process, then application), so that is a follow-up per row
  (``workflow.tolerance_terminate`` through the outbox, or in this process for an inline
  sweep), never done while the sweep holds the tolerance rows.

A sweep run twice finds nothing the second time; two at once split the rows (SKIP LOCKED)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from onestop.dispatch import enqueue_many
from permits.choices import EventAction
from workflow.services.events import event_append
from workflow.tolerance.models import Tolerance

TERMINATE_TASK = "workflow.tolerance_terminate"

_REMIND_PREDICATE = "reminded_at IS NULL AND fulfilled_at IS NULL AND terminating_at IS NULL"
_END_PREDICATE = "fulfilled_at IS NULL AND terminating_at IS NULL"


def _skip_locked() -> str:
    return " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""


def _mark_statement(*, mark_column: str, predicate: str, due_column: str) -> str:
    table = Tolerance._meta.db_table
    return (
        # bandit B608: names are this module's constants; values are %s parameters
        f"UPDATE {table} SET {mark_column} = %s "  # nosec B608
        f"WHERE id IN (SELECT id FROM {table} WHERE {predicate} AND {due_column} < %s "
        f"ORDER BY {due_column} LIMIT %s{_skip_locked()}) "
        f"AND {predicate} AND {due_column} < %s "
        f"RETURNING id, application_id"
    )


def _mark(*, mark_column: str, predicate: str, due_column: str, now: datetime, limit: int):
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_statement(mark_column=mark_column, predicate=predicate, due_column=due_column),
            [at, at, limit, at],
        )
        return cursor.fetchall()


def remind_step(*, now: datetime, limit: int) -> int:
    """One batch of reminders, in its own transaction; returns how many were reminded."""
    from workflow.tolerance.services import reminder_note

    with transaction.atomic():
        rows = _mark(
            mark_column="reminded_at",
            predicate=_REMIND_PREDICATE,
            due_column="remind_at",
            now=now,
            limit=limit,
        )
        records = Tolerance.objects.filter(pk__in=[r[0] for r in rows]).select_related(
            "application", "application__item"
        )
        for record in records:
            event_append(
                application=record.application,
                actor=None,
                action=EventAction.TOLERANCE_REMINDED,
                department=record.application.lead_department_id,
                before=record.application.status,
                after=record.application.status,
                note=reminder_note(record),
                data={"tolerance": record.pk, "deadline": record.deadline.isoformat()},
                at=now,
            )
    return len(rows)


def end_step(*, now: datetime, limit: int, inline: bool) -> list[int]:
    """One batch of passed deadlines claimed, in its own transaction; their follow-ups are
    enqueued in it (published after commit) unless ``inline``. Returns the tolerance ids."""
    with transaction.atomic():
        rows = _mark(
            mark_column="terminating_at",
            predicate=_END_PREDICATE,
            due_column="ends_at",
            now=now,
            limit=limit,
        )
        ids = [r[0] for r in rows]
        if not inline:
            enqueue_many(TERMINATE_TASK, [(i,) for i in ids])
    return ids


def tolerance_sweep(*, now: datetime, limit: int, inline: bool = False) -> dict:
    """Both steps until no full batch is left. ``inline``: the caller runs the terminations
    itself (``terminate_claimed``) instead of the worker."""
    reminded, claimed = 0, []
    while True:
        count = remind_step(now=now, limit=limit)
        reminded += count
        if count < limit:
            break
    while True:
        ids = end_step(now=now, limit=limit, inline=inline)
        claimed += ids
        if len(ids) < limit:
            break
    return {"tolerance_reminded": reminded, "tolerance_ended": claimed}


def terminate_claimed(ids: list[int], *, now: datetime) -> None:
    from workflow.tolerance.services import tolerance_terminate

    for tolerance_id in ids:
        tolerance_terminate(tolerance_id=tolerance_id, now=now)
