"""Serializers of the case and task endpoints (API.md: Applications, Tasks, Public).

Output is built from rows the selectors already loaded (no query per row). Personal data is
masked: the applicant's ID number and phone never leave in full.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from permits.models import Application, ApplicationDepartment, Event, Material
from permits.validators import mask_id_number, mask_name, mask_phone
from workflow.models import CaseTask
from workflow.steps.registry import registered

# --- Input --------------------------------------------------------------------------------


class ApplicantInSerializer(serializers.Serializer):
    real_name = serializers.CharField(max_length=60)
    id_type = serializers.CharField(max_length=24, required=False, default="resident_id")
    id_number = serializers.CharField(max_length=32)
    phone = serializers.CharField(max_length=20)
    org_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)


class CallerInSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    called_at = serializers.CharField(max_length=40, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(
        choices=["normal", "urgent", "very_urgent"], required=False, default="normal"
    )


class ApplicationCreateSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text=_("The item code."))
    form = serializers.DictField(required=False, default=dict)
    on_behalf_of = serializers.CharField(
        max_length=18, required=False, allow_blank=True, help_text=_("Enterprise credit code.")
    )
    channel = serializers.ChoiceField(
        choices=["online", "window", "hotline", "api"], required=False
    )
    applicant = ApplicantInSerializer(required=False)
    caller = CallerInSerializer(required=False)


class ApplicationUpdateSerializer(serializers.Serializer):
    form = serializers.DictField()


class MaterialUploadSerializer(serializers.Serializer):
    requirement = serializers.IntegerField()
    file = serializers.FileField()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class HandoverSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["window", "mail", "electronic"])
    collected_by = serializers.CharField(required=False, allow_blank=True, max_length=60)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    courier = serializers.CharField(required=False, allow_blank=True, max_length=60)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=60)


class ReassignSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=150, help_text=_("The username."))


def task_complete_request_serializers() -> list:
    """Every registered decision's input serializer (``workflow.steps``): the request body of
    ``POST /tasks/{id}/complete/`` is one of them, told apart by its ``decision`` constant."""
    return [
        decision.serializer
        for step in registered().values()
        for decision in step.decisions.values()
    ]


# The schema of the task-complete body, read from the step registry (nothing repeated here).
TaskCompleteRequest = PolymorphicProxySerializer(
    component_name="TaskComplete",
    serializers=task_complete_request_serializers,
    resource_type_field_name=None,
)


# --- Output -------------------------------------------------------------------------------


def _actor_name(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def department_row(row: ApplicationDepartment) -> dict[str, Any]:
    return {
        "code": row.department.code,
        "name": row.department.name,
        "role": row.role,
        "stage": row.stage,
        "stages": row.stages,
        "status": row.status,
        "due_at": row.due_at,
        "opinion": row.opinion,
    }


def material_row(m: Material) -> dict[str, Any]:
    return {
        "id": m.pk,
        "requirement": m.requirement_id,
        "requirement_name": m.requirement_name,
        "name": m.original_name,
        "content_type": m.content_type,
        "size": m.size,
        "sha256": m.sha256,
        "status": m.status,
        "uploaded_at": m.uploaded_at,
    }


def event_row(e: Event) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": _actor_name(e.actor),
        "action": e.action,
        "department": e.department.name if e.department_id else None,
        "note": e.note,
    }


def applicant_block(app: Application) -> dict[str, Any]:
    if app.applicant_enterprise_id:
        ent = app.applicant_enterprise
        block = {"kind": "enterprise", "name": ent.name, "credit_code": ent.credit_code}
    elif app.applicant_person_id:
        p = app.applicant_person
        block = {
            "kind": "person",
            "name": mask_name(p.real_name),
            "id_number": mask_id_number(p.id_number),
            "phone": mask_phone(p.phone),
        }
    else:
        block = {"kind": "anonymous"}
    if app.handler_id:
        block["handler"] = mask_name(app.handler.real_name)
    return block


def result_block(app: Application) -> dict[str, Any] | None:
    if not app.decision:
        return None
    cert = getattr(app, "certificate", None) if app.decision == "approved" else None
    return {
        "decision": app.decision,
        "opinion": app.decision_opinion,
        "certificate_number": cert.number if cert else None,
        "verification_code": cert.verification_code if cert else None,
        "valid_until": cert.valid_until if cert else None,
        "answer": None,
    }


def application_summary(app: Application) -> dict[str, Any]:
    return {
        "number": app.number,
        "item": {"code": app.item.code, "name": app.item.name},
        "status": app.status,
        "status_name": app.get_status_display(),
        "channel": app.channel,
        "lead_department": {"code": app.lead_department.code, "name": app.lead_department.name},
        "created_at": app.created_at,
        "submitted_at": app.submitted_at,
        "due_at": app.due_at,
        "legal_due_at": app.legal_due_at,
        "paused": app.paused,
        "departments": [department_row(r) for r in app.participations.all()],
    }


def application_detail(app: Application) -> dict[str, Any]:
    notice = getattr(app, "open_notice", None)
    return {
        "number": app.number,
        "item": {
            "code": app.item.code,
            "name": app.item.name,
            "version": app.item_version.number,
        },
        "status": app.status,
        "status_name": app.get_status_display(),
        "channel": app.channel,
        "applicant": applicant_block(app),
        "form": app.form_data,
        "created_at": app.created_at,
        "submitted_at": app.submitted_at,
        "accepted_at": app.accepted_at,
        "decided_at": app.decided_at,
        "closed_at": app.closed_at,
        "due_at": app.due_at,
        "legal_due_at": app.legal_due_at,
        "paused": app.paused,
        "tolerated": app.tolerated,
        "tolerance_deadline": app.tolerance_deadline,
        "not_accepted_reasons": app.not_accepted_reasons,
        "competent_agency": app.competent_agency,
        "departments": [department_row(r) for r in app.participation_rows],
        "materials": [material_row(m) for m in app.material_rows],
        "events": [event_row(e) for e in app.event_rows],
        "supplement": (
            {"requested_at": notice.requested_at, "requests": notice.requests} if notice else None
        ),
        "result": result_block(app),
        "handover": app.handover or None,
        "ratings": [],
    }


def task_row(t: CaseTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "kind": t.kind,
        "stage": t.stage,
        "application": t.application.number,
        "item": t.item.code,
        "item_name": t.item.name,
        "department": {"code": t.department.code, "name": t.department.name},
        "status": t.status,
        "assignee": t.assignee.get_username() if t.assignee_id else None,
        "due_at": t.due_at,
        "warning": t.warning,
        "paused": t.paused,
        "awaiting_applicant": t.awaiting_applicant,
        "created_at": t.created_at,
        "completed_at": t.completed_at,
        "decision": t.decision or None,
        "opinion": t.opinion,
        "result": t.result or None,
    }


def task_detail(t: CaseTask, app: Application) -> dict[str, Any]:
    return {
        **task_row(t),
        "decisions": sorted(step.decisions) if (step := registered().get(t.kind)) else [],
        "case": application_detail(app),
    }


# --- Documentation-only response serializers (drf-spectacular) ------------------------------


class DepartmentRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    stage = serializers.CharField()
    stages = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    opinion = serializers.CharField()


class MaterialRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requirement = serializers.IntegerField()
    requirement_name = serializers.CharField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    status = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class EventRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    action = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    decision = serializers.CharField()
    opinion = serializers.CharField()
    certificate_number = serializers.CharField(allow_null=True)
    verification_code = serializers.CharField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    answer = serializers.JSONField(allow_null=True)


class ItemRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicationSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    item = ItemRefSerializer()
    status = serializers.CharField()
    status_name = serializers.CharField()
    channel = serializers.CharField()
    lead_department = ItemRefSerializer()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    legal_due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    departments = DepartmentRowSerializer(many=True)


class ApplicationDetailSerializer(serializers.Serializer):
    number = serializers.CharField()
    item = ItemRefSerializer()
    status = serializers.CharField()
    status_name = serializers.CharField()
    channel = serializers.CharField()
    applicant = serializers.JSONField()
    form = serializers.JSONField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    legal_due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    departments = DepartmentRowSerializer(many=True)
    materials = MaterialRowSerializer(many=True)
    events = EventRowSerializer(many=True)
    supplement = serializers.JSONField(allow_null=True)
    result = ResultSerializer(allow_null=True)
    ratings = serializers.ListField(child=serializers.JSONField())


class TaskRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    stage = serializers.CharField()
    application = serializers.CharField()
    item = serializers.CharField()
    item_name = serializers.CharField()
    department = ItemRefSerializer()
    status = serializers.CharField()
    assignee = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    warning = serializers.CharField()
    paused = serializers.BooleanField()
    awaiting_applicant = serializers.BooleanField()


class TaskDetailSerializer(TaskRowSerializer):
    decisions = serializers.ListField(child=serializers.CharField())
    case = ApplicationDetailSerializer()


class TrackSerializer(serializers.Serializer):
    number = serializers.CharField()
    item = ItemRefSerializer()
    status = serializers.CharField()
    status_name = serializers.CharField()
    applicant = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    departments = serializers.JSONField()
    events = serializers.JSONField()


class CertificateVerifySerializer(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField()
    holder = serializers.CharField()
    issuer = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    valid = serializers.BooleanField()
