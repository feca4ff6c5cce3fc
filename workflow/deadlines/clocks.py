"""Case and task clocks (DESIGN.md §4): when they start, pause, resume and are extended.

The arithmetic is ``workflow.deadlines.calendar``'s; this module keeps the clock columns consistent:
``due_at`` and ``yellow_at`` (due minus ``DEADLINE_YELLOW_WORKING_DAYS`` working days, or the
last quarter of an hour limit — ``yellow_threshold`` — so the sweep can select it in SQL) on
tasks and cases, ``paused``/``paused_since``, the
``ClockPause`` and ``ClockExtension`` rows, and an Event for every pause, resume and extension.

Rules, each with a worked example in ``tests/workflow/deadlines/test_clocks.py``:
- The case clock starts at acceptance: promised due = acceptance + ``promised_days`` working
  days, legal due = acceptance + ``legal_days``. Acceptance itself is due 5 working days after
  submission (第三十二条); a case accepted after that without a supplement notice given in
  time counts as accepted from the day its materials arrived: its clock is dated back.
- A supplement pauses every clock of the case; a special procedure (第四十五条: 检验、检测、
  检疫、鉴定、专家评审、招标、拍卖、听证) pauses the clocks it concerns. Paused time is not
  counted: on resume every paused clock moves on by the days of its unit that passed after
  the day it was paused, up to and including the day it resumes (paused Monday, resumed
  Wednesday: two working days, Tuesday and Wednesday).
- An extension (第四十二条) is granted once: a single department's limit by 10 working days
  with its head's approval; a case handled jointly or in parallel by 15 with the approval of
  the government leader of its level, recorded by the lead department's head. Which of the two
  a case may get is its item's ``extension_rule`` (``VersionSpec.extension_rule``: joint by
  default for parallel licensing and for a core department with consulted departments).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onestop.errors import DomainError
from permits.choices import EventAction, ExtensionRule
from permits.event_notes import system_note
from permits.models import (
    Application,
    ApplicationDepartment,
    ApplicationStatus,
    ParticipationRole,
)
from workflow import access
from workflow.deadlines import calendar as cal
from workflow.models import (
    ACTIVE_TASK_STATUSES,
    EXTENSION_DAYS,
    SPECIAL_PROCEDURES,
    CaseTask,
    ClockExtension,
    ClockPause,
    ExtensionKind,
    PauseReason,
    Warning,
)
from workflow.services.events import event_append
from workflow.services.locking import case_locked
from workflow.spec import version_spec

ACCEPTANCE_DAYS = 5  # 行政许可法 第三十二条


class ClockError(DomainError):
    """A clock act the rules do not allow; ``message`` is translated. On the one hierarchy of
    domain errors, so the API maps it like every other (``code``: invalid, not_found, conflict,
    or permission_denied — ``"forbidden"`` is accepted as its old name)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = "permission_denied" if code == "forbidden" else code


# --- Thresholds ------------------------------------------------------------------------------


def yellow_threshold(
    due_at: datetime | None, unit: str | None = None, *, start: datetime | None = None
) -> datetime | None:
    """When a clock turns yellow.

    Day units: the end of the day ``DEADLINE_YELLOW_WORKING_DAYS`` working days before the due
    day; from then on, that many working days are left (the due day counting as one).

    The ``hour`` unit (urgent matters, around the clock): proportional, when the last
    ``DEADLINE_YELLOW_HOUR_SHARE`` (a quarter) of the time from the clock's ``start`` to its due
    is left: a 2-hour limit turns yellow 30 minutes before its due, a 24-hour one 6 hours
    before. Without a start, ``DEADLINE_YELLOW_HOURS`` (1) before the due."""
    if due_at is None:
        return None
    if unit == cal.HOUR:
        share = float(getattr(settings, "DEADLINE_YELLOW_HOUR_SHARE", 0.25))
        if start is not None and start < due_at and 0 < share <= 1:
            return due_at - (due_at - start) * share
        return due_at - timedelta(hours=getattr(settings, "DEADLINE_YELLOW_HOURS", 1))
    days = getattr(settings, "DEADLINE_YELLOW_WORKING_DAYS", 1)
    return cal.subtract_working_days(due_at, days)


def clock_unit(obj: Any) -> str | None:
    """The unit a task's or a case's clock runs in: a task's own ``time_limit_unit``; a case
    with an urgent caller (process-centred, answered within hours) runs in hours."""
    unit = getattr(obj, "time_limit_unit", None)
    if unit is not None:
        return unit
    if isinstance(obj, Application) and (obj.urgency or "normal") != "normal":
        return cal.HOUR
    return None


