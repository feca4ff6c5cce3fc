"""The one service that moves cases (DESIGN.md §2). Portal pages, back-office pages, window
intake and the API all call these functions, so a case behaves the same whichever door it came
in by.

Every function:

* takes the acting user explicitly (keyword-only arguments) and asks ``departments.access``
  whether they may act; a case, task or material they may not see answers ``NotFound``;
* runs in one transaction; a case that already has a process is locked in one order
  everywhere — the viewflow process row first (blocking ``SELECT … FOR UPDATE`` bounded by the
  database's ``lock_timeout``), then the application row — so concurrent writers wait and
  exactly one wins; the loser sees the new state and gets ``Conflict`` (409);
* appends an ``Event`` (actor, department, status before/after) for every change;
* sends side effects only after commit (``transaction.on_commit``): the
  ``workflow.signals.case_changed`` signal, which notifications and other listeners use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from departments import access
from permits.models import (
    Application,
    ApplicationDepartment,
    Certificate,
    Decision,
    Material,
    ParticipationRole,
    SupplementNotice,
)
from workflow.exceptions import Conflict, Forbidden, Invalid, NotFound
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, TaskKind, TaskStatus
from workflow.services.applications import (  # noqa: F401 - re-exported for callers
    HANDOVER_METHODS,
    _create_participations,
    _enterprise_from_dict,
    _person_from_dict,
    application_create,
    application_handover,
    application_submit,
    application_update_form,
    application_withdraw,
)
from workflow.services.common import (  # noqa: F401 - re-exported for callers
    ACCEPTANCE_DAYS,
    REMEDY_NOTICE,
    SUPPORTED_MODELS,
    TASK_DECISIONS,
    P,
    S,
    _applicant_side_or_404,
    _assert_item_accepting,
    _event,
    _form_clean,
    _move,
    _pause_clocks,
    _resume_clocks,
    _spec,
    _visible_or_404,
    add_time_limit,
    item_applies_online,
)
from workflow.services.idempotency import body_hash  # noqa: F401 - re-exported for callers
from workflow.services.locking import case_locked, locked_application
from workflow.services.materials import (  # noqa: F401 - re-exported for callers
    material_delete,
    material_replace,
    material_upload,
    missing_materials,
)
from workflow.spec import VersionSpec

_case_locked = case_locked
_locked_application = locked_application


# ---------------------------------------------------------------------------------------------
# Opening steps (called by the flow nodes)


def _stage_due(participation: ApplicationDepartment, index: int) -> datetime | None:
    """Each stage of a department gets its share of the department's limit; the last stage is
    due when the department is."""
    days = participation.time_limit_days
    if not days or participation.started_at is None:
        return None
    stages = participation.stages or ["undertake"]
    share = max(1, math.ceil(days * (index + 1) / len(stages)))
    return add_time_limit(
        start=participation.started_at,
        days=min(share, days),
        unit=participation.time_limit_unit or "working_day",
    )


def _new_task(
    app: Application,
    *,
    kind: str,
    department_id: int,
    stage: str,
    flow_task=None,
    participation: ApplicationDepartment | None = None,
    due_at: datetime | None = None,
) -> CaseTask:
    return CaseTask.objects.create(
        kind=kind,
        stage=stage,
        application=app,
        department_id=department_id,
        participation=participation,
        item_id=app.item_id,
        region_id=app.region_id,
        round=participation.round if participation else 1,
        paused=app.paused,
        paused_since=app.paused_since if app.paused else None,
        # A department's review runs in its own unit; every other step in working days.
        time_limit_unit=(
            (participation.time_limit_unit or "working_day")
            if participation is not None and kind == TaskKind.REVIEW
            else "working_day"
        ),
        due_at=due_at,
        flow_task_id=getattr(flow_task, "pk", flow_task),
    )


def _lead_participation(app: Application) -> ApplicationDepartment | None:
    return (
        ApplicationDepartment.objects.filter(application=app, role=ParticipationRole.LEAD)
        .order_by("-round")
        .first()
    )


def open_step(*, activation, kind: str) -> None:
    """Create the ``CaseTask`` row(s) of a flow step that just opened."""
    app = Application.objects.select_related("item", "item_version").get(
        pk=activation.process.application_id
    )
    vtask = activation.task
    lead = _lead_participation(app)
    lead_stages = (lead.stages if lead else None) or ["undertake"]
    now = timezone.now()
    if kind == TaskKind.ACCEPTANCE:
        _new_task(
            app,
            kind=kind,
            department_id=app.lead_department_id,
            stage="undertake",
            flow_task=vtask,
            participation=lead,
            due_at=add_time_limit(start=app.submitted_at or now, days=ACCEPTANCE_DAYS),
        )
    elif kind == TaskKind.REVIEW:
        participation = ApplicationDepartment.objects.get(pk=vtask.data["participation"])
        participation.status = P.IN_REVIEW
        participation.stage = (participation.stages or ["undertake"])[0]
        participation.started_at = now
        if participation.time_limit_days:
            participation.due_at = add_time_limit(
                start=now,
                days=participation.time_limit_days,
                unit=participation.time_limit_unit or "working_day",
            )
        participation.save()
        _new_task(
            app,
            kind=kind,
            department_id=participation.department_id,
            stage=participation.stage,
            flow_task=vtask,
            participation=participation,
            due_at=_stage_due(participation, 0),
        )
    elif kind == TaskKind.INSPECTION:
        _new_task(
            app,
            kind=kind,
            department_id=app.lead_department_id,
            stage="undertake",
            flow_task=vtask,
            participation=lead,
            due_at=app.due_at,
        )
        _event(
            app,
            actor=None,
            action="inspection_needed",
            department=app.lead_department_id,
            before=app.status,
            after=app.status,
            note=_("An on-site inspection is needed before the decision."),
        )
    elif kind == TaskKind.DECISION:
        _new_task(
            app,
            kind=kind,
            department_id=app.lead_department_id,
            stage=lead_stages[-1],
            flow_task=vtask,
            participation=lead,
            due_at=app.due_at,
        )
    else:  # pragma: no cover - a node kind without an opener is a wiring error
        raise ValueError(f"no opener for {kind}")


def review_task_data(*, application: Application) -> list[dict]:
    """One review per participating department (the Split's data source)."""
    rows = ApplicationDepartment.objects.filter(
        application=application, role=ParticipationRole.PARALLEL, round=1
    ).order_by("position", "pk")
    return [{"participation": row.pk, "department": row.department_id} for row in rows]


def notify_departments(*, application: Application) -> None:
    """The online notice to every participating department (one event per department)."""
    rows = ApplicationDepartment.objects.filter(
        application=application, role=ParticipationRole.PARALLEL
    ).select_related("department")
    for row in rows:
        _event(
            application,
            actor=None,
            action="department_notified",
            department=row.department_id,
            before=application.status,
            after=application.status,
            note=_("The case was shared with %(department)s for parallel review.")
            % {"department": row.department.name},
        )


# ---------------------------------------------------------------------------------------------
# Tasks


def _locked_task(task_id: int) -> CaseTask:
    """Inside ``_case_locked``: the task as it is now."""
    return CaseTask.objects.select_related("department", "participation").get(pk=task_id)


@contextmanager
def _task_locked(task: CaseTask | int, actor):
    task_id = getattr(task, "pk", task)
    row = CaseTask.objects.filter(pk=task_id).values("application_id").first()
    if row is None:
        raise NotFound()
    if not access.task_visible(actor, task_id):
        raise NotFound()
    with _case_locked(row["application_id"]) as app:
        yield app, _locked_task(task_id)


def _task_event(app, task, *, actor, action, note="", data=None, before="", after=""):
    return _event(
        app,
        actor=actor,
        action=action,
        department=task.department_id,
        before=before or app.status,
        after=after or app.status,
        note=note,
        data={"task": task.pk, "kind": task.kind, "stage": task.stage, **(data or {})},
    )


def task_claim(*, task: CaseTask | int, actor) -> CaseTask:
    """Take an open task of one's own department at one's own stage. Claiming a task one already
    holds is a no-op; a task held by someone else, or no longer open, is a ``Conflict``."""
    with _task_locked(task, actor) as (app, t):
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
        _task_event(app, t, actor=actor, action="task_claimed")
    return t


def task_release(*, task: CaseTask | int, actor) -> CaseTask:
    """Give a task back to the department's queue: the holder, or the department's head."""
    with _task_locked(task, actor) as (app, t):
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
        _task_event(app, t, actor=actor, action="task_released")
    return t


def task_reassign(*, task: CaseTask | int, actor, user) -> CaseTask:
    """A department head gives an open or held task to a colleague who may act at its stage."""
    with _task_locked(task, actor) as (app, t):
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
        _task_event(
            app,
            t,
            actor=actor,
            action="task_reassigned",
            data={"from": previous, "to": user.pk},
        )
    return t


def _require_opinion(opinion: str, message: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion:
        raise Invalid(fields={"opinion": [message]})
    return opinion


def _parse_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value or "")) if value else None
    if parsed is None:
        raise Invalid(fields={field: [_("Enter a valid date (YYYY-MM-DD).")]})
    return parsed


