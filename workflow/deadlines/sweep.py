"""The deadline sweep (DESIGN.md §4: "deadlines are data").

``sweep(now=...)`` runs every minute from Celery beat (``workflow.sweep_deadlines``) and by hand
(``manage.py sweep_deadlines``). Each step is one statement that selects only the rows crossing
a threshold through a partial index, marks them and writes their ``DeadlineMark`` rows::

    WITH marked AS (
        UPDATE workflow_taskdeadline SET warning = 'red'
         WHERE ctid = ANY(ARRAY(SELECT ctid FROM workflow_taskdeadline
                                 WHERE <the index predicate> AND due_at < now
                                 ORDER BY due_at LIMIT n FOR UPDATE SKIP LOCKED))
           AND <the predicate again>            -- re-checked on the row version it locked
        RETURNING task_id, application_id, department_id, due_at),
    made AS (INSERT INTO workflow_deadlinemark … SELECT … FROM marked
             ON CONFLICT DO NOTHING RETURNING id)
    SELECT (SELECT count(*) FROM marked), ARRAY(SELECT id FROM made)

(on SQLite, which has no data-modifying WITH, the UPDATE … RETURNING and the INSERT are two
statements of one transaction). A task's clock is marked in ``TaskDeadline``, the narrow copy
the triggers of migration ``workflow/0011_taskdeadline`` keep in step with the task: marking it
writes one row version and one primary-key entry, where marking the wide task row wrote all of
its indexes (issue 11). The task's own ``warning``, which the pages and the API read, is set
by the mark's follow-up together with its event (``process_mark`` below, ``followup.py``); the
case clocks are still marked on ``permits_application`` itself. The mark's unique (task or
case, threshold, due) key is the idempotency key of everything that follows. Only rows not yet
marked are in the partial indexes, so the cost follows the due rows, not the open ones. Two
sweeps at once split the rows between them (SKIP LOCKED); a sweep run twice finds nothing the
second time.

The follow-up of each mark — the event on the case, the task's warning, the notices, the
escalation and the item department's timeout policy (escalate, or deemed approval 逾期视为同意
where the item allows it) — is enqueued in the marking transaction (published after commit) as
Celery tasks of ``FOLLOWUP_BATCH`` marks (``workflow.deadline_followups``:
``followup.process_marks``, set-based, one transaction a batch), idempotent through
``DeadlineMark.processed_at`` under a row lock (SKIP LOCKED), and through the unique key of the
next threshold's mark. ``process_mark`` below is the same for one mark
(``workflow.deadline_followup``): the deemed approvals, which go through the flow's services one
case at a time, and the reference the bulk path is tested against. Lock order as everywhere
(DESIGN.md §5): the sweep locks only the deadline and case rows it marks and waits for nothing
(SKIP LOCKED); a task row is locked before its deadline row (the trigger), so the follow-up,
which sets the task's warning, takes them in that order too; the follow-up of a deemed approval
goes through the flow's service, which locks the process, then the application.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from onestop.dispatch import enqueue, enqueue_many
from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationStatus, ParticipationRole, TimeoutPolicy
from workflow.models import (
    ACTIVE_TASK_STATUSES,
    CaseTask,
    DeadlineMark,
    TaskDeadline,
    TaskKind,
    Threshold,
    Warning,
)
from workflow.services.events import event_append

logger = logging.getLogger("workflow.deadlines")

FOLLOWUP_TASK = "workflow.deadline_followup"  # one mark (the per-row path, deemed approvals)
FOLLOWUPS_TASK = "workflow.deadline_followups"  # a batch of marks (workflow.deadlines.followup)
FOLLOWUP_BATCH = 500  # marks per bulk follow-up message (setting DEADLINE_FOLLOWUP_BATCH)


def followup_batch() -> int:
    """Marks per bulk follow-up message: ``DEADLINE_FOLLOWUP_BATCH``, else ``FOLLOWUP_BATCH``."""
    return max(1, int(getattr(settings, "DEADLINE_FOLLOWUP_BATCH", FOLLOWUP_BATCH)))


# The process-centred flow's task kind of a dispatched department (reminded, then escalated to
# the coordinating office's head rather than the department's own).

# The notes the sweep's events carry (system notes: shown in the reader's language); the bulk
# follow-up (followup.py) writes the same ones.
NOTE_TASK_YELLOW = gettext_noop("Yellow warning: the task is nearly due.")
NOTE_TASK_RED = gettext_noop("Red warning: the task is overdue; a red card is recorded.")
NOTE_TASK_REMINDED = gettext_noop("Reminder (催办): the handling is overdue; reply at once.")
NOTE_HANDLING_ESCALATED = gettext_noop("Escalated (督办) to the head of the coordinating office.")
NOTE_TASK_ESCALATED = gettext_noop("Escalated to the department head and the region's supervisors.")
NOTE_CASE_YELLOW = gettext_noop("Yellow warning: the case is nearly due.")
NOTE_CASE_RED = gettext_noop("Red warning: the case is past its promised time limit.")

HANDLING = "handling"

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


@dataclass
class SweepResult:
    now: datetime
    marked: dict[str, int] = field(default_factory=dict)
    mark_ids: list[int] = field(default_factory=list)
    # 容缺受理 (workflow.tolerance.sweep): tolerances whose deadline passed, claimed for
    # termination.
    tolerance_ended: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.marked.values())


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
    # checked again on it. SQLite has no ctid.
    if connection.vendor == "postgresql":
        match, picked = "ctid = ANY(ARRAY(", "ctid"
    else:
        match, picked = f"{key} IN ((", key
    return (
        # bandit B608: names are this module's constants; values are %s parameters
        f"UPDATE {table} SET warning = '{threshold}' "  # nosec B608
        f"WHERE {match}SELECT {picked} FROM {table} WHERE {predicate} AND {column} < %s "
        f"ORDER BY {column} LIMIT %s{_skip_locked()})) "
        f"AND {predicate} AND {column} < %s "
        f"RETURNING {returning}"
    )


def marking_statement(*, kind: str, threshold: str) -> str:
    """PostgreSQL: the whole marking of one batch in one statement — ``mark_statement`` and
    the marks' INSERT — returning (rows marked, new mark ids); its parameters are (now, limit,
    now, now). What the benchmark explains: every row and index the marking writes."""
    task_id = "marked.key" if kind == "task" else "NULL::bigint"
    # The one unique index a new mark can meet (not the primary key's too).
    arbiter = (
        "(task_id, threshold, due_at) WHERE task_id IS NOT NULL"
        if kind == "task"
        else "(application_id, threshold, due_at) WHERE task_id IS NULL"
    )
    return (
        # bandit B608: names are this module's constants; values are %s parameters
        f"WITH marked (key, application_id, department_id, due_at) AS ("  # nosec B608
        f"{mark_statement(kind=kind, threshold=threshold)}), "
        f"made AS (INSERT INTO {DeadlineMark._meta.db_table} (task_id, application_id, "
        f"department_id, threshold, due_at, created_at) SELECT {task_id}, "
        f"marked.application_id, marked.department_id, '{threshold}', marked.due_at, %s "
        f"FROM marked WHERE marked.due_at IS NOT NULL ORDER BY marked.key "
        f"ON CONFLICT {arbiter} DO NOTHING RETURNING id) "
        f"SELECT (SELECT count(*) FROM marked WHERE due_at IS NOT NULL), "
        f"ARRAY(SELECT id FROM made ORDER BY id)"
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


def _insert_marks(
    rows: list[tuple], *, kind: str, threshold: str, now: datetime | str
) -> list[int]:
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


def sweep_step(*, kind: str, threshold: str, now: datetime, limit: int) -> tuple[int, list[int]]:
    """One batch of one step, in its own transaction. Returns (rows marked, new mark ids)."""
    # Raw SQL gets no field conversion: on SQLite, where datetimes are naive UTC text, an aware
    # non-UTC ``now`` (23:00+08:00) compared as text after 15:59:59 UTC and marked red 8 hours
    # early. Adapt it as the ORM would (a no-op on PostgreSQL).
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql = marking_statement(kind=kind, threshold=threshold)
                cursor.execute(sql, [at, limit, at, at])
                count, mark_ids = cursor.fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute(mark_statement(kind=kind, threshold=threshold), [at, limit, at])
                rows = sorted(row for row in cursor.fetchall() if row[3] is not None)
            count = len(rows)
            mark_ids = _insert_marks(rows, kind=kind, threshold=threshold, now=at)
        _schedule_followups(mark_ids)
    return count, mark_ids


STEPS = (
    ("task", Threshold.RED),
    ("task", Threshold.YELLOW),
    ("case", Threshold.RED),
    ("case", Threshold.YELLOW),
)


def sweep(*, now: datetime | None = None, limit: int | None = None) -> SweepResult:
    """Mark every task and case clock that crossed a threshold by ``now``; enqueue the
    follow-ups. Red before yellow: a clock that crossed both at once (a sweep outage) is red."""
    now = now or timezone.now()
    limit = limit or getattr(settings, "DEADLINE_SWEEP_BATCH", 500)
    result = SweepResult(now=now)
    for kind, threshold in STEPS:
        key = f"{kind}_{threshold}"
        result.marked[key] = 0
        while True:
            count, mark_ids = sweep_step(kind=kind, threshold=threshold, now=now, limit=limit)
            result.marked[key] += count
            result.mark_ids += mark_ids
            # Not ``count < limit``: under a concurrent sweep a batch comes back short when
            # rows it selected were marked meanwhile (PostgreSQL re-checks the predicate on the
            # newer row version), though more are due behind them; only an empty batch means
            # this step is done. Costs one empty statement per step that marked anything.
            if count == 0:
                break
    # The tolerance hook: reminders before a 容缺 deadline, terminations after it.
    from workflow.tolerance.sweep import tolerance_sweep

    tolerance = tolerance_sweep(now=now, limit=limit, inline=_inline_queue.get() is not None)
    result.marked["tolerance_reminded"] = tolerance["tolerance_reminded"]
    result.marked["tolerance_ended"] = len(tolerance["tolerance_ended"])
    result.tolerance_ended = tolerance["tolerance_ended"]
    if result.total:
        logger.info("deadline sweep at %s marked %s", now.isoformat(), result.marked)
    return result


_inline_queue: ContextVar[list[int] | None] = ContextVar("deadline_inline_queue", default=None)


def sweep_inline(*, now: datetime | None = None, limit: int | None = None) -> SweepResult:
    """The sweep with every follow-up (and the follow-ups they start) run here, in this
    process, one mark at a time through the per-row path (``process_mark``): the reference
    the bulk follow-up is compared with in the tests. ``followup.sweep_inline`` is the same
    with the bulk follow-up the worker runs (``manage.py sweep_deadlines --followups``)."""
    queue: list[int] = []
    token = _inline_queue.set(queue)
    try:
        result = sweep(now=now, limit=limit)
        while queue:
            process_mark(mark_id=queue.pop(0))
        from workflow.tolerance.sweep import terminate_claimed

        terminate_claimed(result.tolerance_ended, now=result.now)
    finally:
        _inline_queue.reset(token)
    return result


def _schedule_followup(mark_id: int) -> None:
    """After commit, the worker does the follow-up; in an inline sweep, this process does, once
    the current step's transaction is over."""
    queue = _inline_queue.get()
    if queue is not None:
        queue.append(mark_id)
    else:
        enqueue_followup(mark_id)


