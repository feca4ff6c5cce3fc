"""Choices shared across apps, kept apart from the models so that any layer can name them
without importing a model module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventAction(models.TextChoices):
    """What an Event records. The one list of actions: ``event_append`` takes only these, and
    the timeline's labels (``workflow.labels``) are keyed by them."""

    CREATED = "created"
    FORM_UPDATED = "form_updated"
    MATERIAL_UPLOADED = "material_uploaded"
    MATERIAL_DELETED = "material_deleted"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_ANSWERED = "supplement_answered"
    DEPARTMENT_NOTIFIED = "department_notified"
    STAGE_APPROVED = "stage_approved"
    DEPARTMENT_APPROVED = "department_approved"
    DEPARTMENT_DENIED = "department_denied"
    DEPARTMENT_DEEMED_APPROVED = "department_deemed_approved"
    CONSULTATION_REQUESTED = "consultation_requested"
    INSPECTION_NEEDED = "inspection_needed"
    INSPECTION_PASSED = "inspection_passed"
    INSPECTION_FAILED = "inspection_failed"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    HANDED_OVER = "handed_over"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_REASSIGNED = "task_reassigned"
    CLOCK_PAUSED = "clock_paused"
    CLOCK_RESUMED = "clock_resumed"
    CLOCK_DATED_BACK = "clock_dated_back"
    CLOCK_EXTENDED = "clock_extended"
    TASK_WARNING = "task_warning"
    TASK_OVERDUE = "task_overdue"
    TASK_ESCALATED = "task_escalated"
    CASE_WARNING = "case_warning"
    CASE_OVERDUE = "case_overdue"
    # Exceptional grants (workflow.grants): a case shared read-only, a delegation (代岗).
    CASE_SHARED = "case_shared"
    CASE_SHARE_ENDED = "case_share_ended"
    TASK_DELEGATED = "task_delegated"
    TASK_DELEGATION_ENDED = "task_delegation_ended"
    PAUSED = "paused"
    RESUMED = "resumed"
    # Process-centred intake (workflow.intake): a repeated call linked to its open case (重复件),
    # a reminder on a red handling task (催办), petition re-examination / review (复查 / 复核).
    CALL_LINKED = "call_linked"
    TASK_REMINDED = "task_reminded"
    PETITION_REVIEW_REQUESTED = "petition_review_requested"
    PETITION_REVIEW_DECIDED = "petition_review_decided"
    PETITION_HEARING = "petition_hearing"
    # Process-centred cases (workflow.flows.process_centred): triage, handling, reply review.
    DISPATCHED = "dispatched"
    DEPARTMENT_REPLIED = "department_replied"
    DEPARTMENT_RETURNED = "department_returned"
    SENT_BACK = "sent_back"
    ANSWERED = "answered"
    REOPENED = "reopened"
    # Ratings (好差评, evaluations): the rating, its invitation and the 差评 handling.
    RATED = "rated"
    RATING_DEFAULTED = "rating_defaulted"
    RATING_REMINDED = "rating_reminded"
    CASE_CLOSED = "case_closed"
    RECTIFICATION_OPENED = "rectification_opened"
    RECTIFICATION_CALLBACK = "rectification_callback"
    RECTIFIED = "rectified"
    RECTIFICATION_APPEALED = "rectification_appealed"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_OVERTURNED = "appeal_overturned"
    FIX_CONFIRMED = "fix_confirmed"
    # 容缺受理 (workflow.tolerance): recorded at acceptance, the reminder before its deadline,
    # the tolerated materials delivered, the case terminated when the deadline passed.
    TOLERANCE_RECORDED = "tolerance_recorded"
    TOLERANCE_REMINDED = "tolerance_reminded"
    TOLERANCE_FULFILLED = "tolerance_fulfilled"
    TERMINATED = "terminated"
    # Walk-in intake (centres.intake): a clerk saw a material's original.
    ORIGINAL_CHECKED = "original_checked"
    # Generated notices (workflow.documents).
    DOCUMENT_GENERATED = "document_generated"


# --- The catalogue (service items, their departments, materials and form fields) -----------


