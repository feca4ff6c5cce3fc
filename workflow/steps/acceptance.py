"""Acceptance (受理) by the lead department: accept (with tolerated missing materials, 容缺受理),
not accept (不予受理, with reasons and the competent agency), or ask for a supplement.

Opens at 承办 of the lead department when the case is submitted, due 5 working days after the
submission (第三十二条). Accepting starts the case clock (dated back when no supplement notice
was given in time) and lets the flow notify the departments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from permits.choices import EventAction
from permits.models import Application, ApplicationStatus, ParticipationStatus
from workflow.deadlines import dues
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind
from workflow.services.common import _move, add_time_limit
from workflow.services.notices import not_accepted_notice
from workflow.spec import version_spec
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
    task_event,
)
from workflow.steps.registry import register
from workflow.steps.supplement import SupplementInput, request_supplement


class AcceptInput(DecisionInput):
    """``approve``: 受理; ``tolerated`` requirement ids and their ``tolerance_deadline`` for
    容缺受理."""

    tolerated = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )
    tolerance_deadline = serializers.DateField(required=False, allow_null=True, default=None)
    commitment_signed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("The applicant signed the tolerance commitment (容缺受理承诺书)."),
    )
    commitment_signed_by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text=gettext_lazy("Who signed the commitment (default: the applicant)."),
    )

    def validate_tolerated(self, value: list[int]) -> list[int]:
        spec = self.spec
        if spec is not None and any(
            spec.material(r) is None or not spec.material(r).tolerable for r in value
        ):
            raise serializers.ValidationError(
                _("Only tolerable materials can be accepted as missing.")
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("tolerated") and not attrs.get("tolerance_deadline"):
            raise serializers.ValidationError(
                {"tolerance_deadline": _("Give the date by which the tolerated materials are due.")}
            )
        if not attrs.get("tolerated"):
            attrs["tolerance_deadline"] = None
        app = self.application
        if app is not None:
            # Issue 14 item 2: a required material that is missing is either tolerated (容缺,
            # with the commitment and a deadline within the promised limit) or acceptance is
            # refused.
            from workflow.tolerance.services import acceptance_missing_check

            errors = acceptance_missing_check(
                app,
                tolerated=attrs.get("tolerated") or [],
                deadline=attrs.get("tolerance_deadline"),
                commitment_signed=bool(attrs.get("commitment_signed")),
                promised_due=promised_due_if_accepted_now(app),
                today=timezone.localdate(),
            )
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


def promised_due_if_accepted_now(app: Application) -> datetime | None:
    """The promised due the case would get if accepted now (the tolerance deadline may be no
    later): the case clock's start (dated back where 第三十二条 says so) plus the promised
    limit."""
    from workflow.deadlines import clocks

    promised = version_spec(app.item_version).promised_days
    if not promised:
        return None
    start, _dated_back = clocks.case_clock_start(app, accepted_at=timezone.now())
    return add_time_limit(start=start, days=promised)


class NotAcceptInput(OpinionRequiredInput):
    """``deny``: 不予受理; ``opinion`` = the reasons, ``competent_agency`` where the matter
    belongs to another agency."""

    opinion_required_message = gettext_lazy("State the reasons for not accepting the case.")
    competent_agency = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )


class AcceptanceStep(Step):
    kind = TaskKind.ACCEPTANCE
    decisions = decision_serializers(
        TaskKind.ACCEPTANCE,
        {
            "approve": (gettext_lazy("Accept (受理)"), AcceptInput),
            "supplement": (
                gettext_lazy("Ask for a supplement (补正, one-time notice)"),
                SupplementInput,
            ),
            "deny": (gettext_lazy("Do not accept (不予受理)"), NotAcceptInput),
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
            due_at=dues.acceptance_due(app),
        )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict()

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        opinion = data.get("opinion", "")
        if decision == "supplement":
            request_supplement(
                application, task, actor=actor, missing=data["missing"], opinion=opinion, now=now
            )
        elif decision == "approve":
            self._accept(application, task, actor=actor, data=data, now=now)
        else:
            self._not_accept(application, task, actor=actor, data=data, now=now)

    def _accept(self, app, t, *, actor, data, now) -> None:
        tolerated, deadline = data.get("tolerated") or [], data.get("tolerance_deadline")
        before = _move(app, ApplicationStatus.IN_REVIEW)
        app.accepted_at = now
        app.tolerated = [int(r) for r in tolerated]
        app.tolerance_deadline = deadline
        # The case clock: dated back to the submission when no supplement notice was given
        # within the 5 working days of acceptance (第三十二条).
        from workflow.deadlines import clocks

        spec = version_spec(app.item_version)
        clocks.start_case_clock(
            app,
            accepted_at=now,
            promised_days=spec.promised_days,
            legal_days=spec.legal_days,
            actor=actor,
        )
        app.save()
        if app.tolerated and deadline:
            from workflow.tolerance.services import tolerance_record

            tolerance_record(
                app,
                actor=actor,
                requirement_ids=app.tolerated,
                deadline=deadline,
                signed_by=data.get("commitment_signed_by", ""),
                now=now,
            )
        lead = t.participation
        if lead is not None:
            lead.status = ParticipationStatus.IN_REVIEW
            lead.started_at = now
            lead.stage = (lead.stages or ["undertake"])[0]
            lead.due_at = app.due_at
            lead.save()
        finish(
            t,
            actor=actor,
            decision="approve",
            opinion=data.get("opinion", ""),
            now=now,
            result={
                "tolerated": app.tolerated,
                "tolerance_deadline": deadline.isoformat() if deadline else None,
            },
        )
        task_event(
            app,
            t,
            actor=actor,
            action=EventAction.ACCEPTED,
            before=before,
            after=app.status,
            note=data.get("opinion", ""),
            data={"tolerated": app.tolerated},
        )
        complete_flow_task(t.flow_task_id)

    def _not_accept(self, app, t, *, actor, data, now) -> None:
        not_accept(app, t, actor=actor, data=data, now=now)


def not_accept(app, t, *, actor, data, now) -> None:
    """不予受理 (行政许可法 第三十二条): the case ends ``not_accepted`` with the reasons and, where
    the matter belongs elsewhere, the competent agency; the lead's row is denied, the task
    finished with ``{"competent_agency"}``, and the notice (with the right to reconsideration or
    litigation) is the event's note. The acceptance's ``deny`` and a process-centred triage's
    ``deny`` (petitions, matters outside the office) both end a case this way."""
    reasons, agency = data["opinion"], (data.get("competent_agency") or "").strip()
    before = _move(app, ApplicationStatus.NOT_ACCEPTED)
    app.not_accepted_reasons = reasons
    app.competent_agency = agency
    app.decided_at = now
    app.save()
    lead = t.participation
    if lead is not None:
        lead.status = ParticipationStatus.DENIED
        lead.opinion = reasons
        lead.decided_at = now
        lead.save()
    finish(
        t,
        actor=actor,
        decision="deny",
        opinion=reasons,
        now=now,
        result={"competent_agency": agency},
    )
    task_event(
        app,
        t,
        actor=actor,
        action=EventAction.NOT_ACCEPTED,
        before=before,
        after=app.status,
        note=not_accepted_notice(app),
        data={"competent_agency": agency},
    )
    complete_flow_task(t.flow_task_id)


register(AcceptanceStep())
