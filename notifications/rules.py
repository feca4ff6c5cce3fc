"""Which case events notify whom. Keys are ``Event.action`` values."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Channel
from .models import NotificationKind as K

APPLICANT = "applicant"
TASK_HOLDERS = "task_holders"
HEADS_AND_SUPERVISORS = "heads_and_supervisors"


@dataclass(frozen=True)
class Rule:
    kind: str
    audience: str


RULES: dict[str, Rule] = {
    # Set by the flow's services (workflow.services).
    "accepted": Rule(K.ACCEPTED, APPLICANT),
    "not_accepted": Rule(K.NOT_ACCEPTED, APPLICANT),
    "supplement_requested": Rule(K.SUPPLEMENT, APPLICANT),
    "department_approved": Rule(K.DEPARTMENT_DECISION, APPLICANT),
    "department_denied": Rule(K.DEPARTMENT_DECISION, APPLICANT),
    "approved": Rule(K.APPROVED, APPLICANT),
    "denied": Rule(K.DENIED, APPLICANT),
    # Process-centred cases: the one consolidated answer (workflow.steps.dispatching).
    "answered": Rule(K.ANSWERED, APPLICANT),
    # Set by the deadlines (workflow.deadlines.clocks, workflow.deadlines.sweep).
    "task_warning": Rule(K.WARNING, TASK_HOLDERS),
    "task_overdue": Rule(K.OVERDUE, TASK_HOLDERS),
    "task_escalated": Rule(K.ESCALATED, HEADS_AND_SUPERVISORS),
    "task_reminded": Rule(K.OVERDUE, TASK_HOLDERS),
    "department_deemed_approved": Rule(K.DEEMED_APPROVED, APPLICANT),
    "case_warning": Rule(K.WARNING, HEADS_AND_SUPERVISORS),
    "case_overdue": Rule(K.OVERDUE, HEADS_AND_SUPERVISORS),
    # Special procedures (第四十五条); a supplement's pause is told by its own notice.
    "clock_paused": Rule(K.CLOCK_PAUSED, APPLICANT),
    "clock_resumed": Rule(K.CLOCK_RESUMED, APPLICANT),
    "clock_extended": Rule(K.EXTENDED, APPLICANT),
    # Ratings (evaluations): the reminder to rate, and the outcome of a 差评's handling (the
    # event's note is the text; the reminder's link is added by the ratings app's extra line).
    "rating_reminded": Rule(K.GENERAL, APPLICANT),
    "rectified": Rule(K.GENERAL, APPLICANT),
    "appeal_overturned": Rule(K.GENERAL, APPLICANT),
    "rectification_opened": Rule(K.GENERAL, TASK_HOLDERS),
    # 容缺受理 (workflow.tolerance): the reminder before the deadline and the termination notice
    # (the event's note is the text).
    "tolerance_reminded": Rule(K.GENERAL, APPLICANT),
    "terminated": Rule(K.GENERAL, APPLICANT),
}

# Channels beyond the notification centre, by kind (SMS to applicants for every step of their
# case; staff get e-mail, and SMS once something is overdue).
EXTERNAL_CHANNELS: dict[str, tuple[str, ...]] = {
    K.WARNING: (Channel.EMAIL,),
    K.OVERDUE: (Channel.EMAIL, Channel.SMS),
    K.ESCALATED: (Channel.EMAIL, Channel.SMS),
}
APPLICANT_CHANNELS: tuple[str, ...] = (Channel.SMS, Channel.EMAIL)


def rule_for(action: str) -> Rule | None:
    return RULES.get(action)