def _clean_missing(app: Application, spec: VersionSpec, raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise Invalid(fields={"missing": [_("List what the applicant must add or correct.")]})
    material_ids = set(Material.objects.filter(application=app).values_list("pk", flat=True))
    cleaned, errors = [], []
    for entry in raw:
        if not isinstance(entry, Mapping):
            errors.append(_("Each entry is an object with requirement, material and note."))
            continue
        requirement = entry.get("requirement")
        material = entry.get("material")
        note = str(entry.get("note") or "").strip()
        if requirement is not None and spec.material(requirement) is None:
            errors.append(_("No such material requirement: %(id)s.") % {"id": requirement})
            continue
        if material is not None:
            try:
                material = int(material)
            except (TypeError, ValueError):
                material = -1
            if material not in material_ids:
                errors.append(_("No such material in this case: %(id)s.") % {"id": material})
                continue
        if requirement is None and material is None and not note:
            errors.append(_("Say what is missing: a requirement, a material or a note."))
            continue
        cleaned.append(
            {
                "requirement": int(requirement) if requirement is not None else None,
                "material": material,
                "note": note,
            }
        )
    if errors:
        raise Invalid(fields={"missing": errors})
    return cleaned


def _complete_flow_task(vtask_id: int | None) -> None:
    """Finish the viewflow task of a step and let the graph move on (join, gateways, next
    step). Runs under the case lock already held."""
    if vtask_id is None:
        return
    from viewflow.workflow.models import Task

    vtask = Task.objects.get(pk=vtask_id)
    activation = vtask.flow_task.activation_class(vtask)
    activation.run(None)
    activation.execute()


def task_complete(
    *,
    task: CaseTask | int,
    actor,
    decision: str,
    opinion: str = "",
    **fields: Any,
) -> CaseTask:
    """Complete a task with a decision, validated per kind exactly as API.md's task table says.

    Claims the task implicitly when it is open and the actor may act on it; a task held by
    someone else or no longer open is a ``Conflict``; a task waiting for the applicant's
    supplement is a ``Conflict`` until the applicant answers.
    """
    with _task_locked(task, actor) as (app, t):
        if not access.can_act_on_task(actor, t):
            raise Forbidden()
        if t.status not in ACTIVE_TASK_STATUSES:
            raise Conflict()
        if t.status == TaskStatus.ASSIGNED and t.assignee_id != actor.pk:
            raise Conflict()
        if t.awaiting_applicant:
            raise Conflict(_("This task waits for the applicant's supplement."))
        allowed = TASK_DECISIONS.get(t.kind, frozenset())
        if decision not in allowed:
            raise Invalid(
                fields={
                    "decision": [
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(sorted(allowed))}
                    ]
                }
            )
        handler = _COMPLETERS.get(t.kind)
        if handler is None:
            raise Invalid(fields={"decision": [_("This kind of task cannot be completed here.")]})
        now = timezone.now()
        if t.status == TaskStatus.OPEN:
            t.assignee = actor
            t.claimed_at = now
            t.status = TaskStatus.ASSIGNED
        handler(app, t, actor=actor, decision=decision, opinion=opinion or "", now=now, **fields)
    return t