def _schedule_followups(mark_ids: list[int]) -> None:
    """A batch's follow-ups: ``workflow.deadline_followups`` messages (the bulk follow-up,
    ``workflow.deadlines.followup``), ``FOLLOWUP_BATCH`` marks each, in one outbox INSERT."""
    queue = _inline_queue.get()
    if queue is not None:
        queue.extend(mark_ids)
    else:
        enqueue_many(FOLLOWUPS_TASK, _batches(mark_ids))


def _schedule_each(mark_ids: list[int]) -> None:
    """``_schedule_followup`` for several marks, each its own message (deemed approvals, which
    move the flow one case at a time), in one outbox INSERT."""
    queue = _inline_queue.get()
    if queue is not None:
        queue.extend(mark_ids)
    else:
        enqueue_many(FOLLOWUP_TASK, [(mark_id,) for mark_id in mark_ids])


def _batches(mark_ids: list[int]) -> list[tuple[list[int]]]:
    size = followup_batch()
    return [(list(mark_ids[i : i + size]),) for i in range(0, len(mark_ids), size)]


def enqueue_followup(mark_id: int) -> None:
    """Hand the mark's follow-up to the worker through the outbox, in the marking transaction
    (published after commit; the relay and ``catch_up_followups`` cover a broker outage)."""
    enqueue(FOLLOWUP_TASK, mark_id)


