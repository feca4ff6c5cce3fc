"""A consulted department's opinion (征求意见) in a core-department case: ``approve`` (agrees) or
``deny`` (disagrees), the opinion required either way. A denial does not stop the flow: it is
recorded on the department's row and reaches the core department's decision, which weighs it.

The viewflow task of the ``consultation`` node stands for one round. Opening it opens the
round's consultations — the first department by ``position`` when the item's ``consult_mode``
is ``sequential``, every department at once when ``parallel`` — each with its own limit, unit
and stages (承办 → 审核 → 签发 as successive ``CaseTask`` rows, like a review). When a
department has given its opinion the next one opens (sequential); when every department of the
round has, the viewflow task completes and the decision opens."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from departments.models import Department
from permits.choices import ConsultMode, EventAction, ServiceModel
from permits.models import (
    Application,
    ApplicationDepartment,
    ApplicationStatus,
    ParticipationStatus,
)
from workflow.exceptions import Conflict
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, TaskKind
from workflow.services import consultations
from workflow.services.common import add_time_limit
from workflow.services.locking import locked_flow_task
from workflow.steps.base import (
    OpinionRequiredInput,
    Step,
    advance_stage,
    case_of,
    complete_flow_task,
    decision_serializers,
    finish,
    new_task,
    stage_due,
    task_event,
)
from workflow.steps.registry import register

PLAN_KEY = "consultation"  # the round's plan on the viewflow task (and, pending, the process)


class AgreeInput(OpinionRequiredInput):
    """``approve``: the department agrees; ``opinion`` says on what it agrees."""

    opinion_required_message = gettext_lazy("State the department's opinion.")


class DisagreeInput(OpinionRequiredInput):
    """``deny``: the department disagrees; ``opinion`` = its reasons (they reach the
    decision)."""

    opinion_required_message = gettext_lazy("State the reasons the department disagrees.")


class ConsultationStep(Step):
    kind = TaskKind.CONSULTATION
    decisions = decision_serializers(
        TaskKind.CONSULTATION,
        {
            "approve": (gettext_lazy("Agree (同意)"), AgreeInput),
            "deny": (gettext_lazy("Disagree, with reasons (不同意)"), DisagreeInput),
        },
    )

    def open(self, *, activation) -> None:
        """Plan the round (a pending plan the decision left on the process, else round 1 from
        the item version), keep it on the viewflow task, and open its first consultations."""
        app = case_of(activation)
        process = activation.process
        plan = (process.data or {}).pop(PLAN_KEY, None)
        if plan is not None:
            process.save(update_fields=["data"])
        else:
            plan = consultations.first_round_plan(app)
        activation.task.data = {**(activation.task.data or {}), PLAN_KEY: plan}
        activation.task.save(update_fields=["data"])
        entries = plan["departments"]
        if plan["mode"] == ConsultMode.SEQUENTIAL:
            entries = entries[:1]
        for entry in entries:
            self._open_department(app, plan, entry, flow_task=activation.task)

    def _open_department(self, app: Application, plan: dict, entry: dict, *, flow_task) -> None:
        now = timezone.now()
        row = consultations.create_row(app, plan, entry)
        row.status = ParticipationStatus.IN_REVIEW
        row.stage = (row.stages or ["undertake"])[0]
        row.started_at = now
        if row.time_limit_days:
            row.due_at = add_time_limit(
                start=now, days=row.time_limit_days, unit=row.time_limit_unit or "working_day"
            )
        row.save()
        new_task(
            app,
            kind=self.kind,
            department_id=row.department_id,
            stage=row.stage,
            flow_task=flow_task,
            participation=row,
            due_at=stage_due(row, 0),
        )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status != ApplicationStatus.IN_REVIEW:
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        app, t, opinion = application, task, data.get("opinion", "")
        finish(t, actor=actor, decision=decision, opinion=opinion, now=now)
        if advance_stage(app, t, actor=actor, decision=decision, opinion=opinion):
            return
        row: ApplicationDepartment = t.participation
        agreed = decision == "approve"
        row.status = ParticipationStatus.APPROVED if agreed else ParticipationStatus.DENIED
        row.opinion = opinion
        row.decided_at = now
        row.save(update_fields=["status", "opinion", "decided_at"])
        task_event(
            app,
            t,
            actor=actor,
            action=EventAction.DEPARTMENT_APPROVED if agreed else EventAction.DEPARTMENT_DENIED,
            note=opinion,
            data={"round": row.round, "consultation": True},
        )
        self._next_or_done(app, t)

    def _next_or_done(self, app: Application, t: CaseTask) -> None:
        """Open the next department of a sequential round, or finish the round."""
        from viewflow.workflow.models import Task

        vtask = Task.objects.get(pk=t.flow_task_id)
        plan = (vtask.data or {}).get(PLAN_KEY) or {}
        opened = {
            row.department_id for row in consultations.rows_of_round(app, plan.get("round", 1))
        }
        waiting = [e for e in plan.get("departments", []) if e["department"] not in opened]
        if waiting:
            self._open_department(app, plan, waiting[0], flow_task=vtask)
            return
        if CaseTask.objects.filter(
            application_id=t.application_id,  # casetask_app: no index by flow task
            flow_task_id=t.flow_task_id,
            status__in=ACTIVE_TASK_STATUSES,
        ).exists():
            return  # parallel: other departments of the round are still at work
        complete_flow_task(t.flow_task_id)


register(ConsultationStep())


# --- The core department's ``consult`` decision (asked from its decision task) ----------------


class ConsultAgainInput(OpinionRequiredInput):
    """``consult`` (core-department cases): ``departments`` = the codes of the departments to
    consult (again), ``opinion`` = what they should look at. Opens a new round of
    consultations; the decision opens again after it."""

    opinion_required_message = gettext_lazy("Say what the departments should look at.")
    departments = serializers.ListField(
        child=serializers.CharField(max_length=40), allow_empty=False
    )

    def validate_departments(self, codes: list[str]) -> list[str]:
        codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
        if not codes:
            raise serializers.ValidationError(_("Choose the departments to consult."))
        found = set(Department.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise serializers.ValidationError(
                _("No such department: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        app = self.application
        if app is not None:
            if app.item.service_model != ServiceModel.CORE_DEPARTMENT:
                raise serializers.ValidationError(
                    _("Only a core-department case consults other departments.")
                )
            lead_code = getattr(app.lead_department, "code", None)
            if lead_code in codes:
                raise serializers.ValidationError(_("The core department does not consult itself."))
        return codes


def request_consultation(app: Application, t: CaseTask, *, actor, data: dict, now) -> None:
    """The decision task ends with ``consult``: the next round's plan waits on the process, the
    graph goes back to the consultation node (its ``open`` starts the round), and the decision
    opens again once the round is over."""
    from viewflow.workflow.models import Task

    codes, note = data["departments"], data.get("opinion", "")
    by_code = {d.code: d for d in Department.objects.filter(code__in=codes)}
    plan = consultations.again_plan(app, [by_code[c] for c in codes], note=note)
    finish(t, actor=actor, decision="consult", opinion=note, now=now, result={"departments": codes})
    task_event(
        app,
        t,
        actor=actor,
        action=EventAction.CONSULTATION_REQUESTED,
        note=note,
        data={"departments": codes, "round": plan["round"]},
    )
    # The plan goes on the process object the flow's nodes will read: the one the locked task
    # read carried (``complete_flow_task`` takes it from there), else a fresh one.
    locked = locked_flow_task(t.flow_task_id)
    if locked is not None:
        process = locked.process.caseprocess
    else:
        process = Task.objects.select_related("process").get(pk=t.flow_task_id).process
    process.data = {**(process.data or {}), PLAN_KEY: plan}
    process.save(update_fields=["data"])
    complete_flow_task(t.flow_task_id)