def _finish(t: CaseTask, *, actor, decision: str, opinion: str, now: datetime, result=None):
    t.status = TaskStatus.DONE
    t.decision = decision
    t.opinion = opinion
    t.completed_at = now
    t.completed_by = actor
    t.result = dict(result or {})
    t.save()


def _request_supplement(
    app: Application, t: CaseTask, *, actor, missing: list[dict], opinion: str, now: datetime
) -> None:
    """Record a supplement request. The first request moves the case to ``supplement`` with a
    new notice and pauses every clock; requests made while that notice is unanswered are merged
    into it (一次性告知: the applicant gets one complete list)."""
    requests = [
        {**m, "department": t.department.code, "task": t.pk, "stage": t.stage} for m in missing
    ]
    notice = app.supplement_notices.filter(answered_at__isnull=True).first()
    if app.status == S.SUPPLEMENT and notice is not None:
        notice.requests = [*notice.requests, *requests]
        notice.save(update_fields=["requests"])
        merged = True
        before = app.status
    else:
        if app.status not in (S.SUBMITTED, S.IN_REVIEW):
            raise Conflict()
        resume = app.status
        before = _move(app, S.SUPPLEMENT)
        app.resume_status = resume
        notice = SupplementNotice.objects.create(
            application=app, requests=requests, requested_at=now, resume_status=resume
        )
        merged = False
        _pause_clocks(app, actor=actor, now=now, note=_("Waiting for the applicant's supplement."))
        app.save()
    t.awaiting_applicant = True
    t.paused = True
    t.result = {**(t.result or {}), "missing": missing}
    t.opinion = opinion
    t.save(
        update_fields=[
            "awaiting_applicant",
            "paused",
            "result",
            "opinion",
            "status",
            "assignee",
            "claimed_at",
        ]
    )
    if t.participation_id and t.kind == TaskKind.REVIEW:
        ApplicationDepartment.objects.filter(pk=t.participation_id).update(status=P.SUPPLEMENT)
    _task_event(
        app,
        t,
        actor=actor,
        action="supplement_requested",
        before=before,
        after=app.status,
        note=opinion,
        data={"notice": notice.pk, "merged": merged, "missing": missing},
    )


