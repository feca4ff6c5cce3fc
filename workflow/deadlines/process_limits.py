"""The limits of a process-centred case (咨询、投诉、建议、信访、12345 热线、联合年检、网上申报):
how long the coordinating office has to triage, how long a dispatched department has to reply,
and by when the case is answered.

Each limit is ONE function call that the steps make (``workflow.steps.triage``, ``handling``,
``reply_review``), so the rules of a kind of request (the case's ``request_kind`` and the
caller's urgency, petitions under 信访工作条例) replace the bodies here without touching the
steps. Until then every limit comes from the item version the case runs on: the dispatch
catalogue's row of the department (its ``time_limit_days`` and unit), else the item's promised
limit, in working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from permits.models import Application
from workflow.deadlines import calendar as cal
from workflow.spec import VersionSpec, version_spec

# When an item says nothing at all (it always has promised_days; this is the floor).
DEFAULT_DAYS = 5


@dataclass(frozen=True)
class Limit:
    """A time limit: ``days`` of ``unit`` (``working_day``, ``calendar_day`` …)."""

    days: int
    unit: str = cal.WORKING_DAY

    def due(self, start: datetime) -> datetime:
        """When the limit that starts at ``start`` ends (the work calendar's arithmetic)."""
        return cal.add_time_limit(start=start, days=self.days, unit=self.unit)


def _spec(application: Application, spec: VersionSpec | None) -> VersionSpec:
    return spec or version_spec(application.item_version)


def _by_request(application: Application, stage: str) -> Limit | None:
    """The request-kind rules (``workflow.deadlines.requestlimits``: Guangdong 12345 by kind and
    urgency, the item's own rows, petitions under 信访工作条例) for a case that names its kind
    or is urgent; None for a case that does neither (the item's limits then apply)."""
    from workflow.deadlines import requestlimits

    urgent = (getattr(application, "urgency", "") or "normal") != "normal"
    if not (getattr(application, "request_kind", "") or urgent):
        return None
    found = requestlimits.request_limit(application, stage=stage)
    return Limit(found.amount, str(found.unit)) if found else None


def answer_limit(application: Application, *, spec: VersionSpec | None = None) -> Limit:
    """By when the case is answered, counted from its submission (or its reopening): the
    request kind's limit, else the item's promised limit."""
    by_request = _by_request(application, "handling")
    if by_request is not None:
        return by_request
    spec = _spec(application, spec)
    return Limit(int(spec.promised_days or DEFAULT_DAYS))


def triage_limit(application: Application, *, spec: VersionSpec | None = None) -> Limit:
    """How long the office has to answer, refuse or dispatch (the same rule as acceptance:
    five working days, or the promised limit when shorter); a petition is registered and
    routed within 15 days (信访工作条例 第二十四条); an urgent case within its hours."""
    if (getattr(application, "request_kind", "") or "") == "petition" or (
        getattr(application, "urgency", "") or "normal"
    ) != "normal":
        by_request = _by_request(application, "triage")
        if by_request is not None:
            return by_request
    return Limit(_spec(application, spec).acceptance_days)


def dispatch_limit(
    application: Application, *, department_id: int, spec: VersionSpec | None = None
) -> Limit:
    """The default limit of a dispatched department (the triage page pre-fills it; a dispatch
    without a limit gets it): its row in the item's dispatch catalogue, else the item's
    promised limit."""
    spec = _spec(application, spec)
    if (getattr(application, "urgency", "") or "normal") != "normal":
        return answer_limit(application, spec=spec)  # an urgent case's hours win
    row = next((d for d in spec.dispatch_catalogue if d.department_id == department_id), None)
    if row is not None and row.time_limit_days:
        return Limit(int(row.time_limit_days), row.time_limit_unit or cal.WORKING_DAY)
    return answer_limit(application, spec=spec)


def review_limit(application: Application, *, spec: VersionSpec | None = None) -> Limit:
    """How long the office has to compose the consolidated answer once every department
    replied (one working day)."""
    return Limit(1)


def units() -> tuple[str, ...]:
    """The units a dispatch may name (the work calendar's)."""
    return tuple(cal.UNITS)
