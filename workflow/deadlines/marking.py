"""The deadline sweep's marking (``sweep.py`` runs it, ``docs/deadlines.md``): the statement
that selects the clocks crossing a threshold through a partial index and marks them, and the
``MarkingBatch`` it leaves — one row a batch, written in the same statement on PostgreSQL::

    WITH marked AS (
        UPDATE workflow_taskdeadline SET warning = 'red'
         WHERE ctid = ANY(ARRAY(SELECT ctid FROM workflow_taskdeadline
                                 WHERE <the index predicate> AND due_at < now
                                 ORDER BY due_at LIMIT n FOR UPDATE SKIP LOCKED))
           AND <the predicate again>            -- re-checked on the row version it locked
        RETURNING task_id, application_id, department_id, due_at),
    made AS (INSERT INTO workflow_markingbatch (kind, threshold, rows, created_at)
             SELECT 'task', 'red', jsonb_agg(…), now FROM marked HAVING count(*) > 0
             RETURNING id)
    SELECT (SELECT count(*) FROM marked), (SELECT id FROM made)

(on SQLite, which has no data-modifying WITH, the UPDATE … RETURNING and the batch's INSERT are
two statements of one transaction). The batch's ``DeadlineMark`` rows — one a clock, with their
unique (task or case, threshold, due) key — are written from it by ``record_batch``, in the
follow-up's transaction (``followup.process_batch``), or at once by an inline sweep: writing
them in the marking cost 14.65 buffers a due row of the 24.45 it had (issue 11).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from permits.models import Application, ApplicationStatus
from workflow.models import (
    ACTIVE_TASK_STATUSES,
    DeadlineMark,
    MarkingBatch,
    TaskDeadline,
    Threshold,
    Warning,
)

# The partial index predicates (workflow.models TaskDeadline, permits.models Application), written
# from the choices so a renamed value cannot leave the sweep reading another index.
_ACTIVE_SQL = ", ".join(f"'{status}'" for status in ACTIVE_TASK_STATUSES)
_IN_REVIEW = ApplicationStatus.IN_REVIEW
# workflow.models TaskDeadline's indexes (``live``: an active status, the clock not paused).
_TASK_PREDICATE = {
    Threshold.RED: f"live AND NOT (warning = '{Warning.RED}')",
    Threshold.YELLOW: f"live AND warning = '{Warning.NONE}'",
}
_CASE_PREDICATE = {
    Threshold.RED: f"status = '{_IN_REVIEW}' AND NOT paused AND NOT (warning = '{Warning.RED}')",
    Threshold.YELLOW: f"status = '{_IN_REVIEW}' AND warning = '{Warning.NONE}' AND NOT paused",
}
_COLUMN = {Threshold.RED: "due_at", Threshold.YELLOW: "yellow_at"}


def _skip_locked() -> str:
    if connection.vendor == "postgresql":
        return " FOR UPDATE SKIP LOCKED"
    return ""  # SQLite: IMMEDIATE transactions serialise writers


def mark_statement(*, kind: str, threshold: str) -> str:
    """The select-and-mark statement of one step (``kind`` is ``task`` or ``case``); its
    parameters are (now, limit, now)."""
    table, key, predicate = _table(kind, threshold)
    if kind == "task":
        returning = "task_id, application_id, department_id, due_at"
    else:
        returning = "id, id, lead_department_id, due_at"
    column = _COLUMN[threshold]
    # PostgreSQL: the locked rows are updated by their tuple ids (a TID scan), not found again
    # through the primary key (two or three index pages a row). A row updated meanwhile is
    # followed to its newest version by the lock and by the UPDATE alike, and the predicate is
    # checked again on it. SQLite has no ctid; and there ``IN ((SELECT …))`` is a row value's
    # scalar subquery, which marked one clock a statement: ``IN (SELECT …)``.
    if connection.vendor == "postgresql":
        match, picked, close = "ctid = ANY(ARRAY(", "ctid", "))"
    else:
        match, picked, close = f"{key} IN (", key, ")"
    return (
        # bandit B608: names are this module's constants; values are %s parameters
        f"UPDATE {table} SET warning = '{threshold}' "  # nosec B608
        f"WHERE {match}SELECT {picked} FROM {table} WHERE {predicate} AND {column} < %s "
        f"ORDER BY {column} LIMIT %s{_skip_locked()}{close} "
        f"AND {predicate} AND {column} < %s "
        f"RETURNING {returning}"
    )


def marking_statement(*, kind: str, threshold: str) -> str:
    """PostgreSQL: the whole marking of one batch in one statement — ``mark_statement`` and
    the batch's ``MarkingBatch`` row — returning (clocks marked, the batch's id or NULL when
    none was); its parameters are (now, limit, now, now). What the benchmark explains: every
    row and index the marking writes."""
    return (
        # bandit B608: names are this module's constants; values are %s parameters
        f"WITH marked (key, application_id, department_id, due_at) AS ("  # nosec B608
        f"{mark_statement(kind=kind, threshold=threshold)}), "
        f"made AS (INSERT INTO {MarkingBatch._meta.db_table} (kind, threshold, rows, "
        f"created_at) SELECT '{kind}', '{threshold}', jsonb_agg(jsonb_build_array(marked.key, "
        f"marked.application_id, marked.department_id, marked.due_at) ORDER BY marked.key), %s "
        f"FROM marked WHERE marked.due_at IS NOT NULL HAVING count(*) > 0 RETURNING id) "
        f"SELECT (SELECT count(*) FROM marked WHERE due_at IS NOT NULL), (SELECT id FROM made)"
    )


def _table(kind: str, threshold: str) -> tuple[str, str, str]:
    """(table, key column, index predicate) of a step: a task's clock is marked in
    ``TaskDeadline``, a case's on the application row."""
    if kind == "task":
        return TaskDeadline._meta.db_table, "task_id", _TASK_PREDICATE[threshold]
    return Application._meta.db_table, "id", _CASE_PREDICATE[threshold]