def _complete_acceptance(app, t, *, actor, decision, opinion, now, **fields):
    spec = _spec(app)
    if app.status != S.SUBMITTED:
        raise Conflict()
    lead = t.participation
    if decision == "supplement":
        missing = _clean_missing(app, spec, fields.get("missing"))
        _request_supplement(app, t, actor=actor, missing=missing, opinion=opinion, now=now)
        return
    if decision == "approve":
        tolerated = fields.get("tolerated") or []
        if not isinstance(tolerated, list):
            raise Invalid(fields={"tolerated": [_("A list of requirement ids.")]})
        bad = [r for r in tolerated if (spec.material(r) is None or not spec.material(r).tolerable)]
        if bad:
            raise Invalid(
                fields={"tolerated": [_("Only tolerable materials can be accepted as missing.")]}
            )
        deadline = None
        if tolerated:
            deadline = _parse_date(fields.get("tolerance_deadline"), "tolerance_deadline")
        before = _move(app, S.IN_REVIEW)
        app.accepted_at = now
        app.tolerated = [int(r) for r in tolerated]
        app.tolerance_deadline = deadline
        # The case clock (workflow.clocks): dated back to the submission when no supplement
        # notice was given within the 5 working days of acceptance (第三十二条).
        from workflow import clocks

        clocks.start_case_clock(
            app,
            accepted_at=now,
            promised_days=spec.promised_days,
            legal_days=spec.legal_days,
            actor=actor,
        )
        app.save()
        if lead is not None:
            lead.status = P.IN_REVIEW
            lead.started_at = now
            lead.stage = (lead.stages or ["undertake"])[0]
            lead.due_at = app.due_at
            lead.save()
        _finish(
            t,
            actor=actor,
            decision=decision,
            opinion=opinion,
            now=now,
            result={
                "tolerated": app.tolerated,
                "tolerance_deadline": deadline.isoformat() if deadline else None,
            },
        )
        _task_event(
            app,
            t,
            actor=actor,
            action="accepted",
            before=before,
            after=app.status,
            note=opinion,
            data={"tolerated": app.tolerated},
        )
        _complete_flow_task(t.flow_task_id)
        return
    # deny: 不予受理, with reasons and, where it belongs elsewhere, the competent agency.
    reasons = _require_opinion(opinion, _("State the reasons for not accepting the case."))
    agency = str(fields.get("competent_agency") or "").strip()
    before = _move(app, S.NOT_ACCEPTED)
    app.not_accepted_reasons = reasons
    app.competent_agency = agency
    app.decided_at = now
    app.save()
    if lead is not None:
        lead.status = P.DENIED
        lead.opinion = reasons
        lead.decided_at = now
        lead.save()
    _finish(
        t,
        actor=actor,
        decision=decision,
        opinion=reasons,
        now=now,
        result={"competent_agency": agency},
    )
    _task_event(
        app,
        t,
        actor=actor,
        action="not_accepted",
        before=before,
        after=app.status,
        note=not_accepted_notice(app),
        data={"competent_agency": agency},
    )
    _complete_flow_task(t.flow_task_id)


