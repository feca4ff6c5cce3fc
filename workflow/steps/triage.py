"""Triage (分拨) by the coordinating office — the 12345 centre, 信访局, 市府办 …, the item's lead
department — of a process-centred case:

* ``answer``: the office answers directly (即时办结): the case is ``answered``;
* ``deny``: 不予受理 (matters outside the office, petitions not accepted), with the reasons and
  the competent agency: the case is ``not_accepted`` (only before it was dispatched);
* ``dispatch``: to one or more departments, each with its instructions and its limit (the item's
  dispatch catalogue suggests who handles what) and whether it may return the case
  (``may_return``, default true). The case goes ``in_review``; the office stays responsible
  (首接负责) and triages again when a department returns it (改派).

After ``max_returns`` returns (default 2) a dispatch must say ``may_return: false`` — or the
office answers itself. The triage task is due within ``process_limits.triage_limit``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from departments.models import Department
from permits.choices import EventAction
from permits.models import Application, ApplicationStatus, ParticipationStatus
from workflow.deadlines import process_limits
from workflow.deadlines.clocks import yellow_for
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.services.common import _move
from workflow.services.events import event_append
from workflow.steps.acceptance import NotAcceptInput, not_accept
from workflow.steps.base import (
    DecisionInput,
    OpinionRequiredInput,
    Step,
    case_of,
    complete_flow_task,
    decision_serializers,
    finish,
    lead_participation,
    new_task,
)
from workflow.steps.dispatching import new_dispatch_row, returns_count, send_answer
from workflow.steps.registry import register


class AnswerInput(OpinionRequiredInput):
    """``answer``: the office's own answer (即时办结), sent to the citizen."""

    opinion_required_message = gettext_lazy("Write the answer.")


class DispatchDepartmentInput(serializers.Serializer):
    """One department the case is sent to."""

    code = serializers.CharField(max_length=40, help_text=gettext_lazy("The department code."))
    instructions = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    time_limit_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=365,
        default=None,
        help_text=gettext_lazy("Empty: the item's limit for this department."),
    )
    time_limit_unit = serializers.ChoiceField(
        choices=list(process_limits.units()), required=False, allow_blank=True, default=""
    )
    may_return = serializers.BooleanField(required=False, default=True)


class DispatchInput(DecisionInput):
    """``dispatch``: ``departments`` = [{code, instructions, time_limit_days, time_limit_unit,
    may_return}], at least one."""

    departments = DispatchDepartmentInput(many=True, allow_empty=False)

    def validate_departments(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        codes = [str(d["code"]).strip() for d in value]
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError(_("Each department is dispatched once."))
        found = dict(Department.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise serializers.ValidationError(
                _("No such department: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        app = self.application
        if app is not None and app.lead_department_id in found.values():
            raise serializers.ValidationError(
                _("The office handles a matter itself by answering it, not by dispatching it.")
            )
        out = [
            {**d, "code": c, "department_id": found[c]} for d, c in zip(value, codes, strict=True)
        ]
        if app is not None:
            spec = self.spec
            count = returns_count(app)
            if count >= spec.max_returns and any(d["may_return"] for d in out):
                raise serializers.ValidationError(
                    _(
                        "The case was returned %(count)s times: dispatch it with “may not "
                        "return” (may_return false) or answer it yourself."
                    )
                    % {"count": count}
                )
        return out


class TriageStep(Step):
    kind = TaskKind.TRIAGE
    decisions = decision_serializers(
        TaskKind.TRIAGE,
        {
            "dispatch": (gettext_lazy("Dispatch to departments (分拨)"), DispatchInput),
            "answer": (gettext_lazy("Answer directly (即时办结)"), AnswerInput),
            "deny": (gettext_lazy("Do not accept (不予受理)"), NotAcceptInput),
        },
    )

    def open(self, *, activation) -> None:
        app = case_of(activation)
        now = timezone.now()
        if app.due_at is None:
            # The answer is due from the day the matter reached the office.
            app.due_at = process_limits.answer_limit(app).due(app.submitted_at or now)
            app.yellow_at = yellow_for(app)
            app.save()
        new_task(
            app,
            kind=self.kind,
            department_id=app.lead_department_id,
            stage="undertake",
            flow_task=activation.task,
            participation=lead_participation(app),
            due_at=process_limits.triage_limit(app).due(now),
        )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        if decision == "answer":
            send_answer(
                application, task, actor=actor, decision=decision, text=data["opinion"], now=now
            )
        elif decision == "deny":
            self._deny(application, task, actor=actor, data=data, now=now)
        else:
            self._dispatch(application, task, actor=actor, data=data, now=now)

    def _dispatch(self, app, t, *, actor, data, now) -> None:
        before = app.status
        if app.status == ApplicationStatus.SUBMITTED:
            _move(app, ApplicationStatus.IN_REVIEW)
            app.accepted_at = now
            app.save()
            lead = t.participation or lead_participation(app)
            if lead is not None:
                lead.status = ParticipationStatus.IN_REVIEW
                lead.started_at = now
                lead.stage = "undertake"
                lead.due_at = app.due_at
                lead.save()
        sent = []
        for position, entry in enumerate(data["departments"], start=1):
            limit = process_limits.dispatch_limit(app, department_id=entry["department_id"])
            if entry.get("time_limit_days"):
                limit = process_limits.Limit(
                    entry["time_limit_days"], entry.get("time_limit_unit") or limit.unit
                )
            row = new_dispatch_row(
                app,
                department_id=entry["department_id"],
                instructions=entry.get("instructions", ""),
                limit=limit,
                may_return=entry.get("may_return", True),
                position=position,
            )
            sent.append(
                {
                    "code": entry["code"],
                    "participation": row.pk,
                    "time_limit_days": limit.days,
                    "time_limit_unit": limit.unit,
                    "may_return": row.may_return,
                }
            )
        finish(
            t,
            actor=actor,
            decision="dispatch",
            opinion=data.get("opinion", ""),
            now=now,
            result={"departments": sent},
        )
        for entry, item in zip(data["departments"], sent, strict=True):
            # One event per department, in its name: its timeline and its notice.
            event_append(
                application=app,
                actor=actor,
                action=EventAction.DISPATCHED,
                department=entry["department_id"],
                before=before,
                after=app.status,
                note=entry.get("instructions", ""),
                data={"task": t.pk, "kind": t.kind, **item},
            )
        complete_flow_task(t.flow_task_id)

    def _deny(self, app, t, *, actor, data, now) -> None:
        if app.status != ApplicationStatus.SUBMITTED:
            raise Conflict(_("A case already dispatched is answered, not refused."))
        not_accept(app, t, actor=actor, data=data, now=now)


register(TriageStep())
