"""Limits of process-centred cases by request kind and urgency (DESIGN.md §4, issue 8).

The one function the process-centred flow's steps call for a due: :func:`request_due` (and
:func:`request_limit` for the amount and unit it uses). The rules:

* Guangdong's 12345 rules (in force since 2022-09-01): 咨询 (``enquiry``) answered within 2
  working days; 求助 (``help``) and 建议 (``suggestion``) within 10; 投诉 (``complaint``) and
  举报 (``report``) within 15. Urgent matters within hours (``urgent`` 2 h, ``very_urgent`` 1 h),
  counted around the clock from the moment the clock starts.
* An item may configure its own limits (``workflow.intake.models.RequestLimit``, admin): a row
  for the kind and urgency wins over a row for the kind (any urgency), which wins over the
  defaults; for an urgent case an item's urgency row for the kind wins over the default hours.
* Petitions (信访工作条例 2022) count calendar days and ignore the urgency: registered and routed
  (``triage``) within 15 days of receipt (第二十四条); the petitioner told whether it is accepted
  within 15 days of the handling unit's receipt (``acceptance``, 第三十条); handled within 60
  days of acceptance (``handling``, 第三十五条), extendable once by up to 30
  (:data:`PETITION_EXTENSION_MAX`); 复查 and 复核 each asked within 30 days of the opinion and
  decided within 30 (第三十六、三十七条; hearing time not counted in 复核) —
  :data:`PETITION_REVIEW_REQUEST_DAYS`, :data:`PETITION_REVIEW_DECISION_DAYS`.
* Stages: ``handling`` (the case's limit: a department's dispatch without its own limit, the
  case clock), ``triage`` (the coordinating office's first step: the handling limit for 12345
  cases; 15 days for a petition) and ``acceptance`` (petitions only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from permits.choices import RequestKind, TimeLimitUnit, Urgency
from workflow.deadlines import calendar as cal

WD, CD, HOUR = TimeLimitUnit.WORKING_DAY, TimeLimitUnit.CALENDAR_DAY, TimeLimitUnit.HOUR


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # working_day | calendar_day | hour

    def due(self, start: datetime) -> datetime:
        return cal.add_time_limit(start=start, days=self.amount, unit=self.unit)

    def as_dict(self) -> dict[str, Any]:
        return {"time_limit_days": self.amount, "time_limit_unit": str(self.unit)}


# Guangdong 12345 (粤府办〔2022〕… in force 2022-09-01): the defaults an item may override.
DEFAULT_LIMITS: dict[str, Limit] = {
    RequestKind.ENQUIRY: Limit(2, WD),
    RequestKind.HELP: Limit(10, WD),
    RequestKind.SUGGESTION: Limit(10, WD),
    RequestKind.COMPLAINT: Limit(15, WD),
    RequestKind.REPORT: Limit(15, WD),
}
URGENT_LIMITS: dict[str, Limit] = {
    Urgency.URGENT: Limit(2, HOUR),
    Urgency.VERY_URGENT: Limit(1, HOUR),
}
# A case without a request kind is handled as a complaint would be (the longest 12345 limit).
FALLBACK_KIND = RequestKind.COMPLAINT

# 信访工作条例 (2022), calendar days.
PETITION_REGISTRATION_DAYS = 15
PETITION_ACCEPTANCE_DAYS = 15
PETITION_HANDLING_DAYS = 60
PETITION_EXTENSION_MAX = 30
PETITION_REVIEW_REQUEST_DAYS = 30
PETITION_REVIEW_DECISION_DAYS = 30
PETITION_LIMITS: dict[str, Limit] = {
    "triage": Limit(PETITION_REGISTRATION_DAYS, CD),
    "acceptance": Limit(PETITION_ACCEPTANCE_DAYS, CD),
    "handling": Limit(PETITION_HANDLING_DAYS, CD),
}
STAGES = ("triage", "acceptance", "handling")

# Item categories that name the request kind when the case does not (API.md categories).
KIND_BY_CATEGORY = {
    "complaint": RequestKind.COMPLAINT,
    "petition": RequestKind.PETITION,
    "enquiry": RequestKind.ENQUIRY,
    "suggestion": RequestKind.SUGGESTION,
}


def kind_of(application: Any) -> str:
    """The case's request kind; else the one its item's category names; else complaint."""
    kind = getattr(application, "request_kind", "") or ""
    if kind:
        return kind
    item = getattr(application, "item", None)
    return KIND_BY_CATEGORY.get(getattr(item, "category", ""), FALLBACK_KIND)


def item_limits(item_id: int | None) -> dict[tuple[str, str], Limit]:
    """The item's own rows, keyed by (kind, urgency) — one query."""
    if not item_id:
        return {}
    from workflow.intake.models import RequestLimit

    return {
        (row.request_kind, row.urgency): Limit(row.amount, row.unit)
        for row in RequestLimit.objects.filter(item_id=item_id)
    }


def limit_for(
    *,
    request_kind: str,
    urgency: str = Urgency.NORMAL,
    stage: str = "handling",
    configured: dict[tuple[str, str], Limit] | None = None,
) -> Limit | None:
    """The limit of a stage for a kind and urgency, given the item's ``configured`` rows. None
    when the stage has no limit of its own (``acceptance`` outside petitions)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    configured = configured or {}
    urgency = urgency or Urgency.NORMAL
    if request_kind == RequestKind.PETITION:
        if stage == "handling" and (RequestKind.PETITION, "") in configured:
            return configured[(RequestKind.PETITION, "")]
        return PETITION_LIMITS[stage]
    if stage == "acceptance":
        return None
    if urgency != Urgency.NORMAL:
        return configured.get((request_kind, urgency)) or URGENT_LIMITS[urgency]
    return (
        configured.get((request_kind, Urgency.NORMAL))
        or configured.get((request_kind, ""))
        or DEFAULT_LIMITS.get(request_kind)
        or DEFAULT_LIMITS[FALLBACK_KIND]
    )


def request_limit(application: Any, *, stage: str = "handling") -> Limit | None:
    """The limit of ``stage`` for this case (its kind, urgency and item's rows; one query)."""
    return limit_for(
        request_kind=kind_of(application),
        urgency=getattr(application, "urgency", "") or Urgency.NORMAL,
        stage=stage,
        configured=item_limits(getattr(application, "item_id", None)),
    )


def request_due(application: Any, *, start: datetime, stage: str = "handling") -> datetime | None:
    """When the stage's limit that starts at ``start`` ends (None: no limit of its own)."""
    limit = request_limit(application, stage=stage)
    return limit.due(start) if limit else None


def petition_review_due(*, start: datetime) -> datetime:
    """Both a 复查/复核 request's limit (from the opinion) and its decision's (from the request):
    30 calendar days."""
    return cal.add_time_limit(start=start, days=PETITION_REVIEW_DECISION_DAYS, unit=CD)
