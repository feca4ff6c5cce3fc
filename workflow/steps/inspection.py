"""On-site inspection (现场核查) by the lead department, where the item requires it: ``pass`` or
``fail`` with the date, the inspectors and the findings. It records; the decision follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from rest_framework import serializers

from permits.choices import EventAction
from permits.event_notes import system_note
from permits.models import Application, ApplicationStatus
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.services.events import event_append
from workflow.steps.base import (
    DecisionInput,
    Step,
    case_of,
    complete_flow_task,
    decision_serializers,
    finish,
    lead_participation,
    new_task,
    task_event,
)
from workflow.steps.registry import register


class InspectionInput(DecisionInput):
    """``pass`` / ``fail``: ``inspected_on``, ``inspectors`` (names) and ``findings``."""

    inspected_on = serializers.DateField(
        error_messages={
            "required": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
            "null": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
            "invalid": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
        }
    )
    inspectors = serializers.ListField(
        child=serializers.CharField(max_length=60, allow_blank=True),
        error_messages={"required": gettext_lazy("Name the inspectors.")},
    )
    findings = serializers.CharField(
        max_length=5000,
        error_messages={
            "required": gettext_lazy("Record the findings."),
            "blank": gettext_lazy("Record the findings."),
            "null": gettext_lazy("Record the findings."),
        },
    )

    def validate_inspectors(self, value: list[str]) -> list[str]:
        names = [str(n).strip() for n in value if str(n).strip()]
        if not names:
            raise serializers.ValidationError(_("Name the inspectors."))
        return names

    def validate_findings(self, value: str) -> str:
        return value.strip()


class InspectionStep(Step):
    kind = TaskKind.INSPECTION
    decisions = decision_serializers(
        TaskKind.INSPECTION,
        {
            "pass": (gettext_lazy("On-site inspection passed"), InspectionInput),
            "fail": (gettext_lazy("On-site inspection failed"), InspectionInput),
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
            due_at=app.due_at,
        )
        event_append(
            application=app,
            actor=None,
            action=EventAction.INSPECTION_NEEDED,
            department=app.lead_department_id,
            before=app.status,
            after=app.status,
            note=system_note(gettext_noop("An on-site inspection is needed before the decision.")),
        )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status != ApplicationStatus.IN_REVIEW:
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        result: dict[str, Any] = {
            "inspected_on": data["inspected_on"].isoformat(),
            "inspectors": data["inspectors"],
            "findings": data["findings"],
            "passed": decision == "pass",
        }
        finish(
            task,
            actor=actor,
            decision=decision,
            opinion=data.get("opinion") or data["findings"],
            now=now,
            result=result,
        )
        task_event(
            application,
            task,
            actor=actor,
            action=(
                EventAction.INSPECTION_PASSED
                if decision == "pass"
                else EventAction.INSPECTION_FAILED
            ),
            note=data["findings"],
            data=result,
        )
        complete_flow_task(task.flow_task_id)


register(InspectionStep())