class Category(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    CONFIRMATION = "confirmation", "行政确认"
    PUBLIC_SERVICE = "public_service", "公共服务"
    SOCIAL_SECURITY = "social_security", "社会保障"
    EDUCATION_CULTURE = "education_culture", "教育文化"
    ENVIRONMENT = "environment", "环境保护"
    DECLARATION = "declaration", "申报"
    CERTIFICATE = "certificate", "办证"
    ANNUAL_INSPECTION = "annual_inspection", "年检"
    LOOKUP_SERVICE = "lookup_service", "查询"
    COMPLAINT = "complaint", "投诉"
    PETITION = "petition", "信访"
    ENQUIRY = "enquiry", "咨询"
    SUGGESTION = "suggestion", "建议"
    HOTLINE = "hotline", "12345"


# The categories' names in the reader's language (issue 14 item 6: English mode showed the
# Chinese names). The choices keep the official Chinese labels (the admin and the stored
# configuration use them); pages and the API name a category through ``category_name``.
CATEGORY_NAMES = {
    Category.LICENSING: pgettext_lazy("catalogue category", "Administrative licensing"),
    Category.CONFIRMATION: pgettext_lazy("catalogue category", "Administrative confirmation"),
    Category.PUBLIC_SERVICE: pgettext_lazy("catalogue category", "Public services"),
    Category.SOCIAL_SECURITY: pgettext_lazy("catalogue category", "Social security"),
    Category.EDUCATION_CULTURE: pgettext_lazy("catalogue category", "Education and culture"),
    Category.ENVIRONMENT: pgettext_lazy("catalogue category", "Environmental protection"),
    Category.DECLARATION: pgettext_lazy("catalogue category", "Declarations"),
    Category.CERTIFICATE: pgettext_lazy("catalogue category", "Document services"),
    Category.ANNUAL_INSPECTION: pgettext_lazy("catalogue category", "Annual inspections"),
    Category.LOOKUP_SERVICE: pgettext_lazy("catalogue category", "Look-ups"),
    Category.COMPLAINT: pgettext_lazy("catalogue category", "Complaints"),
    Category.PETITION: pgettext_lazy("catalogue category", "Petitions"),
    Category.ENQUIRY: pgettext_lazy("catalogue category", "Enquiries"),
    Category.SUGGESTION: pgettext_lazy("catalogue category", "Suggestions"),
    Category.HOTLINE: pgettext_lazy("catalogue category", "12345 hotline"),
}


def category_name(value: str) -> str:
    """A category's name in the active language ("" for an unknown value)."""
    name = CATEGORY_NAMES.get(value)
    return str(name) if name is not None else ""


class Audience(models.TextChoices):
    PERSON = "person", _("Persons")
    ENTERPRISE = "enterprise", _("Legal persons")
    BOTH = "both", _("Persons and legal persons")


class ServiceModel(models.TextChoices):
    PARALLEL = "parallel", _("Online parallel licensing")
    CORE_DEPARTMENT = "core_department", _("Core-department model")
    PROCESS_CENTRED = "process_centred", _("Process-centred model")
    SINGLE_DEPARTMENT = "single_department", _("Single department")


class OnlineDepth(models.TextChoices):
    FULL_ONLINE = "full_online", _("Fully online")
    ONLINE_PREREVIEW = "online_prereview", _("Online pre-review, then on site")
    WINDOW_ONLY = "window_only", _("At the window only")


class ConsultMode(models.TextChoices):
    SEQUENTIAL = "sequential", _("In sequence")
    PARALLEL = "parallel", _("All at once")


class ExtensionRule(models.TextChoices):
    """Which extension of 行政许可法 第四十二条 an item's cases get: a single department's 20
    working days extended once by 10, or a case handled jointly (统一办理, 联合办理, 集中办理;
    a core department with consulted departments, 第二十六条第二款) or in parallel: 45, extended
    once by 15. Blank on an item: by its service model (``default_extension_rule``)."""

    SINGLE = "single", _("Single department: 20 working days, extended once by 10")
    JOINT = "joint", _("Handled jointly: 45 working days, extended once by 15")


def default_extension_rule(service_model: str, *, with_other_departments: bool = True) -> str:
    """The rule an item gets when it names none: joint for parallel licensing and for a core
    department with consulted departments, single otherwise."""
    joint = service_model in ("parallel", "core_department") and with_other_departments
    return ExtensionRule.JOINT if joint else ExtensionRule.SINGLE


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


class DepartmentRole(models.TextChoices):
    LEAD = "lead", _("Lead (accepts and decides)")
    PARALLEL = "parallel", _("Parallel review")
    CONSULT = "consult", _("Consultation")
    # A process-centred item's dispatch catalogue: who usually handles it (API.md).
    DISPATCH = "dispatch", _("Dispatch catalogue (usually handles it)")


class TimeLimitUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("working days")
    CALENDAR_DAY = "calendar_day", _("calendar days")
    # Urgent hotline and complaint cases (API.md): hours around the clock.
    HOUR = "hour", _("hours")


class RequestKind(models.TextChoices):
    """What a process-centred case asks for (API.md ``request_kind``); with the urgency it
    picks the limit (workflow.deadlines.requestlimits)."""

    ENQUIRY = "enquiry", _("Enquiry")
    HELP = "help", _("Help request")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    PETITION = "petition", _("Petition")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")


class TimeoutPolicy(models.TextChoices):
    ESCALATE = "escalate", _("Escalate")
    DEEMED_APPROVAL = "deemed_approval", _("Deemed approval when overdue")


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    JPG = "jpg", "JPG"
    PNG = "png", "PNG"
    OFD = "ofd", "OFD"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTICHOICE = "multichoice", _("Multiple choice")
    BOOL = "bool", _("Yes / no")
    ID_NUMBER = "id_number", _("ID number")
    CREDIT_CODE = "credit_code", _("Credit code")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    ADDRESS = "address", _("Address")