def catch_up_followups(*, now: datetime | None = None, older_than_seconds: int = 120) -> int:
    """Re-enqueue marks whose follow-up has not run (a message lost with the broker)."""
    from datetime import timedelta

    now = now or timezone.now()
    rows = list(
        DeadlineMark.objects.filter(
            processed_at__isnull=True, created_at__lt=now - timedelta(seconds=older_than_seconds)
        )
        .order_by("created_at")
        .values_list("pk", "threshold")[:1000]
    )
    deemed = [pk for pk, threshold in rows if threshold == Threshold.DEEMED_APPROVAL]
    others = [pk for pk, threshold in rows if threshold != Threshold.DEEMED_APPROVAL]
    enqueue_many(FOLLOWUP_TASK, [(mark_id,) for mark_id in deemed])
    enqueue_many(FOLLOWUPS_TASK, _batches(others))
    return len(rows)


# --- Follow-up of one mark -------------------------------------------------------------------


def _event(
    application: Application, *, action: EventAction, department_id: int, note: str, data: dict
):
    return event_append(
        application=application,
        actor=None,
        action=action,
        department=department_id,
        note=note,
        data=data,
    )


def _next_mark(mark: DeadlineMark, threshold: str) -> int | None:
    ids = _insert_marks(
        [
            (
                mark.task_id or mark.application_id,
                mark.application_id,
                mark.department_id,
                mark.due_at,
            )
        ],
        kind="task" if mark.task_id else "case",
        threshold=threshold,
        now=timezone.now(),
    )
    for mark_id in ids:
        _schedule_followup(mark_id)
    return ids[0] if ids else None


