"""The bulk follow-up of deadline marks (``workflow.deadline_marking``, a marking batch whose
marks it writes first — ``process_batch`` —, and ``workflow.deadline_followups``, a batch of
mark ids).

The sweep (``sweep.py``) marks the rows crossing a threshold and hands them to the worker as
marking batches; this module does, for a whole batch and in one transaction, what
``sweep.process_mark`` does for one mark — with a number of statements that does not grow with
the batch:

1. the batch's unprocessed marks locked (``SELECT … FOR UPDATE SKIP LOCKED``: two workers given
   overlapping batches split them; a mark processed already is not selected again);
2. their tasks and cases read in one query each, and each checked live as the per-row path
   checks it (still open, not paused, the same due); the live tasks' own ``warning`` set in
   (at most) two UPDATEs (``sweep.raise_task_warnings``: the sweep marked their narrow
   ``TaskDeadline`` rows);
3. the next threshold's marks of the red ones in one ``INSERT … ON CONFLICT DO NOTHING
   RETURNING`` per threshold (the unique key keeps a second run from making them again): an
   escalation mark is followed up at once, in this transaction (its event is written with the
   others and it is marked processed); a deemed-approval mark is handed to the per-row task
   ``workflow.deadline_followup`` after commit, because a deemed approval moves the flow
   through the workflow services (``review_deemed_approve``: the process lock, then the case);
4. every event of the batch — ``task_warning``, ``task_overdue``, ``task_reminded``,
   ``task_escalated``, ``case_warning``, ``case_overdue`` — in one INSERT
   (``events.events_bulk_append``: the append-only log, the system as actor), whose notifying
   events go to the notices in ``notifications.notify_events`` messages (one outbox INSERT);
5. the batch's marks set processed in one UPDATE.

The events, marks and notices are exactly those the per-row path writes (the tests compare
them); ``sweep.process_mark`` stays the per-row path and does the deemed approvals.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationStatus, TimeoutPolicy
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, DeadlineMark, Threshold
from workflow.services.events import events_bulk_append

from . import marking, sweep
from .sweep import HANDLING, timeout_policy


def process_batch(*, batch_id: int) -> Counter:
    """The follow-up of a marking batch (``workflow.deadline_marking``), once, in one
    transaction: its marks written (``marking.record_batch``: the batch locked, SKIP LOCKED,
    and set processed), the first ``DEADLINE_FOLLOWUP_BATCH`` of them followed up as
    ``process_marks`` does, the rest handed on in ``workflow.deadline_followups`` messages of
    that size (one outbox INSERT). A batch done or taken by another worker:
    ``{"skipped_batch": 1}``."""
    with transaction.atomic():
        mark_ids = marking.record_batch(batch_id)
        if mark_ids is None:
            return Counter(skipped_batch=1)
        size = sweep.followup_batch()
        sweep._schedule_followups(mark_ids[size:])
        return process_marks(mark_ids=mark_ids[:size])


def process_marks(*, mark_ids: list[int]) -> Counter:
    """Follow up the marks ``mark_ids`` (a batch), once. Returns how many of each outcome
    (``warned``, ``red``, ``escalated``, ``deemed_approved``, ``stale``, ``skipped``)."""

    outcomes: Counter = Counter()
    deemed: list[int] = []
    with transaction.atomic():
        now = timezone.now()
        marks = list(
            DeadlineMark.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(mark_ids), processed_at__isnull=True)
            .exclude(threshold=Threshold.DEEMED_APPROVAL)
            .order_by("pk")
        )
        deemed = list(
            DeadlineMark.objects.filter(
                pk__in=list(mark_ids),
                threshold=Threshold.DEEMED_APPROVAL,
                processed_at__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        outcomes["skipped"] = len(set(mark_ids)) - len(marks) - len(deemed)
        tasks = {
            task.pk: task
            for task in CaseTask.objects.select_related(
                "participation", "application__item_version", "application__item", "department"
            ).filter(pk__in=[m.task_id for m in marks if m.task_id])
        }
        cases = {
            case.pk: case
            for case in Application.objects.select_related("item").filter(
                pk__in=[m.application_id for m in marks if not m.task_id]
            )
        }
        entries: list[dict] = []
        escalate: list[tuple[DeadlineMark, CaseTask]] = []
        deem: list[DeadlineMark] = []
        warned: dict[str, list[int]] = {Threshold.YELLOW: [], Threshold.RED: []}
        for mark in marks:
            data = {"mark": mark.pk, "threshold": mark.threshold, "due_at": mark.due_at.isoformat()}
            if mark.task_id:
                task = tasks.get(mark.task_id)
                if not _task_live(task, mark):
                    outcomes["stale"] += 1
                    continue
                data["task"] = task.pk
                outcome = _task_entries(mark, task, data, entries)
                if mark.threshold in warned:
                    warned[mark.threshold].append(task.pk)
                if outcome == "red":
                    if timeout_policy(task) == TimeoutPolicy.DEEMED_APPROVAL:
                        deem.append(mark)
                    else:
                        escalate.append((mark, task))
            else:
                case = cases.get(mark.application_id)
                if not _case_live(case, mark):
                    outcomes["stale"] += 1
                    continue
                outcome = _case_entries(mark, case, data, entries)
            outcomes[outcome] += 1
        # The tasks' own warnings (the sweep marked their TaskDeadline rows).
        sweep.raise_task_warnings(yellow=warned[Threshold.YELLOW], red=warned[Threshold.RED])
        # The escalation marks of the red ones, followed up here and now (processed with them).
        new_escalations = _insert_next(
            [m for m, _t in escalate], Threshold.ESCALATED, now=now, processed=True
        )
        for mark, task in escalate:
            mark_id = new_escalations.get(mark.task_id)
            if mark_id is None:  # made already (a run before, or the per-row path)
                continue
            data = {
                "mark": mark_id,
                "threshold": Threshold.ESCALATED,
                "due_at": mark.due_at.isoformat(),
                "task": task.pk,
            }
            entries.append(_escalation_entry(mark, task, data))
            outcomes["escalated"] += 1
        # The deemed approvals' marks, each followed up by the per-row task after commit.
        new_deemed = _insert_next(deem, Threshold.DEEMED_APPROVAL, now=now, processed=False)
        sweep._schedule_each(sorted(new_deemed.values()))
        events_bulk_append(entries=entries, at=now)
        DeadlineMark.objects.filter(pk__in=[m.pk for m in marks]).update(processed_at=now)
    for mark_id in deemed:  # given to this batch (a catch-up): one by one, each in its own
        outcome = sweep.process_mark(mark_id=mark_id)
        outcomes[outcome] += 1
    return +outcomes


def _task_live(task: CaseTask | None, mark: DeadlineMark) -> bool:
    return (
        task is not None
        and task.status in ACTIVE_TASK_STATUSES
        and not task.paused
        and task.due_at == mark.due_at
    )


def _case_live(case: Application | None, mark: DeadlineMark) -> bool:
    return (
        case is not None
        and case.status == ApplicationStatus.IN_REVIEW
        and not case.paused
        and case.due_at == mark.due_at
    )


def _entry(application, *, action, department_id, note, data) -> dict:
    return {
        "application": application,
        "actor": None,
        "action": action,
        "department": department_id,
        "note": note,
        "data": data,
    }


def _task_entries(mark: DeadlineMark, task: CaseTask, data: dict, entries: list) -> str:
    """The events of a task's mark, as ``sweep._task_followup`` writes them."""
    app = task.application
    if mark.threshold == Threshold.YELLOW:
        entries.append(
            _entry(
                app,
                action=EventAction.TASK_WARNING,
                department_id=mark.department_id,
                note=system_note(sweep.NOTE_TASK_YELLOW),
                data=data,
            )
        )
        return "warned"
    if mark.threshold == Threshold.RED:
        entries.append(
            _entry(
                app,
                action=EventAction.TASK_OVERDUE,
                department_id=mark.department_id,
                note=system_note(sweep.NOTE_TASK_RED),
                data=data,
            )
        )
        if task.kind == HANDLING:  # a dispatched department's handling: 催办
            entries.append(
                _entry(
                    app,
                    action=EventAction.TASK_REMINDED,
                    department_id=mark.department_id,
                    note=system_note(sweep.NOTE_TASK_REMINDED),
                    data=data,
                )
            )
        return "red"
    if mark.threshold == Threshold.ESCALATED:
        entries.append(_escalation_entry(mark, task, data))
        return "escalated"
    return "unknown"


