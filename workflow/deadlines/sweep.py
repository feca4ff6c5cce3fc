"""The deadline sweep (DESIGN.md §4: "deadlines are data").

``sweep(now=...)`` runs every minute from Celery beat (``workflow.sweep_deadlines``) and by hand
(``manage.py sweep_deadlines``). Each step is one statement (``marking.py``) that selects only
the clocks crossing a threshold through a partial index, marks them and records them as one
``MarkingBatch`` row a batch. A task's clock is marked in ``TaskDeadline``, the narrow copy the
triggers of migration ``workflow/0011_taskdeadline`` keep in step with the task: marking it
writes one row version and one primary-key entry, where marking the wide task row wrote all of
its indexes (issue 11). The task's own ``warning``, which the pages and the API read, is set
by the mark's follow-up together with its event (``process_mark`` below, ``followup.py``); the
case clocks are still marked on ``permits_application`` itself. Only rows not yet marked are in
the partial indexes, so the cost follows the due rows, not the open ones. Two sweeps at once
split the rows between them (SKIP LOCKED); a sweep run twice finds nothing the second time.

Each batch's follow-up (``workflow.deadline_marking``: ``followup.process_batch``) is enqueued
in the marking transaction (published after commit); it writes the batch's ``DeadlineMark``
rows (``marking.record_batch``), whose unique (task or case, threshold, due) key is the
idempotency key of everything that follows, and follows them up in the same transaction.

The follow-up of each mark — the event on the case, the task's warning, the notices, the
escalation and the item department's timeout policy (escalate, or deemed approval 逾期视为同意
where the item allows it) — is ``followup.process_marks``, set-based, one transaction a batch
(``workflow.deadline_followups``, ``FOLLOWUP_BATCH`` marks a message, for marks a follow-up
wrote or ``catch_up_followups`` found), idempotent through
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
from django.db import transaction
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
    MarkingBatch,
    TaskKind,
    Threshold,
    Warning,
)
from workflow.services.events import event_append

from . import marking
from .marking import marking_statement, select_statement  # noqa: F401 - tests, bench/sweep.py

logger = logging.getLogger("workflow.deadlines")

FOLLOWUP_TASK = "workflow.deadline_followup"  # one mark (the per-row path, deemed approvals)
FOLLOWUPS_TASK = "workflow.deadline_followups"  # a batch of marks (workflow.deadlines.followup)
BATCH_TASK = "workflow.deadline_marking"  # a marking batch: its marks written, then followed up
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


@dataclass
class SweepResult:
    now: datetime
    marked: dict[str, int] = field(default_factory=dict)
    # The marking batches written (``MarkingBatch``): their marks are written by the follow-up.
    batch_ids: list[int] = field(default_factory=list)
    # 容缺受理 (workflow.tolerance.sweep): tolerances whose deadline passed, claimed for
    # termination.
    tolerance_ended: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.marked.values())


def sweep_step(*, kind: str, threshold: str, now: datetime, limit: int) -> tuple[int, int | None]:
    """One batch of one step, in its own transaction: the clocks marked and their
    ``MarkingBatch`` written (``marking.mark``), its follow-up enqueued. Returns (clocks marked,
    the batch's id or None)."""
    with transaction.atomic():
        count, batch_id = marking.mark(kind=kind, threshold=threshold, now=now, limit=limit)
        if batch_id is not None:
            _schedule_batch(batch_id)
    return count, batch_id


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
            count, batch_id = sweep_step(kind=kind, threshold=threshold, now=now, limit=limit)
            result.marked[key] += count
            if batch_id is not None:
                result.batch_ids.append(batch_id)
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


def _schedule_batch(batch_id: int) -> None:
    """A marking batch's follow-up: a ``workflow.deadline_marking`` message (its marks written
    and followed up in one transaction, ``followup.process_batch``); in an inline sweep, its
    marks are written at once, in the marking's transaction, and queued for this process."""
    queue = _inline_queue.get()
    if queue is not None:
        queue.extend(marking.record_batch(batch_id) or [])
    else:
        enqueue(BATCH_TASK, batch_id)


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
    """Re-enqueue the marking batches and marks whose follow-up has not run (a message lost
    with the broker). Returns how many."""
    from datetime import timedelta

    now = now or timezone.now()
    batches = list(
        MarkingBatch.objects.filter(
            processed_at__isnull=True, created_at__lt=now - timedelta(seconds=older_than_seconds)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:100]
    )
    enqueue_many(BATCH_TASK, [(batch_id,) for batch_id in batches])
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
    return len(batches) + len(rows)


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
    ids = marking.insert_marks(
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
