"""A case's facts from its events (docs/statistics.md, "Case facts"): a pure function of the
case's event log and its catalogue row, so the same events give the same facts in whatever
order they arrived, and the incremental read model equals the rebuilt one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

from permits.choices import EventAction as A
from permits.choices import OnlineDepth
from workflow.deadlines import calendar as cal

from .models import CONCLUDED, Outcome

_ENDS = {
    A.APPROVED: Outcome.APPROVED,
    A.DENIED: Outcome.DENIED,
    A.ANSWERED: Outcome.ANSWERED,
    A.NOT_ACCEPTED: Outcome.NOT_ACCEPTED,
    A.WITHDRAWN: Outcome.WITHDRAWN,
    A.TERMINATED: Outcome.TERMINATED,
}
_DEPARTMENT_DECISIONS = (A.DEPARTMENT_APPROVED, A.DEPARTMENT_DENIED, A.DEPARTMENT_DEEMED_APPROVED)
# Channels where the applicant need not come: the case came in online (or by the hotline or a
# partner system), and the item is handled fully online.
_REMOTE_CHANNELS = ("online", "hotline", "api")


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    action: str
    department_id: int | None = None
    data: dict = field(default_factory=dict)


def _working_dates(start: datetime, end: datetime) -> set[date]:
    """The working days a clock stood still from ``start`` to ``end``: those after the start
    day up to and including the end day (the clocks' own rule, ``clocks.shift``)."""
    first, last = cal.local_date(start), cal.local_date(end)
    days, current = set(), first
    while current < last:
        current += timedelta(days=1)
        if cal.is_working_day(current):
            days.add(current)
    return days


def _intervals(events: list[EventRow], opening: str, closing: str, *, key) -> list[tuple]:
    """(start, end) of each pause: ``opening`` events matched with the ``closing`` event of the
    same ``key`` (pauses still open have no end and are left out)."""
    open_: dict[Any, datetime] = {}
    out = []
    for e in events:
        if e.action == opening:
            open_.setdefault(key(e), e.at)
        elif e.action == closing and key(e) in open_:
            out.append((open_.pop(key(e)), e.at))
    return out


def case_fact(*, application: dict, events: list[EventRow]) -> dict[str, Any]:
    """The CaseFact columns of one case. ``application``: number, item_id, region_id,
    lead_department_id, channel, due_at and the item's service_model, online_depth,
    promised_days, legal_days. ``events``: all of the case's events."""
    events = sorted(events, key=lambda e: (e.at, e.id))
    submitted = next((e.at for e in events if e.action == A.SUBMITTED), None)
    accepted = next((e.at for e in events if e.action == A.ACCEPTED), None)
    dated_back = next((e for e in events if e.action == A.CLOCK_DATED_BACK), None)
    start = accepted or submitted
    if dated_back is not None and dated_back.data.get("start"):
        start = parse_datetime(dated_back.data["start"]) or start
    outcome, ended = "", None
    for e in events:
        if e.action in _ENDS:
            outcome, ended = _ENDS[A(e.action)], e.at
        elif e.action == A.REOPENED:
            outcome, ended = "", None
    concluded = outcome in CONCLUDED

    supplement = set()
    for a, b in _intervals(events, A.PAUSED, A.RESUMED, key=lambda e: "case"):
        supplement |= _working_dates(a, b)
    special = set()
    for a, b in _intervals(
        events, A.CLOCK_PAUSED, A.CLOCK_RESUMED, key=lambda e: e.data.get("pause")
    ):
        special |= _working_dates(a, b)
    special -= supplement  # a day both paused counts once, for the supplement

    gross = handling = None
    if concluded and start is not None:
        gross = max(0, cal.working_days_between(start, ended))
        first, last = cal.local_date(start), cal.local_date(ended)
        lost = {d for d in supplement | special if first < d <= last}
        handling = max(0, gross - len(lost))
    due = application.get("due_at")
    channel = application.get("channel") or ""
    depth = application.get("online_depth") or ""
    remote = channel in _REMOTE_CHANNELS and depth == OnlineDepth.FULL_ONLINE
    first_day = cal.local_date(submitted or start) if (submitted or start) else None

    notified: dict[int, datetime] = {}
    decided: dict[int, datetime] = {}
    for e in events:
        if e.action == A.DEPARTMENT_NOTIFIED and e.department_id:
            notified.setdefault(e.department_id, e.at)
        elif e.action in _DEPARTMENT_DECISIONS and e.department_id in notified:
            decided[e.department_id] = e.at
    elapsed = summed = None
    if len(notified) >= 2 and set(decided) >= set(notified):
        summed = sum(cal.working_days_between(notified[d], decided[d]) for d in notified)
        elapsed = cal.working_days_between(min(notified.values()), max(decided.values()))

    return {
        "number": application.get("number") or "",
        "item_id": application.get("item_id") or 0,
        "region_id": application.get("region_id") or 0,
        "department_id": application.get("lead_department_id") or 0,
        "channel": channel,
        "service_model": application.get("service_model") or "",
        "online_depth": depth,
        "submitted_on": cal.local_date(submitted) if submitted else None,
        "clock_start": start,
        "concluded_at": ended,
        "concluded_on": cal.local_date(ended) if ended else None,
        "outcome": outcome,
        "gross_days": gross,
        "supplement_days": len(supplement),
        "special_days": len(special),
        "handling_days": handling,
        "promised_days": application.get("promised_days"),
        "legal_days": application.get("legal_days"),
        "due_at": due,
        "on_time": (ended <= due) if (concluded and due is not None) else None,
        "instant": bool(concluded and first_day is not None and cal.local_date(ended) == first_day),
        "visits": 0 if not concluded or remote or channel in ("hotline", "api") else 1,
        "online_completed": bool(concluded and remote and channel == "online"),
        "supplemented": any(e.action == A.SUPPLEMENT_REQUESTED for e in events),
        "departments": len(notified),
        "parallel_elapsed_days": elapsed,
        "parallel_sum_days": summed,
        "last_event_id": max((e.id for e in events), default=0),
    }
