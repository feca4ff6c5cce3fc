"""How the timeline and the task pages name events and review stages (shared by the back
office and the citizen's pages). Unknown actions show as recorded."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from permits.choices import EventAction

STAGE_LABELS = {
    "undertake": _("Undertake"),
    "check": _("Check"),
    "sign": _("Sign"),
}
# Event actions (permits.choices.EventAction) → how the timeline reads them; every member has
# a label (tests/workflow/test_labels.py), an action recorded before a rename shows as recorded.
EVENT_LABELS = {
    "created": _("Application created"),
    "form_updated": _("Form saved"),
    "material_uploaded": _("Material uploaded"),
    "material_deleted": _("Material removed"),
    "submitted": _("Application submitted"),
    "accepted": _("Accepted"),
    "not_accepted": _("Not accepted"),
    "supplement_requested": _("Supplement requested"),
    "clock_paused": _("Time limit paused"),
    "clock_resumed": _("Time limit resumed"),
    "inspection_passed": _("On-site inspection passed"),
    "inspection_failed": _("On-site inspection failed"),
    "approved": _("Approved"),
    "denied": _("Denied"),
    "withdrawn": _("Withdrawn"),
    "handed_over": _("Result handed over"),
    "tolerance_recorded": _("Accepted with tolerated materials missing"),
    "tolerance_reminded": _("Reminded of the tolerated materials"),
    "tolerance_fulfilled": _("Tolerated materials delivered"),
    "terminated": _("Terminated"),
    "original_checked": _("Original checked at the window"),
    "document_generated": _("Notice generated"),
    "task_claimed": _("Task claimed"),
    "task_released": _("Task released"),
    "task_reassigned": _("Task reassigned"),
    "supplement_answered": _("Supplement submitted"),
    "paused": _("Time limit paused"),
    "resumed": _("Time limit resumed"),
    "department_notified": _("Department notified"),
    "department_approved": _("Department agreed"),
    "department_denied": _("Department disagreed"),
    "department_deemed_approved": _("Deemed approved (overdue)"),
    "consultation_requested": _("Departments consulted again"),
    "stage_approved": _("Review stage completed"),
    "inspection_needed": _("On-site inspection needed"),
    "clock_dated_back": _("Time limit dated back"),
    "clock_extended": _("Time limit extended"),
    "task_warning": _("Yellow warning"),
    "task_overdue": _("Overdue (red warning)"),
    "task_escalated": _("Escalated"),
    "case_warning": _("Case near its time limit"),
    "case_overdue": _("Case overdue"),
    "case_shared": _("Case shared for an opinion"),
    "case_share_ended": _("Case share ended"),
    "task_delegated": _("Task delegated to a colleague"),
    "task_delegation_ended": _("Task delegation ended"),
    "call_linked": _("Repeated call linked"),
    "task_reminded": _("Reminder sent (催办)"),
    "petition_review_requested": _("Petition review requested"),
    "petition_review_decided": _("Petition review decided"),
    "petition_hearing": _("Petition hearing"),
    "dispatched": _("Dispatched to a department"),
    "department_replied": _("Department replied"),
    "department_returned": _("Department returned the case"),
    "sent_back": _("Sent back to the department"),
    "answered": _("Answered"),
    "reopened": _("Reopened for a second handling"),
    "rated": _("Rated by the applicant"),
    "rating_defaulted": _("System default rating"),
    "rating_reminded": _("Rating reminder sent"),
    "case_closed": _("Case closed"),
    "rectification_opened": _("Rectification opened (差评)"),
    "rectification_callback": _("The citizen was called back about the rating"),
    "rectified": _("Rectified; the citizen was called back"),
    "rectification_appealed": _("Rating appealed"),
    "appeal_upheld": _("Appeal upheld: the rating stands"),
    "appeal_overturned": _("Appeal granted: the rating is set aside"),
    "fix_confirmed": _("The citizen answered on the fix"),
}

# What the applicant's timeline leaves out: the back office's own housekeeping.
INTERNAL_EVENTS = frozenset(
    {
        EventAction.FORM_UPDATED,
        EventAction.TASK_CLAIMED,
        EventAction.TASK_RELEASED,
        EventAction.TASK_REASSIGNED,
        EventAction.TASK_WARNING,
        EventAction.TASK_OVERDUE,
        EventAction.TASK_ESCALATED,
        EventAction.TASK_REMINDED,
        EventAction.CASE_WARNING,
        EventAction.CASE_SHARED,
        EventAction.CASE_SHARE_ENDED,
        EventAction.TASK_DELEGATED,
        EventAction.TASK_DELEGATION_ENDED,
    }
)


def event_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ")


def stage_label(stage: str) -> str:
    label = STAGE_LABELS.get(stage)
    return str(label) if label is not None else stage


# A department's status in a case ("Approved" there means the department agreed, not the
# licence: hence a context of its own).
PARTICIPATION_LABELS = {
    "waiting": pgettext_lazy("department status", "Waiting"),
    "in_review": pgettext_lazy("department status", "In review"),
    "supplement": pgettext_lazy("department status", "Supplement requested"),
    "approved": pgettext_lazy("department status", "Approved"),
    "denied": pgettext_lazy("department status", "Denied"),
    "deemed_approved": pgettext_lazy("department status", "Deemed approved"),
    "replied": pgettext_lazy("department status", "Replied"),
    "returned": pgettext_lazy("department status", "Returned"),
}


def participation_label(status: str) -> str:
    label = PARTICIPATION_LABELS.get(status)
    return str(label) if label is not None else status


# A deemed approval's opinion is the system's (逾期视为同意), written by the sweep in the worker's
# language: pages show it in the reader's language instead (issue 14 item 6).
DEEMED_APPROVAL_OPINION = _("Deemed approved: no answer within the time limit (逾期视为同意).")


def participation_opinion(participation) -> str:
    """A department row's opinion as the reader reads it."""
    if getattr(participation, "status", "") == "deemed_approved":
        return str(DEEMED_APPROVAL_OPINION)
    return getattr(participation, "opinion", "") or ""
