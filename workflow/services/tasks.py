"""The people's side of a task: claim, release, reassign and complete. The kind's own work
(which decisions, their input, what completing does) is its step's (``workflow.steps``); this
module does what every kind shares: the case lock, access, the task's state, the implicit claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from permits.choices import EventAction
from permits.models import Application
from workflow import access
from workflow.exceptions import Conflict, Forbidden, Invalid, NotFound
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, TaskKind, TaskStatus
from workflow.services.locking import task_case_locked
from workflow.steps.base import task_event
from workflow.steps.registry import step_for


@contextmanager
def task_locked(task: CaseTask | int, actor) -> Iterator[tuple[Application, CaseTask]]:
    """The task's case locked (process, then application with the task) and both re-read under
    the lock; ``NotFound`` when it is missing or the actor may not see it."""
    with task_case_locked(
        getattr(task, "pk", task), visible_q=access.task_visible_q(actor), route=_route(task)
    ) as locked:
        yield locked


def _route(task: CaseTask | int) -> tuple | None:
    """The case route a task row read by ``selectors.task_get_for_user`` carries, if any."""
    process_id = getattr(task, "case_process_id", None)
    flow_class = getattr(task, "case_flow_class", None)
    if process_id is None or flow_class is None:
        return None
    return (task.application_id, process_id, flow_class)


def task_claim(*, task: CaseTask | int, actor) -> CaseTask:
    """Take an open task of one's own department at one's own stage. Claiming a task one already
    holds is a no-op; a task held by someone else, or no longer open, is a ``Conflict``.
    Appends ``task_claimed``."""
    with task_locked(task, actor) as (app, t):
        if not access.can_act_on_task(actor, t):
            raise Forbidden()
        if t.status == TaskStatus.ASSIGNED and t.assignee_id == actor.pk:
            return t
        if t.status != TaskStatus.OPEN:
            raise Conflict()
        t.status = TaskStatus.ASSIGNED
        t.assignee = actor
        t.claimed_at = timezone.now()
        t.save(update_fields=["status", "assignee", "claimed_at"])
        task_event(app, t, actor=actor, action=EventAction.TASK_CLAIMED)
    return t


def task_release(*, task: CaseTask | int, actor) -> CaseTask:
    """Give a task back to the department's queue: the holder, or the department's head.
    Appends ``task_released``."""
    with task_locked(task, actor) as (app, t):
        if t.status != TaskStatus.ASSIGNED:
            raise Conflict()
        if t.assignee_id != actor.pk and not access.is_head(actor, t.department_id):
            if access.can_act_on_task(actor, t):
                raise Conflict()  # another user holds it
            raise Forbidden()
        t.status = TaskStatus.OPEN
        t.assignee = None
        t.claimed_at = None
        t.save(update_fields=["status", "assignee", "claimed_at"])
        task_event(app, t, actor=actor, action=EventAction.TASK_RELEASED)
    return t


def task_reassign(*, task: CaseTask | int, actor, user) -> CaseTask:
    """A department head gives an open or held task to a colleague who may act at its stage.
    Appends ``task_reassigned``."""
    with task_locked(task, actor) as (app, t):
        if not access.is_head(actor, t.department_id):
            raise Forbidden()
        if t.status not in ACTIVE_TASK_STATUSES:
            raise Conflict()
        if user is None or not access.can_act_on_task(user, t):
            raise Invalid(fields={"user": [_("This user cannot act on the task at its stage.")]})
        previous = t.assignee_id
        t.status = TaskStatus.ASSIGNED
        t.assignee = user
        t.claimed_at = timezone.now()
        t.save(update_fields=["status", "assignee", "claimed_at"])
        task_event(
            app,
            t,
            actor=actor,
            action=EventAction.TASK_REASSIGNED,
            data={"from": previous, "to": user.pk},
        )
    return t


def task_complete(
    *,
    task: CaseTask | int,
    actor,
    decision: str,
    opinion: str = "",
    **fields: Any,
) -> CaseTask:
    """Complete a task with a decision of its kind (API.md's task table, as the step registry
    declares it).

    Who: a user who may act on the task (its department, its stage); the task is claimed
    implicitly when it is open. Refused with ``NotFound`` (not visible), ``Forbidden`` (not
    theirs to act on), ``Conflict`` (no longer open, held by another, waiting for the
    applicant's supplement, or the case is in no state for the kind), ``Invalid`` (a kind no
    flow has built, a decision the kind does not take, or input the decision's serializer
    refuses, with ``fields``). Side effects: the step's own (rows, Events, the graph moves on);
    notices follow the Events after commit."""
    with task_locked(task, actor) as (app, t):
        if not access.can_act_on_task(actor, t):
            raise Forbidden()
        if t.status not in ACTIVE_TASK_STATUSES:
            raise Conflict()
        if t.status == TaskStatus.ASSIGNED and t.assignee_id != actor.pk:
            raise Conflict()
        if t.awaiting_applicant:
            raise Conflict(_("This task waits for the applicant's supplement."))
        step = step_for(t.kind)
        step.decision(decision)
        step.guard(application=app, task=t)
        data = step.validate(
            decision=decision, data={**fields, "opinion": opinion or ""}, application=app
        )
        now = timezone.now()
        if t.status == TaskStatus.OPEN:
            t.assignee = actor
            t.claimed_at = now
            t.status = TaskStatus.ASSIGNED
        step.complete(application=app, task=t, actor=actor, decision=decision, data=data, now=now)
    return t


def review_deemed_approve(*, task: CaseTask | int, opinion: str) -> bool:
    """逾期视为同意: the system completes an overdue department review with the deemed-approval
    opinion, so the join goes on. Called only by the deadline sweep's follow-up, after it checked
    the item department's timeout policy and that the item allows it; no person acts, so no
    access check applies. Takes the case lock like every writer. Returns False, changing nothing,
    when the task is gone or no longer open, waits for the applicant, or the case's clocks are
    paused."""
    try:
        with task_case_locked(getattr(task, "pk", task)) as (app, t):
            if t.status not in ACTIVE_TASK_STATUSES or t.kind != TaskKind.REVIEW:
                return False
            step = step_for(TaskKind.REVIEW)
            return step.deem_approved(application=app, task=t, opinion=opinion)
    except NotFound:  # the task is gone
        return False