def _escalation_entry(mark: DeadlineMark, task: CaseTask, data: dict) -> dict:
    if task.kind == HANDLING:  # 督办: to the coordinating office's head (首接负责)
        return _entry(
            task.application,
            action=EventAction.TASK_ESCALATED,
            department_id=task.application.lead_department_id,
            note=system_note(sweep.NOTE_HANDLING_ESCALATED),
            data={**data, "handling_department": mark.department_id},
        )
    return _entry(
        task.application,
        action=EventAction.TASK_ESCALATED,
        department_id=mark.department_id,
        note=system_note(sweep.NOTE_TASK_ESCALATED),
        data=data,
    )


def _case_entries(mark: DeadlineMark, case: Application, data: dict, entries: list) -> str:
    if mark.threshold == Threshold.YELLOW:
        entries.append(
            _entry(
                case,
                action=EventAction.CASE_WARNING,
                department_id=mark.department_id,
                note=system_note(sweep.NOTE_CASE_YELLOW),
                data=data,
            )
        )
        return "warned"
    if mark.threshold == Threshold.RED:
        entries.append(
            _entry(
                case,
                action=EventAction.CASE_OVERDUE,
                department_id=mark.department_id,
                note=system_note(sweep.NOTE_CASE_RED),
                data=data,
            )
        )
        return "red"
    return "unknown"


