"""Reply review (答复审核) by the coordinating office once every dispatched department replied:

* ``approve``: send the ONE consolidated answer (``opinion``; left empty, it is composed from
  every department's reply, each department's part named). The case is ``answered``; a joint
  annual inspection's answer carries each department's outcome and the overall one;
* ``deny``: back to named departments (``departments`` = [codes], ``opinion`` = what to do
  again): each gets a new row and a new handling task; the earlier replies stay visible.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from permits.choices import EventAction
from permits.models import Application, ApplicationStatus, ParticipationStatus
from workflow.deadlines import process_limits
from workflow.deadlines.process_limits import Limit
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.services.events import event_append
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
from workflow.steps.dispatching import (
    answer_parts,
    composed_answer,
    dispatched_rows,
    new_dispatch_row,
    overall_outcome,
    send_answer,
)
from workflow.steps.registry import register


class SendAnswerInput(DecisionInput):
    """``approve``: the consolidated answer (empty: composed from the departments' replies)."""


class SendBackInput(OpinionRequiredInput):
    """``deny``: ``departments`` = [codes] of dispatched departments to handle it again."""

    opinion_required_message = gettext_lazy("Say what the departments should do again.")
    departments = serializers.ListField(
        child=serializers.CharField(max_length=40), allow_empty=False
    )

    def validate_departments(self, value: list[str]) -> list[str]:
        codes = list(dict.fromkeys(str(c).strip() for c in value))
        app = self.application
        if app is not None:
            replied = {
                r.department.code
                for r in dispatched_rows(app)
                if r.status == ParticipationStatus.REPLIED
            }
            foreign = [c for c in codes if c not in replied]
            if foreign:
                raise serializers.ValidationError(
                    _("Only departments that replied can be asked again: %(codes)s.")
                    % {"codes": ", ".join(foreign)}
                )
        return codes


class ReplyReviewStep(Step):
    kind = TaskKind.REPLY_REVIEW
    decisions = decision_serializers(
        TaskKind.REPLY_REVIEW,
        {
            "approve": (gettext_lazy("Send the consolidated answer"), SendAnswerInput),
            "deny": (gettext_lazy("Back to departments"), SendBackInput),
        },
    )

    def open(self, *, activation) -> None:
        app = case_of(activation)
        new_task(
            app,
            kind=self.kind,
            department_id=app.lead_department_id,
            stage="undertake",
            flow_task=activation.task,
            participation=lead_participation(app),
            due_at=process_limits.review_limit(app).due(timezone.now()),
        )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status != ApplicationStatus.IN_REVIEW:
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        app, t = application, task
        rows = dispatched_rows(app)
        if decision == "approve":
            parts = answer_parts(rows)
            text = (data.get("opinion") or "").strip() or composed_answer(parts)
            result: dict[str, Any] = {"parts": parts}
            outcome = overall_outcome(parts)
            if outcome:
                result["outcome"] = outcome
            send_answer(app, t, actor=actor, decision=decision, text=text, now=now, result=result)
            return
        latest = {}
        for row in rows:
            latest[row.department.code] = row
        sent = []
        for position, code in enumerate(data["departments"], start=1):
            previous = latest[code]
            row = new_dispatch_row(
                app,
                department_id=previous.department_id,
                instructions=data["opinion"],
                limit=Limit(previous.time_limit_days or 1, previous.time_limit_unit),
                may_return=False,
                position=position,
            )
            sent.append({"code": code, "participation": row.pk})
            event_append(
                application=app,
                actor=actor,
                action=EventAction.SENT_BACK,
                department=row.department_id,
                before=app.status,
                after=app.status,
                note=data["opinion"],
                data={"task": t.pk, "kind": t.kind, "code": code, "participation": row.pk},
            )
        finish(
            t,
            actor=actor,
            decision=decision,
            opinion=data["opinion"],
            now=now,
            result={"departments": sent},
        )
        complete_flow_task(t.flow_task_id)


register(ReplyReviewStep())