def select_statement(*, kind: str, threshold: str) -> str:
    """The selecting half alone (for EXPLAIN in tests and the benchmark)."""
    table, key, predicate = _table(kind, threshold)
    column = _COLUMN[threshold]
    return (
        # bandit B608: names are this module's constants; values are %s parameters
        f"SELECT {key} FROM {table} WHERE {predicate} AND {column} < %s "  # nosec B608
        f"ORDER BY {column} LIMIT %s{_skip_locked()}"
    )


def insert_marks(rows: list[tuple], *, kind: str, threshold: str, now: datetime | str) -> list[int]:
    """Insert the marks of ``rows`` (task or case id, application, department, due), once
    (``ON CONFLICT DO NOTHING``: their unique key); the new marks' ids."""
    if not rows:
        return []
    table = DeadlineMark._meta.db_table
    values, params = [], []
    for task_or_case_id, application_id, department_id, due_at in rows:
        values.append("(%s, %s, %s, %s, %s, %s)")
        params += [
            task_or_case_id if kind == "task" else None,
            application_id,
            department_id,
            threshold,
            due_at,
            now,
        ]
    sql = (
        # bandit B608: names are this module's constants; values are %s parameters
        f"INSERT INTO {table} (task_id, application_id, department_id, threshold, due_at, "  # nosec B608
        f"created_at) VALUES {', '.join(values)} ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def mark(*, kind: str, threshold: str, now: datetime, limit: int) -> tuple[int, int | None]:
    """Mark one batch of clocks crossing ``threshold`` by ``now``, in the caller's
    transaction. Returns (clocks marked, the ``MarkingBatch`` id, or None when none was)."""
    # Raw SQL gets no field conversion: on SQLite, where datetimes are naive UTC text, an aware
    # non-UTC ``now`` (23:00+08:00) compared as text after 15:59:59 UTC and marked red 8 hours
    # early. Adapt it as the ORM would (a no-op on PostgreSQL).
    adapt = connection.ops.adapt_datetimefield_value
    at = adapt(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(marking_statement(kind=kind, threshold=threshold), [at, limit, at, at])
            count, batch_id = cursor.fetchone()
            return count, batch_id
        cursor.execute(mark_statement(kind=kind, threshold=threshold), [at, limit, at])
        # SQLite's dues come back as naive UTC datetimes: kept as the text it stores them as.
        rows = sorted([*row[:3], adapt(row[3])] for row in cursor.fetchall() if row[3] is not None)
    if not rows:
        return 0, None
    batch = MarkingBatch.objects.create(kind=kind, threshold=threshold, rows=rows, created_at=now)
    return len(rows), batch.pk


def record_batch(batch_id: int) -> list[int] | None:
    """Write the marks of a marking batch not yet followed up, once: the batch locked (SKIP
    LOCKED: a second worker given it does nothing), its marks inserted (``ON CONFLICT DO
    NOTHING``: the unique key, as when the marking wrote them) with the marking's time, the
    batch set processed. Run in the caller's transaction (the follow-up's). Returns the new
    marks' ids, or None when the batch is gone, done or taken."""
    batch = (
        MarkingBatch.objects.select_for_update(skip_locked=True)
        .filter(pk=batch_id, processed_at__isnull=True)
        .first()
    )
    if batch is None:
        return None
    at = connection.ops.adapt_datetimefield_value(batch.created_at)
    mark_ids = insert_marks(
        [tuple(row) for row in batch.rows], kind=batch.kind, threshold=batch.threshold, now=at
    )
    MarkingBatch.objects.filter(pk=batch.pk).update(processed_at=timezone.now())
    return mark_ids