def _insert_next(
    marks: list[DeadlineMark], threshold: str, *, now: datetime, processed: bool
) -> dict[int, int]:
    """The next threshold's marks of task marks in one INSERT … ON CONFLICT DO NOTHING;
    ``{task id: new mark id}`` for the ones made now (not those that existed)."""
    if not marks:
        return {}
    table = DeadlineMark._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    values, params = [], []
    for mark in marks:
        values.append("(%s, %s, %s, %s, %s, %s, %s)")
        params += [
            mark.task_id,
            mark.application_id,
            mark.department_id,
            threshold,
            connection.ops.adapt_datetimefield_value(mark.due_at),
            at,
            at if processed else None,
        ]
    sql = (
        # bandit B608: names are the model's; values are %s parameters
        f"INSERT INTO {table} (task_id, application_id, department_id, threshold, due_at, "  # nosec B608
        f"created_at, processed_at) VALUES {', '.join(values)} "
        "ON CONFLICT DO NOTHING RETURNING id, task_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {task_id: mark_id for mark_id, task_id in cursor.fetchall()}


def sweep_inline(*, now: datetime | None = None, limit: int | None = None) -> sweep.SweepResult:
    """``sweep.sweep_inline`` with the bulk follow-up: the sweep, then every follow-up (and the
    ones they start) run here, in this process, a batch at a time (``manage.py sweep_deadlines
    --followups``, tests)."""
    queue: list[int] = []
    token = sweep._inline_queue.set(queue)
    try:
        result = sweep.sweep(now=now, limit=limit)
        while queue:
            size = sweep.followup_batch()
            batch, queue[:] = queue[:size], queue[size:]
            process_marks(mark_ids=batch)
        from workflow.tolerance.sweep import terminate_claimed

        terminate_claimed(result.tolerance_ended, now=result.now)
    finally:
        sweep._inline_queue.reset(token)
    return result