def _complete_review(app, t, *, actor, decision, opinion, now, **fields):
    if app.status not in (S.IN_REVIEW, S.SUPPLEMENT):
        raise Conflict()
    participation = t.participation
    if decision == "supplement":
        missing = _clean_missing(app, _spec(app), fields.get("missing"))
        _request_supplement(app, t, actor=actor, missing=missing, opinion=opinion, now=now)
        return
    if decision == "deny":
        opinion = _require_opinion(opinion, _("State the reasons for the denial."))
    _finish(t, actor=actor, decision=decision, opinion=opinion, now=now)
    stages = participation.stages or ["undertake"]
    index = stages.index(t.stage) if t.stage in stages else len(stages) - 1
    if decision == "approve" and index + 1 < len(stages):
        participation.stage = stages[index + 1]
        participation.save(update_fields=["stage"])
        _task_event(app, t, actor=actor, action="stage_approved", note=opinion)
        _new_task(
            app,
            kind=TaskKind.REVIEW,
            department_id=t.department_id,
            stage=participation.stage,
            flow_task=t.flow_task_id,
            participation=participation,
            due_at=_stage_due(participation, index + 1),
        )
        return
    participation.status = P.APPROVED if decision == "approve" else P.DENIED
    participation.opinion = opinion
    participation.decided_at = now
    participation.save(update_fields=["status", "opinion", "decided_at"])
    _task_event(
        app,
        t,
        actor=actor,
        action="department_approved" if decision == "approve" else "department_denied",
        note=opinion,
    )
    _complete_flow_task(t.flow_task_id)


def review_deemed_approve(*, task: CaseTask | int, opinion: str) -> bool:
    """逾期视为同意: the system completes an overdue department review with the deemed-approval
    opinion, so the join goes on. Called only by the deadline sweep's follow-up
    (``workflow.deadlines``), after it checked the item department's timeout policy and that
    the item allows it; no person acts, so no access check applies. Takes the case lock like
    every writer (process, then application). Returns False, changing nothing, when the task
    is no longer open, waits for the applicant, or the case's clocks are paused."""
    task_id = getattr(task, "pk", task)
    row = CaseTask.objects.filter(pk=task_id).values("application_id").first()
    if row is None:
        return False
    with _case_locked(row["application_id"]) as app:
        t = _locked_task(task_id)
        if (
            t.status not in ACTIVE_TASK_STATUSES
            or t.kind != TaskKind.REVIEW
            or t.awaiting_applicant
            or t.paused
            or app.paused
            or app.status != S.IN_REVIEW
            or t.participation is None
        ):
            return False
        now = timezone.now()
        participation = t.participation
        _finish(t, actor=None, decision="approve", opinion=opinion, now=now)
        participation.status = P.DEEMED_APPROVED
        participation.opinion = opinion
        participation.decided_at = now
        participation.save(update_fields=["status", "opinion", "decided_at"])
        _task_event(
            app,
            t,
            actor=None,
            action="department_deemed_approved",
            note=opinion,
            data={"deemed": True},
        )
        _complete_flow_task(t.flow_task_id)
    return True


