"""Serializers of the case and task endpoints (API.md: Applications, Tasks, Public).

Output is built from rows the selectors already loaded (no query per row). Personal data is
masked: the applicant's ID number and phone never leave in full.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from onestop.pii import unseal
from permits.models import Application, Event
from permits.validators import mask_id_number, mask_name, mask_phone
from workflow import personal_data
from workflow.labels import INTERNAL_EVENTS
from workflow.models import CaseTask
from workflow.parts import case_part
from workflow.steps.dispatching import answer_parts, overall_outcome
from workflow.steps.registry import registered

# --- Input --------------------------------------------------------------------------------


class ApplicantInSerializer(serializers.Serializer):
    real_name = serializers.CharField(max_length=60)
    id_type = serializers.CharField(max_length=24, required=False, default="resident_id")
    id_number = serializers.CharField(max_length=32)
    phone = serializers.CharField(max_length=20)
    org_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    confirm_existing = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "An ID number on record under another name is refused (400 on applicant.real_name) "
            "unless the clerk, with the ID card in hand, confirms the person on record."
        ),
    )


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
    request_kind = serializers.ChoiceField(
        choices=["enquiry", "help", "suggestion", "complaint", "report", "petition"],
        required=False,
        help_text=_("Process-centred cases: with the urgency it picks the limit."),
    )


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
    id_checked = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Window pick-up: the clerk checked the collector's ID (required)."),
    )
    collector_id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text=_("Window pick-up: the collector's ID number (kept masked)."),
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    courier = serializers.CharField(required=False, allow_blank=True, max_length=60)
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=60)


class ReassignSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=150, required=False, help_text=_("The username."))
    department = serializers.CharField(
        max_length=40,
        required=False,
        help_text=_(
            "A rectification only: the code of the handling department the coordinating office "
            "hands it to."
        ),
    )

    def validate(self, attrs):
        if not attrs.get("user") and not attrs.get("department"):
            raise serializers.ValidationError({"user": [_("This field is required.")]})
        return attrs


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


# --- Output: one serializer per shape; what the schema declares is what these return ------
#
# Each reads rows the selectors already loaded (no query per row). Personal data is masked.


def _actor_name(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


class RefSerializer(serializers.Serializer):
    """A department's or an item's code and name."""

    code = serializers.CharField()
    name = serializers.CharField()


class DepartmentRowSerializer(serializers.Serializer):
    code = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name")
    role = serializers.CharField()
    round = serializers.IntegerField(
        help_text=_("A department consulted twice has a row per round.")
    )
    stage = serializers.CharField()
    stages = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    opinion = serializers.CharField()
    outcome = serializers.SerializerMethodField()
    instructions = serializers.CharField(help_text=_("A dispatched department: what to do."))
    may_return = serializers.BooleanField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outcome(self, row) -> str | None:
        """A joint annual inspection's result of the department: passed / failed."""
        return row.outcome or None


class AnswerPartSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    reply = serializers.CharField()
    outcome = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField(allow_null=True)


class AnswerSerializer(serializers.Serializer):
    """A process-centred case's one consolidated answer, with each department's part."""

    text = serializers.CharField()
    at = serializers.DateTimeField()
    outcome = serializers.CharField(allow_null=True)
    parts = AnswerPartSerializer(many=True)


class MaterialRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    requirement = serializers.IntegerField(source="requirement_id")
    requirement_name = serializers.CharField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    sha256 = serializers.CharField()
    status = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class EventRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    department = serializers.CharField(source="department.name", allow_null=True)
    note = serializers.CharField(source="note_text")  # a system note in the reader's language

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, e: Event) -> str:
        return _actor_name(e.actor)


class ApplicantSerializer(serializers.Serializer):
    """Whose case it is, masked: ``name``/``id_number``/``phone`` for a person,
    ``name``/``credit_code`` for an enterprise, only ``kind`` for an anonymous complaint."""

    kind = serializers.ChoiceField(choices=["person", "enterprise", "anonymous"])
    name = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False, help_text=_("Masked."))
    phone = serializers.CharField(required=False, help_text=_("Masked."))
    credit_code = serializers.CharField(required=False)
    handler = serializers.CharField(required=False, help_text=_("Masked."))

    def to_representation(self, app: Application) -> dict[str, Any]:
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


