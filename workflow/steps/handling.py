"""Handling (承办) by each department the coordinating office dispatched a process-centred case
to: one viewflow ``handling`` task holds one ``CaseTask`` per department dispatched in that
round; it completes when every one of them replied or returned.

* ``reply``: the department's answer (``opinion`` required), and for joint annual inspections
  and online declarations its ``outcome`` (``passed``/``failed``), which the consolidated
  answer carries;
* ``return`` (退回): the matter is not the department's (``opinion`` = reasons), within
  ``return_window_days`` working days of the dispatch (default 2, Shandong's rules) and only
  when the office allowed it (``may_return``); otherwise 409 ``conflict``.

Afterwards the flow goes back to triage when a department returned the case (the office
re-dispatches it, 改派, or answers itself), and to the reply review otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from permits.choices import EventAction
from permits.models import (
    Application,
    ApplicationDepartment,
    ApplicationStatus,
    ParticipationRole,
    ParticipationStatus,
)
from workflow.deadlines import calendar as cal
from workflow.deadlines.process_limits import Limit
from workflow.exceptions import Conflict
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, TaskKind
from workflow.spec import version_spec
from workflow.steps.base import (
    OpinionRequiredInput,
    Step,
    case_of,
    complete_flow_task,
    decision_serializers,
    finish,
    new_task,
    task_event,
)
from workflow.steps.dispatching import OUTCOMES
from workflow.steps.registry import register


class ReplyInput(OpinionRequiredInput):
    """``reply``: the department's answer; ``outcome`` in joint annual inspections."""

    opinion_required_message = gettext_lazy("Write the department's reply.")
    outcome = serializers.ChoiceField(
        choices=list(OUTCOMES),
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Joint annual inspections and online declarations: required."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec
        if spec is not None and spec.joint_result and not attrs.get("outcome"):
            raise serializers.ValidationError(
                {"outcome": _("State the department's result: passed or failed.")}
            )
        if spec is not None and not spec.joint_result:
            attrs["outcome"] = ""
        return attrs


class ReturnInput(OpinionRequiredInput):
    """``return``: the reasons why the matter is not the department's."""

    opinion_required_message = gettext_lazy("State why the department returns the case.")


def return_deadline(participation: ApplicationDepartment, days: int) -> datetime | None:
    """Until when the department may return the case: ``days`` working days after the
    dispatch reached it."""
    if participation.started_at is None:
        return None
    return cal.add_time_limit(start=participation.started_at, days=days)


class HandlingStep(Step):
    kind = TaskKind.HANDLING
    decisions = decision_serializers(
        TaskKind.HANDLING,
        {
            "reply": (gettext_lazy("Reply"), ReplyInput),
            "return": (gettext_lazy("Return to the office (退回)"), ReturnInput),
        },
    )

    def open(self, *, activation) -> None:
        """Every department dispatched and not yet at work gets its task, due at its limit."""
        app = case_of(activation)
        now = timezone.now()
        rows = ApplicationDepartment.objects.filter(
            application=app,
            role=ParticipationRole.DISPATCHED,
            status=ParticipationStatus.WAITING,
        ).order_by("position", "pk")
        for row in rows:
            limit = Limit(row.time_limit_days or 1, row.time_limit_unit or cal.WORKING_DAY)
            row.status = ParticipationStatus.IN_REVIEW
            row.stage = "undertake"
            row.started_at = now
            row.due_at = limit.due(now)
            row.save()
            task = new_task(
                app,
                kind=self.kind,
                department_id=row.department_id,
                stage="undertake",
                flow_task=activation.task,
                participation=row,
                due_at=row.due_at,
            )
            if task.time_limit_unit != limit.unit:
                task.time_limit_unit = limit.unit
                task.save()

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status != ApplicationStatus.IN_REVIEW:
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        app, t, opinion = application, task, data["opinion"]
        row = t.participation
        if decision == "return":
            self._check_return(app, row, now)
            row.status = ParticipationStatus.RETURNED
            action = EventAction.DEPARTMENT_RETURNED
            result: dict[str, Any] = {}
        else:
            row.status = ParticipationStatus.REPLIED
            row.outcome = data.get("outcome", "")
            action = EventAction.DEPARTMENT_REPLIED
            result = {"outcome": row.outcome} if row.outcome else {}
        row.opinion = opinion
        row.decided_at = now
        row.save(update_fields=["status", "opinion", "outcome", "decided_at"])
        finish(t, actor=actor, decision=decision, opinion=opinion, now=now, result=result)
        task_event(app, t, actor=actor, action=action, note=opinion, data=result)
        still_open = CaseTask.objects.filter(
            application_id=t.application_id,  # casetask_app: no index by flow task
            flow_task_id=t.flow_task_id,
            status__in=ACTIVE_TASK_STATUSES,
        ).exists()
        if not still_open:
            complete_flow_task(t.flow_task_id)

    def _check_return(self, app: Application, row: ApplicationDepartment, now: datetime) -> None:
        if not row.may_return:
            raise Conflict(_("The office dispatched this case as not returnable: reply to it."))
        days = version_spec(app.item_version).return_window_days
        deadline = return_deadline(row, days)
        if deadline is not None and now > deadline:
            raise Conflict(
                _(
                    "A case can be returned only within %(days)s working days of its "
                    "dispatch: reply to it."
                )
                % {"days": days}
            )


register(HandlingStep())
