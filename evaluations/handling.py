"""差评 handling (差评整改): a 1–2 rating opens a ``rectification`` task for the department
answerable for it (谁办理谁负责: the lead; for a process-centred case the coordinating office,
which may hand it to a handling department). Due in ``RECTIFICATION_WORKING_DAYS`` (15, per
region configurable) working days, under the deadline sweep like every task (``CaseTask.due_at``).

A named person calls the citizen back (``callback``: date, outcome), then the department either
fixes it (``done``: what was fixed, what the citizen was told; the citizen may then confirm
满意 / 基本满意 / 不满意 with the fix) or appeals (``appeal``: reasons, evidence), which opens an
``appeal_review`` task for a supervisor of the region: ``uphold`` (the rectification goes on, a
new task due when the first was) or ``overturn`` (the rating is set aside, with the reasons shown
to the citizen, and leaves every figure). The steps (``evaluations.steps``) call these; every
act is an Event on the case."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department
from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationDepartment, ServiceModel
from workflow import access
from workflow.exceptions import Conflict, Forbidden, Invalid, NotFound
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, TaskKind, TaskStatus
from workflow.services.common import add_time_limit
from workflow.services.locking import case_locked, task_case_locked
from workflow.steps.base import finish, new_task, task_event

from . import conf
from .choices import AppealStatus, FixAnswer, RectificationStatus, SubjectKind
from .models import Rating, Rectification
from .signals import ratings_changed_send


def _due(app: Application, start: datetime) -> datetime:
    region_code = getattr(getattr(app, "region", None), "code", None)
    return add_time_limit(
        start=start, days=conf.rectification_days(region_code), unit="working_day"
    )


def rectification_open(*, rating: Rating, application: Application) -> Rectification:
    """Open the rectification of a 差评 (under the case lock the caller holds). Appends
    ``rectification_opened`` (the department's task holders are told)."""
    app = application
    now = timezone.now()
    due = _due(app, now)
    task = new_task(
        app, kind=TaskKind.RECTIFICATION, department_id=app.lead_department_id, stage="undertake"
    )
    task.due_at = due
    task.round = rating.round
    task.save(update_fields=["due_at", "yellow_at", "round"])
    rectification = Rectification.objects.create(
        rating=rating,
        department_id=app.lead_department_id,
        opened_at=now,
        due_at=due,
        task=task,
    )
    task_event(
        app,
        task,
        actor=None,
        action=EventAction.RECTIFICATION_OPENED,
        data={"rating": rating.pk, "level": rating.level, "due_at": due.isoformat()},
    )
    return rectification


def rectification_of(task: CaseTask) -> Rectification:
    r = Rectification.objects.select_related("rating").filter(task_id=task.pk).first()
    if r is None:
        raise Conflict()
    return r


def record_callback(r: Rectification, *, actor, data: dict, now: datetime) -> bool:
    """Record the callback (回访核实) from the decision's fields when given; True when the
    rectification has one (now or before)."""
    outcome = (data.get("revisit") or "").strip()
    if outcome:
        called_on = data.get("called_on") or timezone.localdate(now)
        person = (data.get("callback_person") or "").strip() or (
            actor.get_full_name() or actor.get_username()
        )
        r.revisit = outcome
        r.revisit_by = actor
        r.revisit_at = (
            timezone.make_aware(datetime.combine(called_on, datetime.min.time()))
            if not isinstance(called_on, datetime)
            else called_on
        )
        r.revisit_person = person
        r.save(update_fields=["revisit", "revisit_by", "revisit_at", "revisit_person"])
    return bool(r.revisit)


def callback_event(app, task, r: Rectification, *, actor) -> None:
    task_event(
        app,
        task,
        actor=actor,
        action=EventAction.RECTIFICATION_CALLBACK,
        note=r.revisit,
        data={
            "rating": r.rating_id,
            "called_on": timezone.localtime(r.revisit_at).date().isoformat(),
            "person": r.revisit_person,
        },
    )


def rectify(app, task, r: Rectification, *, actor, data: dict, now: datetime) -> None:
    r.fix = data["opinion"]
    r.told = data.get("told") or ""
    r.status = RectificationStatus.DONE
    r.closed_at = now
    r.on_time = r.due_at is None or now <= r.due_at
    r.save(update_fields=["fix", "told", "status", "closed_at", "on_time"])
    finish(task, actor=actor, decision="done", opinion=r.fix, now=now, result={"told": r.told})
    task_event(
        app,
        task,
        actor=actor,
        action=EventAction.RECTIFIED,
        note=r.told or r.fix,
        data={"rating": r.rating_id, "on_time": r.on_time},
    )
    ratings_changed_send([r.rating_id])  # its on-time rectification counts


def appeal(app, task, r: Rectification, *, actor, data: dict, now: datetime) -> CaseTask:
    r.appeal_reasons = data["opinion"]
    r.appeal_evidence = list(data.get("evidence") or [])
    r.status = RectificationStatus.APPEALED
    r.appeal_status = AppealStatus.PENDING
    finish(
        task,
        actor=actor,
        decision="appeal",
        opinion=r.appeal_reasons,
        now=now,
        result={"evidence": r.appeal_evidence},
    )
    review = new_task(app, kind=TaskKind.APPEAL_REVIEW, department_id=task.department_id, stage="")
    review.due_at = r.due_at
    review.round = task.round
    review.save(update_fields=["due_at", "yellow_at", "round"])
    r.task = review
    r.save(update_fields=["appeal_reasons", "appeal_evidence", "status", "appeal_status", "task"])
    task_event(
        app,
        task,
        actor=actor,
        action=EventAction.RECTIFICATION_APPEALED,
        note=r.appeal_reasons,
        data={"rating": r.rating_id, "appeal_task": review.pk},
    )
    return review


def appeal_decide(app, task, r: Rectification, *, actor, decision: str, opinion: str, now):
    r.appeal_decision = opinion
    r.appeal_decided_by = actor
    finish(task, actor=actor, decision=decision, opinion=opinion, now=now)
    if decision == "overturn":
        r.appeal_status = AppealStatus.OVERTURNED
        r.status = RectificationStatus.SET_ASIDE
        r.closed_at = now
        r.task = None
        Rating.objects.filter(pk=r.rating_id).update(set_aside=True, set_aside_reasons=opinion)
        action = EventAction.APPEAL_OVERTURNED
    else:
        r.appeal_status = AppealStatus.UPHELD
        r.status = RectificationStatus.OPEN
        again = new_task(
            app, kind=TaskKind.RECTIFICATION, department_id=r.department_id, stage="undertake"
        )
        again.due_at = r.due_at
        again.round = task.round
        again.save(update_fields=["due_at", "yellow_at", "round"])
        r.task = again
        action = EventAction.APPEAL_UPHELD
    r.save()
    task_event(app, task, actor=actor, action=action, note=opinion, data={"rating": r.rating_id})
    if decision == "overturn":
        ratings_changed_send([r.rating_id])  # set aside: it leaves every figure


# --- Outside the task decisions -------------------------------------------------------------------


def rectification_reassign_department(*, task: CaseTask | int, actor, department: str) -> CaseTask:
    """API.md: the coordinating office hands a process-centred case's rectification to a
    department that handled the case (``reassign {"department"}``). Who: staff of the office who
    may act on the task. The task goes to that department's queue. Appends ``task_reassigned``."""
    task_id = getattr(task, "pk", task)
    with task_case_locked(task_id, visible_q=access.task_visible_q(actor)) as (app, t):
        if t.kind != TaskKind.RECTIFICATION:
            raise Invalid(
                fields={"department": [_("Only a rectification goes to another department.")]}
            )
        if not access.can_act_on_task(actor, t):
            raise Forbidden()
        if t.status not in ACTIVE_TASK_STATUSES:
            raise Conflict()
        if (
            app.item.service_model != ServiceModel.PROCESS_CENTRED
            or t.department_id != app.lead_department_id
        ):
            raise Conflict(_("Only the coordinating office hands a rectification on."))
        target = Department.objects.filter(code=str(department or "")).first()
        took_part = (
            target is not None
            and target.pk != app.lead_department_id
            and ApplicationDepartment.objects.filter(application=app, department=target).exists()
        )
        if not took_part:
            raise Invalid(fields={"department": [_("Choose a department that handled this case.")]})
        previous = t.department_id
        t.department = target
        t.status = TaskStatus.OPEN
        t.assignee = None
        t.claimed_at = None
        t.save(update_fields=["department", "status", "assignee", "claimed_at"])
        Rectification.objects.filter(task_id=t.pk).update(department=target)
        task_event(
            app,
            t,
            actor=actor,
            action=EventAction.TASK_REASSIGNED,
            data={"from_department": previous, "to_department": target.pk, "code": target.code},
        )
    return t


def fix_confirm(*, actor, application: Application, answer: str) -> Rectification:
    """The applicant says whether the fix satisfied them (满意 / 基本满意 / 不满意), once."""
    if answer not in FixAnswer.values:
        raise Invalid(fields={"answer": [_("Choose one of the answers.")]})
    with case_locked(application.pk) as app:
        if not access.can_rate(actor, app):
            raise NotFound()
        r = (
            Rectification.objects.select_for_update()
            .filter(
                # a case's own 差评, not a visit's at which the case was entered (visit_handling)
                rating__subject_kind=SubjectKind.CASE,
                rating__application=app,
                status=RectificationStatus.DONE,
                fix_answer="",
            )
            .order_by("-pk")
            .first()
        )
        if r is None:
            raise Conflict(_("There is no fix to confirm."))
        r.fix_answer = answer
        r.save(update_fields=["fix_answer"])
        from workflow.services.events import event_append

        event_append(
            application=app,
            actor=actor,
            action=EventAction.FIX_CONFIRMED,
            department=r.department_id,
            note=system_note(FixAnswer(answer).label),
            data={"rating": r.rating_id, "answer": answer},
        )
    return r