def raise_task_warnings(*, yellow: list[int] = (), red: list[int] = ()) -> None:
    """The tasks' own ``warning`` (the inbox's badge, the board's counts, the API's field), set
    by the follow-up of their live yellow and red marks, with their events: red over anything,
    yellow over none only (a yellow follow-up run after the red one lowers nothing). No task
    index names ``warning``: a HOT update where the page has room. Two statements at most,
    whatever the batch."""
    if red:
        CaseTask.objects.filter(pk__in=list(red)).exclude(warning=Warning.RED).update(
            warning=Warning.RED
        )
    if yellow:
        CaseTask.objects.filter(pk__in=list(yellow), warning=Warning.NONE).update(
            warning=Warning.YELLOW
        )


def timeout_policy(task: CaseTask) -> str:
    """The item department's timeout policy for an overdue task: ``deemed_approval`` only for a
    participating department's review of an item whose rules allow it (frozen in the item
    version); ``escalate`` otherwise."""
    if task.kind != TaskKind.REVIEW or task.participation is None:
        return TimeoutPolicy.ESCALATE
    if task.participation.role != ParticipationRole.PARALLEL:
        return TimeoutPolicy.ESCALATE
    if task.participation.timeout_policy != TimeoutPolicy.DEEMED_APPROVAL:
        return TimeoutPolicy.ESCALATE
    frozen = (task.application.item_version.snapshot or {}).get("item") or {}
    allowed = frozen.get("deemed_approval_allowed", task.application.item.deemed_approval_allowed)
    return TimeoutPolicy.DEEMED_APPROVAL if allowed else TimeoutPolicy.ESCALATE