def clock_start(obj: Any) -> datetime | None:
    """Where a clock's span starts for a proportional threshold: a task's opening, a case's
    reopening or else its submission."""
    if isinstance(obj, Application):
        return obj.reopened_at or obj.submitted_at
    return getattr(obj, "created_at", None)


def yellow_for(obj: CaseTask | Application) -> datetime | None:
    """The yellow threshold of ``obj``'s own due (``yellow_threshold`` with its unit and start)."""
    return yellow_threshold(obj.due_at, clock_unit(obj), start=clock_start(obj))


def refresh_thresholds(obj: CaseTask | Application, *, now: datetime | None = None) -> None:
    """Recompute ``yellow_at`` from ``due_at`` and lift a warning the new due no longer
    deserves (a new due gets marks of its own: their key includes the due)."""
    obj.yellow_at = yellow_for(obj)
    if obj.due_at is None:
        return
    now = now or timezone.now()
    if obj.warning == Warning.RED and obj.due_at > now:
        obj.warning = Warning.YELLOW
    if obj.warning == Warning.YELLOW and obj.yellow_at and obj.yellow_at > now:
        obj.warning = Warning.NONE


def keep_yellow_at(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save: whoever sets a due (flow's services included) gets the threshold with it."""
    if raw:
        return
    instance.yellow_at = yellow_for(instance)


# --- Starting clocks -------------------------------------------------------------------------


def acceptance_due(submitted_at: datetime) -> datetime:
    """The acceptance step is due 5 working days after submission (第三十二条)."""
    return cal.add_time_limit(start=submitted_at, days=ACCEPTANCE_DAYS, unit=cal.WORKING_DAY)


def case_clock_start(application: Application, *, accepted_at: datetime) -> tuple[datetime, bool]:
    """When the case clock starts, and whether it was dated back: accepted within 5 working
    days of submission, or after a supplement notice given within them → the acceptance;
    otherwise (第三十二条: no notice in time counts as accepted from the day the materials
    arrived) → the submission."""
    submitted = application.submitted_at
    if submitted is None:
        return accepted_at, False
    limit = acceptance_due(submitted)
    if accepted_at <= limit:
        return accepted_at, False
    first_notice = (
        application.supplement_notices.order_by("requested_at")
        .values_list("requested_at", flat=True)
        .first()
    )
    if first_notice is not None and first_notice <= limit:
        return accepted_at, False
    return submitted, True


def start_case_clock(
    application: Application,
    *,
    accepted_at: datetime,
    promised_days: int | None,
    legal_days: int | None,
    actor=None,
) -> None:
    """Set the promised and legal dues of a case being accepted (the caller holds the case lock
    and saves). The limits come from the item version the case runs on."""
    start, dated_back = case_clock_start(application, accepted_at=accepted_at)
    if promised_days:
        application.due_at = cal.add_time_limit(start=start, days=promised_days)
    if legal_days:
        application.legal_due_at = cal.add_time_limit(start=start, days=legal_days)
    application.yellow_at = yellow_for(application)
    application.warning = Warning.NONE
    if dated_back:
        _event(
            application,
            actor=actor,
            action=EventAction.CLOCK_DATED_BACK,
            note=system_note(
                gettext_noop(
                    "No supplement notice was given within 5 working days of submission: the "
                    "case counts as accepted from the day its materials arrived (第三十二条)."
                )
            ),
            data={
                "start": start.isoformat(),
                "due_at": application.due_at.isoformat() if application.due_at else None,
            },
        )


def department_due(participation: ApplicationDepartment, *, start: datetime) -> datetime | None:
    if not participation.time_limit_days:
        return None
    return cal.add_time_limit(
        start=start,
        days=participation.time_limit_days,
        unit=participation.time_limit_unit or cal.WORKING_DAY,
    )


# --- Pauses ----------------------------------------------------------------------------------


def shift(due: datetime | None, *, since: datetime, until: datetime, unit: str) -> datetime | None:
    """``due`` moved on by the days of ``unit`` after the day of ``since`` up to and including
    the day of ``until``: the time a paused clock stood still."""
    if due is None:
        return None
    if unit == cal.HOUR:  # hours run around the clock: the time it stood still, exactly
        return due + max(until - since, timedelta(0))
    if unit == cal.CALENDAR_DAY:
        days = max(0, cal.calendar_days_between(since, until))
        return cal.end_of_day(cal.local_date(due) + timedelta(days=days))
    days = max(0, cal.working_days_between(since, until))
    return cal.end_of_day(cal.add_working_days(cal.local_date(due), days))


def _event(application, *, actor, action: EventAction, note: str = "", data=None, department=None):
    return event_append(
        application=application,
        actor=actor,
        action=action,
        department=department,
        before=application.status,
        after=application.status,
        note=note,
        data=data,
    )


def pause_case(
    application: Application,
    *,
    actor,
    now: datetime,
    reason: str = PauseReason.SUPPLEMENT,
    note: str = "",
    action: EventAction = EventAction.PAUSED,
) -> ClockPause | None:
    """Pause every clock of the case (a supplement). The caller holds the case lock and saves
    the application."""
    if application.paused:
        return None
    application.paused = True
    application.paused_since = now
    CaseTask.objects.filter(
        application=application, status__in=ACTIVE_TASK_STATUSES, paused=False
    ).update(paused=True, paused_since=now)
    pause = ClockPause.objects.create(
        application=application,
        reason=reason,
        note=note[:300],
        whole_case=True,
        started_at=now,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _event(
        application,
        actor=actor,
        action=action,
        note=note,
        data={"reason": reason, "pause": pause.pk},
    )
    return pause


def _shift_task(task: CaseTask, *, since: datetime, now: datetime) -> None:
    task.due_at = shift(task.due_at, since=since, until=now, unit=task.time_limit_unit)
    task.paused = False
    task.paused_since = None
    refresh_thresholds(task, now=now)
    task.save(update_fields=["due_at", "yellow_at", "warning", "paused", "paused_since"])


def resume_case(
    application: Application,
    *,
    actor,
    now: datetime,
    note: str = "",
    action: EventAction = EventAction.RESUMED,
) -> ClockPause | None:
    """Resume every clock paused with the case; each moves on by the paused days of its unit.
    The caller holds the case lock and saves the application."""
    if not application.paused:
        return None
    since = application.paused_since or now
    days = max(0, cal.working_days_between(since, now))
    application.due_at = shift(application.due_at, since=since, until=now, unit=cal.WORKING_DAY)
    application.legal_due_at = shift(
        application.legal_due_at, since=since, until=now, unit=cal.WORKING_DAY
    )
    refresh_thresholds(application, now=now)
    for task in CaseTask.objects.filter(
        application=application, status__in=ACTIVE_TASK_STATUSES, paused=True
    ):
        # A task a special procedure still holds stays paused.
        if _held_by_special_procedure(application, task):
            continue
        _shift_task(task, since=task.paused_since or since, now=now)
    for participation in ApplicationDepartment.objects.filter(
        application=application, due_at__isnull=False, decided_at__isnull=True
    ):
        participation.due_at = shift(
            participation.due_at,
            since=since,
            until=now,
            unit=participation.time_limit_unit or cal.WORKING_DAY,
        )
        participation.save(update_fields=["due_at"])
    application.paused = False
    application.paused_since = None
    pause = (
        ClockPause.objects.filter(application=application, whole_case=True, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    if pause is not None:
        pause.ended_at = now
        pause.ended_by = actor if getattr(actor, "is_authenticated", False) else None
        pause.working_days = days
        pause.calendar_days = max(0, cal.calendar_days_between(since, now))
        pause.save()
    _event(
        application,
        actor=actor,
        action=action,
        note=note,
        data={
            "paused_working_days": days,
            "due_at": application.due_at.isoformat() if application.due_at else None,
        },
    )
    return pause


def _held_by_special_procedure(application: Application, task: CaseTask) -> bool:
    return any(
        task.pk in (pause.task_ids or [])
        for pause in ClockPause.objects.filter(
            application=application, whole_case=False, ended_at__isnull=True
        )
    )


def clock_pause_special(
    *,
    actor,
    application: Application | int,
    procedure: str,
    tasks: list[CaseTask | int] | None = None,
    note: str = "",
) -> ClockPause:
    """Start a special procedure (第四十五条) on the clocks it concerns: the given tasks of the
    case (default: every open task the actor may act on). The time it takes is not counted."""
    if procedure not in SPECIAL_PROCEDURES:
        raise ClockError(_("Choose one of the special procedures of Article 45."))
    application_id = getattr(application, "pk", application)
    with case_locked(application_id) as app:
        if not access.can_view_application(actor, app):
            raise ClockError(_("Not found."), code="not_found")
        if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
            raise ClockError(_("The case is not being handled."), code="conflict")
        wanted = [getattr(t, "pk", t) for t in (tasks or [])]
        qs = CaseTask.objects.filter(application=app, status__in=ACTIVE_TASK_STATUSES)
        if wanted:
            qs = qs.filter(pk__in=wanted)
        concerned = [t for t in qs if access.can_act_on_task(actor, t)]
        if not concerned or (wanted and len(concerned) != len(set(wanted))):
            raise ClockError(_("You may not pause these tasks."), code="forbidden")
        now = timezone.now()
        ids = [t.pk for t in concerned]
        CaseTask.objects.filter(pk__in=ids, paused=False).update(paused=True, paused_since=now)
        pause = ClockPause.objects.create(
            application=app,
            reason=procedure,
            note=note[:300],
            task_ids=ids,
            whole_case=False,
            started_at=now,
            started_by=actor,
        )
        _event(
            app,
            actor=actor,
            action=EventAction.CLOCK_PAUSED,
            department=concerned[0].department_id,
            note=note or system_note(PauseReason(procedure).label),
            data={"reason": procedure, "pause": pause.pk, "tasks": ids},
        )
    return pause


def clock_resume_special(*, actor, pause: ClockPause | int, note: str = "") -> ClockPause:
    """End a special procedure: its tasks' clocks move on by the paused days (unless the whole
    case is still paused by a supplement, whose resume moves them then)."""
    pause_id = getattr(pause, "pk", pause)
    row = ClockPause.objects.filter(pk=pause_id, whole_case=False).values("application_id").first()
    if row is None:
        raise ClockError(_("Not found."), code="not_found")
    with case_locked(row["application_id"]) as app:
        pause = ClockPause.objects.select_for_update().get(pk=pause_id)
        if pause.ended_at is not None:
            raise ClockError(_("This procedure has already ended."), code="conflict")
        tasks = list(CaseTask.objects.filter(pk__in=pause.task_ids))
        if not any(access.can_act_on_task(actor, t) for t in tasks):
            raise ClockError(_("You may not resume these tasks."), code="forbidden")
        now = timezone.now()
        pause.ended_at = now
        pause.ended_by = actor
        pause.working_days = max(0, cal.working_days_between(pause.started_at, now))
        pause.calendar_days = max(0, cal.calendar_days_between(pause.started_at, now))
        pause.save()
        dues = {}
        for task in tasks:
            if task.status not in ACTIVE_TASK_STATUSES or app.paused:
                continue
            if _held_by_special_procedure(app, task):
                continue
            _shift_task(task, since=task.paused_since or pause.started_at, now=now)
            dues[task.pk] = task.due_at.isoformat() if task.due_at else None
        _event(
            app,
            actor=actor,
            action=EventAction.CLOCK_RESUMED,
            department=tasks[0].department_id if tasks else None,
            note=note or system_note(PauseReason(pause.reason).label),
            data={"reason": pause.reason, "pause": pause.pk, "due_at": dues},
        )
    return pause


# --- Extensions (第四十二条) -----------------------------------------------------------------


def clock_extend(
    *,
    actor,
    application: Application | int,
    kind: str,
    reason: str,
    participation: ApplicationDepartment | int | None = None,
    approver_title: str = "",
) -> ClockExtension:
    """Grant the one extension a limit may get. ``single``: a department's limit + 10 working
    days, approved by that department's head (the actor). ``joint``: a case handled jointly or
    in parallel + 15, approved by the government leader of its level (``approver_title`` names
    them), recorded by the lead department's head (the actor)."""
    reason = (reason or "").strip()
    if not reason:
        raise ClockError(_("State the reason for the extension."))
    if kind not in EXTENSION_DAYS:
        raise ClockError(_("Choose a single-department or a joint extension."))
    application_id = getattr(application, "pk", application)
    with case_locked(application_id) as app:
        if app.status != ApplicationStatus.IN_REVIEW:
            raise ClockError(_("Only a case under review can be extended."), code="conflict")
        days = EXTENSION_DAYS[kind]
        now = timezone.now()
        if kind == ExtensionKind.SINGLE:
            part_id = getattr(participation, "pk", participation)
            part = ApplicationDepartment.objects.filter(pk=part_id, application=app).first()
            if part is None:
                raise ClockError(_("Not found."), code="not_found")
            if not access.is_head(actor, part.department_id):
                raise ClockError(
                    _("Only the head of the department may approve its extension."),
                    code="forbidden",
                )
            if ClockExtension.objects.filter(participation=part, kind=kind).exists():
                raise ClockError(_("This limit has already been extended once."), code="conflict")
            before = part.due_at
            part.due_at = _add(part.due_at, days)
            part.save(update_fields=["due_at"])
            for task in CaseTask.objects.filter(
                # casetask_app: no index by participation
                application_id=part.application_id,
                participation=part,
                status__in=ACTIVE_TASK_STATUSES,
            ):
                task.due_at = _add(task.due_at, days)
                refresh_thresholds(task, now=now)
                task.save(update_fields=["due_at", "yellow_at", "warning"])
            others = ApplicationDepartment.objects.filter(application=app).exclude(
                Q(pk=part.pk) | Q(role=ParticipationRole.LEAD)
            )
            if part.role == ParticipationRole.LEAD and not others.exists():
                # A single-department case: the department's limit is the case's.
                app.due_at = _add(app.due_at, days)
                app.legal_due_at = _add(app.legal_due_at, days)
            after = part.due_at
            department_id = part.department_id
        else:
            if not access.is_head(actor, app.lead_department_id):
                raise ClockError(
                    _("The lead department's head records the government leader's approval."),
                    code="forbidden",
                )
            if not approver_title.strip():
                raise ClockError(_("Name the government leader who approved the extension."))
            # The item's rule (第四十二条): joint for parallel licensing and a core department
            # with consulted departments unless the item says otherwise.
            if version_spec(app.item_version).extension_rule != ExtensionRule.JOINT:
                raise ClockError(
                    _("Only a case handled jointly or in parallel can get this extension.")
                )
            if ClockExtension.objects.filter(application=app, kind=kind).exists():
                raise ClockError(_("This case has already been extended once."), code="conflict")
            before = app.legal_due_at
            app.due_at = _add(app.due_at, days)
            app.legal_due_at = _add(app.legal_due_at, days)
            after = app.legal_due_at
            department_id = app.lead_department_id
            part = None
        refresh_thresholds(app, now=now)
        app.save()
        extension = ClockExtension.objects.create(
            application=app,
            participation=part,
            kind=kind,
            days=days,
            approved_by=actor,
            approver_title=approver_title.strip()[:100],
            reason=reason,
            due_before=before,
            due_after=after,
        )
        _event(
            app,
            actor=actor,
            action=EventAction.CLOCK_EXTENDED,
            department=department_id,
            note=reason,
            data={
                "kind": kind,
                "days": days,
                "extension": extension.pk,
                "approver_title": extension.approver_title,
                "due_before": before.isoformat() if before else None,
                "due_after": after.isoformat() if after else None,
            },
        )
    return extension


def _add(due: datetime | None, days: int) -> datetime | None:
    if due is None:
        return None
    return cal.end_of_day(cal.add_working_days(cal.local_date(due), days))


# --- Time used and left (inbox, task page, progress page, API) -------------------------------


def clock_state(obj: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """What a task's or a case's clock shows: ``status`` (none / paused / green / yellow / red),
    working days ``used`` and ``left`` (negative once overdue), and ``due_at``."""
    due = getattr(obj, "due_at", None)
    if due is None:
        return {"status": "none", "due_at": None, "used": None, "left": None}
    now = now or timezone.now()
    start = getattr(obj, "accepted_at", None) or getattr(obj, "created_at", None)
    paused = bool(getattr(obj, "paused", False))
    moment = (getattr(obj, "paused_since", None) or now) if paused else now
    left = cal.working_days_left(due=due, now=moment, start=start)
    used = cal.working_days_used(start=start, now=moment) if start else None
    if paused:
        status = "paused"
    elif moment > due:
        status = "red"
    else:
        yellow = yellow_threshold(due, clock_unit(obj), start=clock_start(obj))
        status = "yellow" if yellow is not None and moment > yellow else "green"
    return {"status": status, "due_at": due, "used": used, "left": left}


def connect_signals() -> None:
    from django.db.models.signals import pre_save

    pre_save.connect(keep_yellow_at, sender=CaseTask, dispatch_uid="clocks-task-yellow")
    pre_save.connect(keep_yellow_at, sender=Application, dispatch_uid="clocks-case-yellow")
