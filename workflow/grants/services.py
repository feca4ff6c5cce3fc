"""Writes of the exceptional object grants: the only code that grants and revokes them.

* :func:`case_share_grant` / :func:`case_share_end` — a head of a department taking part in a
  case lets a named staff member of another department read that one case (an expert
  opinion), until a date (inclusive) or until ended.
* :func:`delegation_grant` / :func:`delegation_end` — a department's head lets a colleague act
  on an absent member's tasks of that department until a date (代岗). The tasks the absent
  member holds move to the delegate; when the delegation ends, the tasks the delegate holds
  only through it go back to the absent member (or to the department's queue, when the absent
  member may no longer act on them).
* :func:`end_expired` — called by the deadline sweep: ends every grant whose last day has
  passed. ``workflow.access`` already stops honouring a grant after its last day, so the sweep
  only tidies up (guardian rows, events, tasks) and its timing changes nobody's access.

Each runs in one transaction, with the acting user explicit (``None`` for the sweep), writes the
guardian permission and the grant row together, appends an Event on every case it touches
(``EventAction.CASE_SHARED`` … ``TASK_DELEGATION_ENDED``) and locks cases through
``workflow.services.locking`` (process, then application, in ascending case order).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from departments.models import Department
from permits.choices import EventAction
from permits.models import Application
from workflow import access
from workflow.exceptions import Conflict, Forbidden, Invalid, NotFound
from workflow.grants.models import CaseShare, Delegation
from workflow.models import CaseTask, TaskStatus
from workflow.services.events import event_append
from workflow.services.locking import case_locked

logger = logging.getLogger("workflow.grants")

SHARE_PERM = ".".join(access.SHARE_PERMISSION)
DELEGATION_PERM = ".".join(access.DELEGATION_PERMISSION)


def _check_until(until: date | None, *, required: bool) -> date | None:
    if until is None:
        if required:
            raise Invalid(fields={"until": [_("Give the last day.")]})
        return None
    if until < timezone.localdate():
        raise Invalid(fields={"until": [_("The last day cannot be in the past.")]})
    return until


# --------------------------------------------------------------------------------------------
# Shares


@transaction.atomic
def case_share_grant(
    *, actor: Any, application: Application, user: Any, note: str, until: date | None = None
) -> CaseShare:
    """Share ``application`` read-only with ``user`` (an expert opinion).

    Who: a head of a department taking part in the case (404 if the actor cannot see it, 403 if
    they can but head none of its departments). ``user``: an active staff member of another
    department, who cannot see the case already through their own roles. ``note`` (what to look
    at) is required; ``until`` is the last day (inclusive), or none until ended. One running
    share per case and user. Side effects: the guardian permission, an Event on the case.
    """
    if not access.can_view_application(actor, application):
        raise NotFound()
    departments = sorted(access.sharing_department_ids(actor, application))
    if not departments:
        raise Forbidden()
    note = (note or "").strip()
    errors: dict[str, list] = {}
    if not note:
        errors["note"] = [_("Say what the colleague should give an opinion on.")]
    if (
        user is None
        or not user.is_active
        or user.pk == actor.pk
        or not access.user_department_ids(user)
    ):
        errors["user"] = [_("Choose an active staff member.")]
    elif access.user_department_ids(user) & set(departments):
        errors["user"] = [_("Share with a staff member of another department.")]
    if errors:
        raise Invalid(fields=errors)
    until = _check_until(until, required=False)
    with case_locked(application.pk) as app:
        try:
            with transaction.atomic():
                share = CaseShare.objects.create(
                    application=app,
                    user=user,
                    department_id=departments[0],
                    note=note,
                    until=until,
                    granted_by=actor,
                    granted_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Invalid(fields={"user": [_("The case is already shared with them.")]}) from exc
        assign_perm(SHARE_PERM, user, app)
        event_append(
            application=app,
            actor=actor,
            action=EventAction.CASE_SHARED,
            department=share.department_id,
            before=app.status,
            after=app.status,
            note=note,
            data={
                "share": share.pk,
                "user": user.pk,
                "until": until.isoformat() if until else None,
            },
        )
    access.forget(user)
    logger.info("case shared: share=%s case=%s user=%s by=%s", share.pk, app.pk, user.pk, actor.pk)
    return share


@transaction.atomic
def case_share_end(*, actor: Any | None, share: CaseShare | int) -> CaseShare:
    """End a running share: a head who may share the case, or the sweep (``actor=None``) after
    its last day. Ending an ended share is a ``Conflict``. Side effects: the guardian
    permission goes, an Event on the case."""
    share_id = getattr(share, "pk", share)
    row = CaseShare.objects.filter(pk=share_id).select_related("application__item").first()
    if row is None:
        raise NotFound()
    if actor is not None and not access.can_view_application(actor, row.application):
        raise NotFound()
    with case_locked(row.application_id) as app:
        share = CaseShare.objects.select_for_update().select_related("user").get(pk=share_id)
        if actor is not None and not access.can_share_application(actor, app):
            raise Forbidden()
        if share.ended_at is not None:
            raise Conflict()
        share.ended_at = timezone.now()
        share.ended_by = actor
        share.save(update_fields=["ended_at", "ended_by"])
        remove_perm(SHARE_PERM, share.user, app)
        event_append(
            application=app,
            actor=actor,
            action=EventAction.CASE_SHARE_ENDED,
            department=share.department_id,
            before=app.status,
            after=app.status,
            data={"share": share.pk, "user": share.user_id, "expired": actor is None},
        )
    access.forget(share.user)
    return share


# --------------------------------------------------------------------------------------------
# Delegations


def _move_tasks(tasks: list[CaseTask], *, actor, action: EventAction, delegation, to) -> int:
    """Give each task to ``to`` (a user, or None: back to the queue), under its case's lock, in
    ascending case order, with an Event on the case."""
    moved = 0
    for task in sorted(tasks, key=lambda t: (t.application_id, t.pk)):
        with case_locked(task.application_id) as app:
            t = CaseTask.objects.select_for_update().get(pk=task.pk)
            if t.status != TaskStatus.ASSIGNED or t.assignee_id != task.assignee_id:
                continue  # handled meanwhile
            previous = t.assignee_id
            t.assignee = to
            t.status = TaskStatus.ASSIGNED if to is not None else TaskStatus.OPEN
            t.claimed_at = timezone.now() if to is not None else None
            t.save(update_fields=["assignee", "status", "claimed_at"])
            event_append(
                application=app,
                actor=actor,
                action=action,
                department=t.department_id,
                before=app.status,
                after=app.status,
                data={
                    "task": t.pk,
                    "kind": t.kind,
                    "stage": t.stage,
                    "delegation": delegation.pk,
                    "from": previous,
                    "to": getattr(to, "pk", None),
                },
            )
            moved += 1
    return moved


@transaction.atomic
def delegation_grant(
    *,
    actor: Any,
    department: Department,
    from_user: Any,
    to_user: Any,
    until: date,
    note: str = "",
) -> Delegation:
    """Let ``to_user`` act on ``from_user``'s tasks of ``department`` through ``until``
    (inclusive; 代岗).

    Who: the department's head (403 otherwise). Both users work in the department (clerk,
    reviewer or head) and differ; one running delegation per absent member and department.
    The delegate may then act exactly where the absent member may (their stages there; the
    acceptance for a clerk). Side effects: the guardian permission on the delegation, the
    absent member's held tasks of the department move to the delegate (an Event on each case).
    """
    if not access.can_delegate(actor, department):
        raise Forbidden()
    errors: dict[str, list] = {}
    staff = set(access.department_staff_ids(department))
    if from_user is None or from_user.pk not in staff:
        errors["from_user"] = [_("Choose a member of the department.")]
    if to_user is None or to_user.pk not in staff:
        errors["to_user"] = [_("Choose a colleague of the same department.")]
    elif from_user is not None and to_user.pk == from_user.pk:
        errors["to_user"] = [_("Choose someone other than the absent member.")]
    if errors:
        raise Invalid(fields=errors)
    until = _check_until(until, required=True)
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(
                from_user=from_user,
                to_user=to_user,
                department=department,
                until=until,
                note=(note or "").strip(),
                granted_by=actor,
                granted_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Invalid(fields={"from_user": [_("Their tasks are already delegated.")]}) from exc
    assign_perm(DELEGATION_PERM, to_user, delegation)
    access.forget(to_user)
    held = list(
        CaseTask.objects.filter(
            department=department, status=TaskStatus.ASSIGNED, assignee_id=from_user.pk
        )
    )
    _move_tasks(
        held, actor=actor, action=EventAction.TASK_DELEGATED, delegation=delegation, to=to_user
    )
    logger.info(
        "delegation granted: id=%s department=%s from=%s to=%s until=%s by=%s",
        delegation.pk,
        department.pk,
        from_user.pk,
        to_user.pk,
        until,
        actor.pk,
    )
    return delegation


@transaction.atomic
def delegation_end(*, actor: Any | None, delegation: Delegation | int) -> Delegation:
    """End a running delegation: the department's head, or the sweep (``actor=None``) after its
    last day. The tasks of the department the delegate holds and may not act on by their own
    roles go back to the absent member (to the queue, if the absent member may no longer act on
    them), with an Event on each case. Side effects: the guardian permission goes."""
    delegation_id = getattr(delegation, "pk", delegation)
    d = (
        Delegation.objects.select_for_update()
        .select_related("from_user", "to_user", "department")
        .filter(pk=delegation_id)
        .first()
    )
    if d is None:
        raise NotFound()
    if actor is not None and not access.can_delegate(actor, d.department_id):
        raise NotFound() if not access.is_staff_member(actor) else Forbidden()
    if d.ended_at is not None:
        raise Conflict()
    d.ended_at = timezone.now()
    d.ended_by = actor
    d.save(update_fields=["ended_at", "ended_by"])
    remove_perm(DELEGATION_PERM, d.to_user, d)
    access.forget(d.to_user)
    to_user = type(d.to_user).objects.get(pk=d.to_user_id)  # fresh: no cached delegation
    from_user = type(d.from_user).objects.get(pk=d.from_user_id)
    held = [
        t
        for t in CaseTask.objects.filter(
            department_id=d.department_id, status=TaskStatus.ASSIGNED, assignee_id=d.to_user_id
        )
        if not access.may_act_without_delegation(to_user, t)
    ]
    back = [t for t in held if access.may_act_without_delegation(from_user, t)]
    queue = [t for t in held if t not in back]
    action = EventAction.TASK_DELEGATION_ENDED
    _move_tasks(back, actor=actor, action=action, delegation=d, to=from_user)
    _move_tasks(queue, actor=actor, action=action, delegation=d, to=None)
    logger.info("delegation ended: id=%s by=%s", d.pk, getattr(actor, "pk", "sweep"))
    return d


# --------------------------------------------------------------------------------------------
# The sweep


def end_expired(*, now: datetime | None = None) -> dict[str, int]:
    """End every share and delegation whose last day is before today (Asia/Shanghai) — the
    deadline sweep calls this. Reads only the running rows through their partial index; each
    grant ends in its own transaction, so one that cannot be ended now (a case lock timing out)
    is left for the next sweep and the others still end. Idempotent."""
    today = timezone.localdate(now or timezone.now())
    ended = {"shares": 0, "delegations": 0}
    for share_id in CaseShare.objects.expired(today=today).values_list("pk", flat=True):
        try:
            case_share_end(actor=None, share=share_id)
            ended["shares"] += 1
        except (Conflict, NotFound):
            continue  # ended meanwhile
        except Exception:  # one grant must not stop the sweep
            logger.exception("could not end share %s; the next sweep retries", share_id)
    for delegation_id in Delegation.objects.expired(today=today).values_list("pk", flat=True):
        try:
            delegation_end(actor=None, delegation=delegation_id)
            ended["delegations"] += 1
        except (Conflict, NotFound):
            continue
        except Exception:  # likewise
            logger.exception("could not end delegation %s; the next sweep retries", delegation_id)
    return ended
