"""A participating department's review (并联审查): one viewflow task per department, its stages
(承办 → 审核 → 签发) successive ``CaseTask`` rows. ``approve`` moves to the next stage or approves
for the department; ``deny`` (reasons required, they reach the decision) ends the department's
review; ``supplement`` asks the applicant and waits. The deadline sweep completes an overdue
review by deemed approval (逾期视为同意) where the item allows it (``deem_approved``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy

from permits.choices import EventAction
from permits.models import (
    Application,
    ApplicationDepartment,
    ApplicationStatus,
    ParticipationStatus,
)
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.services.common import add_time_limit
from workflow.services.participations import parallel_rows
from workflow.steps.base import (
    DecisionInput,
    OpinionRequiredInput,
    Step,
    advance_stage,
    case_of,
    complete_flow_task,
    decision_serializers,
    finish,
    rows_saved_together,
    stage_due,
    task_event,
    task_row,
)
from workflow.steps.registry import register
from workflow.steps.supplement import SupplementInput, request_supplement


class ReviewStep(Step):
    kind = TaskKind.REVIEW
    decisions = decision_serializers(
        TaskKind.REVIEW,
        {
            "approve": (gettext_lazy("Approve"), DecisionInput),
            "supplement": (gettext_lazy("Ask for a supplement"), SupplementInput),
            "deny": (gettext_lazy("Deny"), OpinionRequiredInput),
        },
    )

    def open(self, *, activation) -> None:
        """The department's first stage opens, due at its share of the department's limit;
        the department's row starts its clock."""
        self.open_many(activations=[activation])

    def open_many(self, *, activations) -> None:
        """:meth:`open` for every department the split starts at once: one UPDATE of their
        rows and one INSERT of their first-stage tasks."""
        if not activations:
            return
        app = case_of(activations[0])
        now = timezone.now()
        rows = {row.pk: row for row in parallel_rows(app)}
        opened = []
        for activation in activations:
            wanted = activation.task.data["participation"]
            participation = rows.get(wanted) or ApplicationDepartment.objects.get(pk=wanted)
            participation.status = ParticipationStatus.IN_REVIEW
            participation.stage = (participation.stages or ["undertake"])[0]
            participation.started_at = now
            if participation.time_limit_days:
                participation.due_at = add_time_limit(
                    start=now,
                    days=participation.time_limit_days,
                    unit=participation.time_limit_unit or "working_day",
                )
            opened.append((activation, participation))
        rows_saved_together(
            ApplicationDepartment,
            [p for _, p in opened],
            fields=["status", "stage", "started_at", "due_at"],
        )
        rows_saved_together(
            CaseTask,
            [
                task_row(
                    app,
                    kind=self.kind,
                    department_id=participation.department_id,
                    stage=participation.stage,
                    flow_task=activation.task,
                    participation=participation,
                    due_at=stage_due(participation, 0),
                )
                for activation, participation in opened
            ],
        )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status not in (ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT):
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        app, t, opinion = application, task, data.get("opinion", "")
        if decision == "supplement":
            request_supplement(
                app, t, actor=actor, missing=data["missing"], opinion=opinion, now=now
            )
            return
        finish(t, actor=actor, decision=decision, opinion=opinion, now=now)
        if advance_stage(app, t, actor=actor, decision=decision, opinion=opinion):
            return
        participation = t.participation
        approved = decision == "approve"
        participation.status = (
            ParticipationStatus.APPROVED if approved else ParticipationStatus.DENIED
        )
        participation.opinion = opinion
        participation.decided_at = now
        participation.save(update_fields=["status", "opinion", "decided_at"])
        task_event(
            app,
            t,
            actor=actor,
            action=EventAction.DEPARTMENT_APPROVED if approved else EventAction.DEPARTMENT_DENIED,
            note=opinion,
        )
        complete_flow_task(t.flow_task_id)

    def deem_approved(self, *, application: Application, task: CaseTask, opinion: str) -> bool:
        """逾期视为同意: the system approves an overdue review for the department, so the join
        goes on. False, changing nothing, when the task waits for the applicant or the case's
        clocks are paused or it is not under review. Under the case lock the caller holds."""
        app, t = application, task
        if (
            t.kind != self.kind
            or t.awaiting_applicant
            or t.paused
            or app.paused
            or app.status != ApplicationStatus.IN_REVIEW
            or t.participation is None
        ):
            return False
        now = timezone.now()
        participation = t.participation
        finish(t, actor=None, decision="approve", opinion=opinion, now=now)
        participation.status = ParticipationStatus.DEEMED_APPROVED
        participation.opinion = opinion
        participation.decided_at = now
        participation.save(update_fields=["status", "opinion", "decided_at"])
        task_event(
            app,
            t,
            actor=None,
            action=EventAction.DEPARTMENT_DEEMED_APPROVED,
            note=opinion,
            data={"deemed": True},
        )
        complete_flow_task(t.flow_task_id)
        return True


register(ReviewStep())
