"""The lead's decision (决定) at the lead's last configured stage: ``approve`` issues the result
(准予许可 and the certificate), ``deny`` (不予许可) states the reasons, every department's
opinion and the right to reconsideration and litigation (第三十八条).

``consult`` (core-department cases, API.md): ask named departments (again) what to look at; a
new round of consultations opens and the decision after it (``workflow.steps.consultation``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permits.choices import EventAction
from permits.models import (
    Application,
    ApplicationStatus,
    Certificate,
    Decision,
    ParticipationStatus,
)
from workflow.exceptions import Conflict
from workflow.models import CaseTask, TaskKind, TaskStatus
from workflow.services.common import _move
from workflow.services.notices import denial_notice
from workflow.spec import VersionSpec, version_spec
from workflow.steps.base import (
    DecisionInput,
    OpinionRequiredInput,
    Step,
    case_of,
    complete_flow_task,
    decision_serializers,
    finish,
    lead_participation,
    task_event,
    task_row,
)
from workflow.steps.consultation import ConsultAgainInput, request_consultation
from workflow.steps.registry import register


class DecisionStep(Step):
    kind = TaskKind.DECISION
    decisions = decision_serializers(
        TaskKind.DECISION,
        {
            "approve": (gettext_lazy("Approve (准予许可), issue the certificate"), DecisionInput),
            "deny": (gettext_lazy("Deny (不予许可)"), OpinionRequiredInput),
            "consult": (
                gettext_lazy("Consult departments (again) before deciding (征求意见)"),
                ConsultAgainInput,
            ),
        },
    )

    def open(self, *, activation) -> None:
        app = case_of(activation)
        lead = lead_participation(app)
        task = task_row(
            app,
            kind=self.kind,
            department_id=app.lead_department_id,
            stage=((lead.stages if lead else None) or ["undertake"])[-1],
            flow_task=activation.task,
            participation=lead,
            due_at=app.due_at,
        )
        accepter = _the_accepter(app, task)
        if accepter is not None:
            # Inserted already assigned: one write, and the Event says why it is theirs.
            task.status = TaskStatus.ASSIGNED
            task.assignee = accepter
            task.claimed_at = timezone.now()
        task.save(force_insert=True)
        if accepter is not None:
            task_event(
                app, task, actor=accepter, action=EventAction.TASK_CLAIMED, data={"accepter": True}
            )

    def guard(self, *, application: Application, task: CaseTask) -> None:
        if application.status != ApplicationStatus.IN_REVIEW:
            raise Conflict()
        # 容缺受理: the lead's decision waits until the tolerated materials are in.
        from workflow.tolerance.services import tolerance_blocking

        tolerance_blocking(application)

    def complete(self, *, application, task, actor, decision, data, now: datetime) -> None:
        app, t = application, task
        if decision == "consult":
            request_consultation(app, t, actor=actor, data=data, now=now)
            return
        approved = decision == "approve"
        before = _move(app, ApplicationStatus.APPROVED if approved else ApplicationStatus.DENIED)
        app.decision = Decision.APPROVED if approved else Decision.DENIED
        app.decision_opinion = data.get("opinion", "")
        app.decided_at = now
        app.save()
        lead = t.participation
        if lead is not None:
            lead.status = ParticipationStatus.APPROVED if approved else ParticipationStatus.DENIED
            lead.opinion = app.decision_opinion
            lead.decided_at = now
            lead.save()
        result: dict[str, Any] = {}
        if approved:
            certificate = issue_certificate(app, version_spec(app.item_version), now)
            result["certificate_number"] = certificate.number
            established = certificate.holder_enterprise
            if established is not None and established.established_by_id == app.pk:
                result["enterprise"] = certificate.holder_enterprise_id
                result["enterprise_name"] = certificate.holder_name
            note = _("Approved; certificate %(number)s issued.") % {"number": certificate.number}
            action = EventAction.APPROVED
        else:
            note = denial_notice(app)
            action = EventAction.DENIED
        finish(
            t, actor=actor, decision=decision, opinion=app.decision_opinion, now=now, result=result
        )
        task_event(
            app,
            t,
            actor=actor,
            action=action,
            before=before,
            after=app.status,
            note=note,
            data=result,
        )
        complete_flow_task(t.flow_task_id)


def _the_accepter(app: Application, task: CaseTask):
    """The reviewer who accepted the case, when the decision task (not yet saved) should be
    theirs: ``settings.DECISION_TASK_TO_ACCEPTER`` on (the default) and they may act at its
    stage (issue 14 item 12). ``None`` leaves it in the lead department's queue, for any
    colleague of that stage to claim (docs/workflow.md)."""
    from django.conf import settings

    from workflow import access

    if not getattr(settings, "DECISION_TASK_TO_ACCEPTER", True):
        return None
    from django.db import connection

    from departments import roles

    accepted = CaseTask.objects.filter(
        application=app, kind=TaskKind.ACCEPTANCE, status=TaskStatus.DONE
    ).select_related("completed_by")
    postgres = connection.vendor == "postgresql"
    if postgres:
        # The accepter's staff roles in the same query (the access rule below reads them).
        accepted = accepted.annotate(
            accepter_roles=roles.staff_grants_expression("completed_by_id")
        )
    accepted = accepted.order_by("-completed_at", "-pk").first()
    actor = accepted.completed_by if accepted is not None else None
    if postgres and actor is not None:
        roles.prime_staff_grants(actor, accepted.accepter_roles)
    if actor is None or not actor.is_active or not access.can_act_on_task(actor, task):
        return None
    return actor


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def issue_certificate(app: Application, spec: VersionSpec, now: datetime) -> Certificate:
    """The e-certificate of an approved case: holder, issuer (the lead), validity from the
    item version."""
    months = spec.result_validity_months
    valid_until = add_months(timezone.localdate(now), months) if months else None
    enterprise = None
    if spec.establishes_enterprise:
        # An establishment case's outcome is a new enterprise, and its licence is the
        # enterprise's, not the founder's (issue 14 item 1).
        from permits.applicant_services import enterprise_establish
        from workflow.spec import (
            ESTABLISHED_NAME_FIELD,
            ESTABLISHED_REPRESENTATIVE_FIELD,
            ESTABLISHED_TYPE_FIELD,
        )

        form = app.form_data or {}
        enterprise = enterprise_establish(
            application=app,
            name=str(form.get(ESTABLISHED_NAME_FIELD) or ""),
            kind=str(form.get(ESTABLISHED_TYPE_FIELD) or ""),
            legal_representative=str(form.get(ESTABLISHED_REPRESENTATIVE_FIELD) or ""),
        )
    elif app.applicant_enterprise_id:
        enterprise = app.applicant_enterprise
    if enterprise is not None:
        holder = enterprise.name
        identifier = enterprise.credit_code
    else:
        holder = app.applicant_person.real_name if app.applicant_person_id else ""
        identifier = app.applicant_person.id_number if app.applicant_person_id else ""
    return Certificate.objects.create(
        number="YFZ" + app.number[2:],
        type=spec.result_name or app.item.name,
        application=app,
        holder_name=holder,
        holder_enterprise=enterprise,
        holder_identifier=identifier,
        issuer_id=app.lead_department_id,
        issued_at=now,
        valid_until=valid_until,
    )


register(DecisionStep())