class ResultSerializer(serializers.Serializer):
    decision = serializers.CharField()
    opinion = serializers.CharField(source="decision_opinion")
    certificate_number = serializers.CharField(source="certificate.number", allow_null=True)
    verification_code = serializers.CharField(
        source="certificate.verification_code", allow_null=True
    )
    valid_until = serializers.DateField(source="certificate.valid_until", allow_null=True)
    answer = serializers.SerializerMethodField()

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, app: Application) -> dict | None:
        if app.answered_at is None:
            return None
        rows = getattr(app, "participation_rows", None)
        if rows is None:
            rows = app.participations.select_related("department")
        parts = answer_parts(rows)
        return {
            "text": app.answer,
            "at": app.answered_at,
            "outcome": overall_outcome(parts),
            "parts": parts,
        }


class SupplementSerializer(serializers.Serializer):
    requested_at = serializers.DateTimeField()
    requests = serializers.JSONField()


class CaseItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    version = serializers.IntegerField(source="item_version.number")


def masked_caller(app: Application) -> dict | None:
    return mask_caller(app.caller)


def mask_caller(caller: dict | None) -> dict | None:
    """A hotline case's ``caller`` column as lists show it: the phone masked."""
    if not caller:
        return None
    return {
        "phone": mask_phone(unseal(caller.get("phone", ""))),
        "called_at": caller.get("called_at", ""),
        "urgency": caller.get("urgency", "normal"),
    }


class CallerOutSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text=_("Masked."))
    called_at = serializers.CharField()
    urgency = serializers.CharField()


class ApplicationSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    item = RefSerializer()
    status = serializers.CharField()
    status_name = serializers.CharField(source="get_status_display")
    channel = serializers.CharField()
    lead_department = RefSerializer()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    legal_due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    departments = DepartmentRowSerializer(many=True, source="participations.all")
    request_kind = serializers.CharField()
    urgency = serializers.CharField()
    caller = serializers.SerializerMethodField()

    @extend_schema_field(CallerOutSerializer(allow_null=True))
    def get_caller(self, app: Application) -> dict | None:
        return masked_caller(app)


class ApplicationDetailSerializer(serializers.Serializer):
    """A case as ``workflow.selectors.application_get_for_user`` loads it (detail=True)."""

    number = serializers.CharField()
    item = CaseItemSerializer(source="*")
    status = serializers.CharField()
    status_name = serializers.CharField(source="get_status_display")
    channel = serializers.CharField()
    applicant = ApplicantSerializer(source="*")
    form = serializers.SerializerMethodField(
        help_text=_("ID numbers and phones masked unless the caller works the case.")
    )
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    legal_due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    tolerated = serializers.JSONField()
    tolerance_deadline = serializers.DateField(allow_null=True)
    not_accepted_reasons = serializers.CharField()
    competent_agency = serializers.CharField()
    departments = DepartmentRowSerializer(many=True, source="participation_rows")
    materials = MaterialRowSerializer(many=True, source="material_rows")
    events = EventRowSerializer(many=True, source="event_rows")
    supplement = SupplementSerializer(source="open_notice", allow_null=True)
    result = serializers.SerializerMethodField()
    handover = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    anonymous = serializers.BooleanField()
    request_kind = serializers.CharField()
    urgency = serializers.CharField()
    caller = serializers.SerializerMethodField()
    repeated_calls = serializers.SerializerMethodField()

    @extend_schema_field(CallerOutSerializer(allow_null=True))
    def get_caller(self, app: Application) -> dict | None:
        return masked_caller(app)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_form(self, app: Application) -> dict:
        request = self.context.get("request")
        if request is None:  # no viewer known: the safe answer
            return personal_data.masked_form_data(app)
        return personal_data.form_data(request, app)

    @extend_schema_field(OpenApiTypes.INT)
    def get_repeated_calls(self, app: Application) -> int:
        """Repeated calls linked to the case (重复件)."""
        rows = getattr(app, "event_rows", None)
        if rows is None:
            return app.events.filter(action="call_linked").count()
        return sum(1 for e in rows if e.action == "call_linked")

    @extend_schema_field(ResultSerializer(allow_null=True))
    def get_result(self, app: Application) -> dict | None:
        return ResultSerializer(app).data if app.decision or app.answered_at else None

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_handover(self, app: Application) -> dict | None:
        return app.handover or None

    @extend_schema_field(serializers.ListField(child=serializers.JSONField()))
    def get_ratings(self, app: Application) -> list:
        # The ratings app (evaluations) registers this part (workflow.parts).
        return case_part("ratings", app, default=[])


class TaskRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    stage = serializers.CharField()
    application = serializers.CharField(source="application.number")
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    department = RefSerializer()
    status = serializers.CharField()
    assignee = serializers.CharField(source="assignee.username", allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    warning = serializers.CharField()
    paused = serializers.BooleanField()
    awaiting_applicant = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.SerializerMethodField()
    opinion = serializers.CharField()
    result = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decision(self, t: CaseTask) -> str | None:
        return t.decision or None

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_result(self, t: CaseTask) -> dict | None:
        return t.result or None


class TaskDetailSerializer(TaskRowSerializer):
    """The task with its case (``context["application"]``, loaded by the case selector)."""

    decisions = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_decisions(self, t: CaseTask) -> list[str]:
        return sorted(step.decisions) if (step := registered().get(t.kind)) else []

    @extend_schema_field(ApplicationDetailSerializer)
    def get_case(self, t: CaseTask) -> dict:
        return ApplicationDetailSerializer(
            self.context["application"], context={"request": self.context.get("request")}
        ).data


class TaskOutcomeSerializer(TaskRowSerializer):
    """A task just completed and its case as the decision left it (``context["application"]``,
    the case the service held locked, its department rows read afresh:
    ``selectors.case_after_task``): the case's summary (status, the departments' statuses and
    opinions), not its whole detail — ``GET /tasks/{id}/`` and ``GET /applications/{number}/``
    have that."""

    decisions = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_decisions(self, t: CaseTask) -> list[str]:
        return sorted(step.decisions) if (step := registered().get(t.kind)) else []

    @extend_schema_field(ApplicationSummarySerializer)
    def get_case(self, t: CaseTask) -> dict:
        return ApplicationSummarySerializer(self.context["application"]).data


class TrackDepartmentSerializer(serializers.Serializer):
    name = serializers.CharField(source="department.name")
    role = serializers.CharField()
    stage = serializers.CharField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)


class TrackEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    department = serializers.CharField(source="department.name", allow_null=True)


class TrackSerializer(serializers.Serializer):
    """The public progress of a case: applicant masked; the applicant's timeline without the
    back office's housekeeping (``workflow.labels.INTERNAL_EVENTS``, as on the portal)."""

    number = serializers.CharField()
    item = RefSerializer()
    status = serializers.CharField()
    status_name = serializers.CharField(source="get_status_display")
    applicant = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    departments = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_applicant(self, app: Application) -> str:
        if app.applicant_enterprise_id:
            return mask_name(app.applicant_enterprise.name)
        if app.applicant_person_id:
            return mask_name(app.applicant_person.real_name)
        return ""

    @extend_schema_field(TrackDepartmentSerializer(many=True))
    def get_departments(self, app: Application) -> list:
        # The rows application_track prefetched in this order (round, position, pk).
        return TrackDepartmentSerializer(app.participations.all(), many=True).data

    @extend_schema_field(TrackEventSerializer(many=True))
    def get_events(self, app: Application) -> list:
        events = (
            app.events.exclude(action__in=INTERNAL_EVENTS)
            .select_related("department")
            .order_by("at", "pk")
        )
        return TrackEventSerializer(events, many=True).data


class CertificateVerifySerializer(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField()
    holder = serializers.SerializerMethodField()
    issuer = serializers.CharField(source="issuer.name")
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    valid = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_holder(self, cert) -> str:
        # An enterprise holder is public in full (a company's name); a person's is masked.
        if cert.holder_enterprise_id:
            return cert.holder_name
        return mask_name(cert.holder_name)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_valid(self, cert) -> bool:
        return cert.is_valid_on()