def _complete_inspection(app, t, *, actor, decision, opinion, now, **fields):
    if app.status != S.IN_REVIEW:
        raise Conflict()
    errors: dict[str, list[str]] = {}
    try:
        inspected_on = _parse_date(fields.get("inspected_on"), "inspected_on")
    except Invalid as exc:
        errors.update(exc.fields)
        inspected_on = None
    inspectors = fields.get("inspectors")
    if not isinstance(inspectors, list) or not [i for i in inspectors if str(i).strip()]:
        errors["inspectors"] = [_("Name the inspectors.")]
    findings = str(fields.get("findings") or "").strip()
    if not findings:
        errors["findings"] = [_("Record the findings.")]
    if errors:
        raise Invalid(fields=errors)
    result = {
        "inspected_on": inspected_on.isoformat(),
        "inspectors": [str(i).strip() for i in inspectors if str(i).strip()],
        "findings": findings,
        "passed": decision == "pass",
    }
    _finish(t, actor=actor, decision=decision, opinion=opinion or findings, now=now, result=result)
    _task_event(
        app,
        t,
        actor=actor,
        action="inspection_passed" if decision == "pass" else "inspection_failed",
        note=findings,
        data=result,
    )
    _complete_flow_task(t.flow_task_id)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _issue_certificate(app: Application, spec: VersionSpec, now: datetime) -> Certificate:
    months = spec.result_validity_months
    valid_until = _add_months(timezone.localdate(now), months) if months else None
    if app.applicant_enterprise_id:
        holder = app.applicant_enterprise.name
        identifier = app.applicant_enterprise.credit_code
    else:
        holder = app.applicant_person.real_name if app.applicant_person_id else ""
        identifier = app.applicant_person.id_number if app.applicant_person_id else ""
    return Certificate.objects.create(
        number="YFZ" + app.number[2:],
        type=spec.result_name or app.item.name,
        application=app,
        holder_name=holder,
        holder_identifier=identifier,
        issuer_id=app.lead_department_id,
        issued_at=now,
        valid_until=valid_until,
    )


def _complete_decision(app, t, *, actor, decision, opinion, now, **fields):
    if app.status != S.IN_REVIEW:
        raise Conflict()
    if decision == "consult":
        raise Invalid(
            fields={"decision": [_("Consulting again is for core-department items only.")]}
        )
    spec = _spec(app)
    lead = t.participation
    if decision == "approve":
        before = _move(app, S.APPROVED)
        app.decision = Decision.APPROVED
        app.decision_opinion = opinion
    else:
        reasons = _require_opinion(opinion, _("State the reasons for the denial."))
        before = _move(app, S.DENIED)
        app.decision = Decision.DENIED
        app.decision_opinion = reasons
    app.decided_at = now
    app.save()
    if lead is not None:
        lead.status = P.APPROVED if decision == "approve" else P.DENIED
        lead.opinion = app.decision_opinion
        lead.decided_at = now
        lead.save()
    result: dict[str, Any] = {}
    if decision == "approve":
        certificate = _issue_certificate(app, spec, now)
        result["certificate_number"] = certificate.number
        note = _("Approved; certificate %(number)s issued.") % {"number": certificate.number}
        action = "approved"
    else:
        note = denial_notice(app)
        action = "denied"
    _finish(t, actor=actor, decision=decision, opinion=app.decision_opinion, now=now, result=result)
    _task_event(
        app, t, actor=actor, action=action, before=before, after=app.status, note=note, data=result
    )
    _complete_flow_task(t.flow_task_id)


_COMPLETERS = {
    TaskKind.ACCEPTANCE: _complete_acceptance,
    TaskKind.REVIEW: _complete_review,
    TaskKind.INSPECTION: _complete_inspection,
    TaskKind.DECISION: _complete_decision,
}


# ---------------------------------------------------------------------------------------------
# Notices


def denial_notice(app: Application) -> str:
    """不予许可 (第三十八条): the reasons, every department's opinion, and the remedy."""
    lines = [
        f"不予许可决定：{app.item.name}（办件编号 {app.number}）。",
        f"理由：{app.decision_opinion}",
    ]
    denied = ApplicationDepartment.objects.filter(
        application=app, status=P.DENIED, role=ParticipationRole.PARALLEL
    ).select_related("department")
    for row in denied:
        lines.append(f"{row.department.name}意见：{row.opinion}")
    lines.append(REMEDY_NOTICE)
    return "\n".join(lines)


def not_accepted_notice(app: Application) -> str:
    """不予受理 (第三十二条): the reasons, the competent agency where it belongs elsewhere, the
    remedy."""
    lines = [
        f"不予受理通知：{app.item.name}（办件编号 {app.number}）。",
        f"理由：{app.not_accepted_reasons}",
    ]
    if app.competent_agency:
        lines.append(f"该事项不属于本机关职权范围，请向{app.competent_agency}申请。")
    lines.append(REMEDY_NOTICE)
    return "\n".join(lines)


def department_reasons(app: Application) -> list[dict]:
    """Every department's status and opinion (what the lead sees at the decision)."""
    return [
        {"department": row.department.name, "status": row.status, "opinion": row.opinion}
        for row in app.participations.select_related("department")
    ]