def process_mark(*, mark_id: int) -> str:
    """Do the follow-up of one mark, once. Returns what was done (for logs and tests)."""
    with transaction.atomic():
        mark = (
            DeadlineMark.objects.select_for_update(skip_locked=True)
            .filter(pk=mark_id, processed_at__isnull=True)
            .first()
        )
        if mark is None:
            return "skipped"
        outcome = "stale"
        data = {"mark": mark.pk, "threshold": mark.threshold, "due_at": mark.due_at.isoformat()}
        if mark.task_id:
            task = (
                CaseTask.objects.select_related(
                    "participation", "application__item_version", "application__item", "department"
                )
                .filter(pk=mark.task_id)
                .first()
            )
            live = (
                task is not None
                and task.status in ACTIVE_TASK_STATUSES
                and not task.paused
                and task.due_at == mark.due_at
            )
            if live:
                data["task"] = task.pk
                outcome = _task_followup(mark, task, data)
        else:
            application = (
                Application.objects.select_related("item").filter(pk=mark.application_id).first()
            )
            live = (
                application is not None
                and application.status == ApplicationStatus.IN_REVIEW
                and not application.paused
                and application.due_at == mark.due_at
            )
            if live:
                outcome = _case_followup(mark, application, data)
        mark.processed_at = timezone.now()
        mark.save(update_fields=["processed_at"])
    return outcome


def _task_followup(mark: DeadlineMark, task: CaseTask, data: dict) -> str:
    if mark.threshold == Threshold.YELLOW:
        raise_task_warnings(yellow=[task.pk])
        _event(
            task.application,
            action=EventAction.TASK_WARNING,
            department_id=mark.department_id,
            note=system_note(NOTE_TASK_YELLOW),
            data=data,
        )
        return "warned"
    if mark.threshold == Threshold.RED:
        raise_task_warnings(red=[task.pk])
        _event(
            task.application,
            action=EventAction.TASK_OVERDUE,
            department_id=mark.department_id,
            note=system_note(NOTE_TASK_RED),
            data=data,
        )
        if task.kind == HANDLING:  # a dispatched department's handling: 催办
            _event(
                task.application,
                action=EventAction.TASK_REMINDED,
                department_id=mark.department_id,
                note=system_note(NOTE_TASK_REMINDED),
                data=data,
            )
        policy = timeout_policy(task)
        _next_mark(
            mark,
            Threshold.DEEMED_APPROVAL
            if policy == TimeoutPolicy.DEEMED_APPROVAL
            else Threshold.ESCALATED,
        )
        return "red"
    if mark.threshold == Threshold.ESCALATED:
        if task.kind == HANDLING:  # 督办: to the coordinating office's head (首接负责)
            _event(
                task.application,
                action=EventAction.TASK_ESCALATED,
                department_id=task.application.lead_department_id,
                note=system_note(NOTE_HANDLING_ESCALATED),
                data={**data, "handling_department": mark.department_id},
            )
            return "escalated"
        _event(
            task.application,
            action=EventAction.TASK_ESCALATED,
            department_id=mark.department_id,
            note=system_note(NOTE_TASK_ESCALATED),
            data=data,
        )
        return "escalated"
    if mark.threshold == Threshold.DEEMED_APPROVAL:
        return _deemed_approval(mark, task)
    return "unknown"


def _deemed_approval(mark: DeadlineMark, task: CaseTask) -> str:
    """Complete the department's review as the system, with the deemed-approval opinion,
    through the flow's service (so the join goes on). A task answered meanwhile stays as it is."""
    from workflow.labels import DEEMED_APPROVAL_OPINION
    from workflow.services.tasks import review_deemed_approve

    opinion = str(DEEMED_APPROVAL_OPINION)
    done = review_deemed_approve(task=task.pk, opinion=opinion)
    return "deemed_approved" if done else "stale"


def _case_followup(mark: DeadlineMark, application: Application, data: dict) -> str:
    if mark.threshold == Threshold.YELLOW:
        _event(
            application,
            action=EventAction.CASE_WARNING,
            department_id=mark.department_id,
            note=system_note(NOTE_CASE_YELLOW),
            data=data,
        )
        return "warned"
    if mark.threshold == Threshold.RED:
        _event(
            application,
            action=EventAction.CASE_OVERDUE,
            department_id=mark.department_id,
            note=system_note(NOTE_CASE_RED),
            data=data,
        )
        return "red"
    return "unknown"
