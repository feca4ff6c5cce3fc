"""Load figures of the service centre, read from the tickets (no stored aggregates):

- per window and hour (``window_hours``): tickets served (finished in the hour), handling time
  (the part of each visit inside the hour), waiting time of the tickets it called in the hour,
  and idle time (the hour's seconds not spent handling, for a window that served anyone that
  day: there is no record of when a window was staffed);
- per centre, day and hour (``centre_hours``): arrivals, the backlog at the hour's start, the
  90th-percentile wait of the tickets issued in the hour, the windows that worked, and — for an
  hour whose p90 wait exceeded ``threshold`` (15 minutes) — how many more windows would have
  kept it under (潮汐窗口), by the smallest number ``n`` of windows such that
  * the fluid queue stays under 15 minutes' work: with backlog ``B``, arrivals ``λ`` and
    ``μ`` tickets per window-hour, ``B ≤ n·μ/4`` when ``λ ≤ n·μ``, else ``B + λ − n·μ ≤ n·μ/4``;
  * and the steady M/M/n queue at ``λ`` has its p90 wait under 15 minutes (Erlang C).
  Arrivals are taken as spread over the hour: a burst inside it needs more than this says.

A transferred visit (转窗) is counted per window part (``TicketTransfer`` keeps the parts a
window handed on): each window gets the wait in its own queue and its own handling; the visit is
served where it was finished; the visitor's wait is the sum of the waits, without the handling
at the window that transferred it.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from centres.models import Ticket, TicketStatus, TicketTransfer
from departments.models import ServiceCentre
from workflow.deadlines.calendar import SHANGHAI

THRESHOLD_SECONDS = 15 * 60
HOURS = range(8, 19)  # the hall's hours shown (08:00–18:59)


def _hour_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment, SHANGHAI)
    return local.replace(minute=0, second=0, microsecond=0)


def _p90(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


def _rows(centre_ids: list[int], start: date, end: date):
    since = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return Ticket.objects.filter(
        centre_id__in=centre_ids, issued_at__gte=since, issued_at__lt=until
    ).values_list(
        "pk",
        "centre_id",
        "window_id",
        "status",
        "issued_at",
        "called_at",
        "started_at",
        "finished_at",
    )


@dataclass(frozen=True)
class Part:
    """One window's part of a visit: the wait for it, and its handling (``handled_from`` to
    ``handled_until``; None while the visit is still at the window or was skipped)."""

    centre_id: int
    window_id: int | None
    queued_at: datetime
    called_at: datetime | None
    handled_from: datetime | None
    handled_until: datetime | None
    finished: bool  # the part that ended the visit (served)
    issued_at: datetime
    ticket_id: int

    @property
    def wait_s(self) -> float | None:
        if self.called_at is None:
            return None
        return (self.called_at - self.queued_at).total_seconds()

    @property
    def handling_s(self) -> float | None:
        if self.handled_from is None or self.handled_until is None:
            return None
        return (self.handled_until - self.handled_from).total_seconds()


def _parts(centre_ids: list[int], start: date, end: date) -> list[Part]:
    """Every window part of the period's tickets (two queries): the parts a window handed on
    (``TicketTransfer``) and each ticket's current part, whose wait began at the last transfer
    (or the issue) — the handling at an earlier window is no wait."""
    tickets = list(_rows(centre_ids, start, end))
    handed_on: dict[int, list] = defaultdict(list)
    for row in (
        TicketTransfer.objects.filter(ticket_id__in=[t[0] for t in tickets])
        .order_by("transferred_at", "pk")
        .values_list(
            "ticket_id", "from_window_id", "queued_at", "called_at", "started_at", "transferred_at"
        )
    ):
        handed_on[row[0]].append(row)
    parts: list[Part] = []
    for pk, centre_id, window_id, status, issued, called, started, finished in tickets:
        earlier = handed_on.get(pk, [])
        for _t, from_window, queued, part_called, part_started, moved in earlier:
            parts.append(
                Part(
                    centre_id,
                    from_window,
                    queued,
                    part_called,
                    part_started or part_called,
                    moved,
                    False,
                    issued,
                    pk,
                )
            )
        done = status == TicketStatus.DONE and finished is not None
        parts.append(
            Part(
                centre_id,
                window_id,
                earlier[-1][5] if earlier else issued,
                called,
                (started or called) if done else None,
                finished if done else None,
                done,
                issued,
                pk,
            )
        )
    return parts


@dataclass
class WindowHour:
    served: int = 0
    handling_s: float = 0.0
    waits: list[float] = field(default_factory=list)

    @property
    def idle_s(self) -> float:
        return max(3600.0 - self.handling_s, 0.0)

    @property
    def wait_avg_s(self) -> float:
        return sum(self.waits) / len(self.waits) if self.waits else 0.0


def window_hours(*, centre: ServiceCentre, day: date) -> dict[int, dict[datetime, WindowHour]]:
    """window id → hour start → figures (two queries). A transferred visit counts at each
    window for its part: the wait in that window's queue and the handling there; it is served
    where it was finished."""
    out: dict[int, dict[datetime, WindowHour]] = defaultdict(lambda: defaultdict(WindowHour))
    for part in _parts([centre.pk], day, day):
        if part.window_id is None or part.called_at is None:
            continue
        hours = out[part.window_id]
        hours[_hour_start(part.called_at)].waits.append(part.wait_s)
        if part.finished:
            hours[_hour_start(part.handled_until)].served += 1
        if part.handled_from is None or part.handled_until is None:
            continue
        cursor = part.handled_from
        while cursor < part.handled_until:  # split the part over the hours it spans
            hour = _hour_start(cursor)
            edge = min(part.handled_until, hour + timedelta(hours=1))
            hours[hour].handling_s += (edge - cursor).total_seconds()
            cursor = edge
    return {w: dict(hours) for w, hours in out.items()}


def _erlang_c(n: int, load: float) -> float:
    """Probability of waiting in M/M/n with offered load ``load`` = λ/μ (< n)."""
    term, total = 1.0, 1.0
    for k in range(1, n):
        term *= load / k
        total += term
    term *= load / n
    last = term * n / (n - load)
    return last / (total + last)


def windows_needed(
    *, arrivals: int, backlog: int, handling_s: float, threshold_s: float = THRESHOLD_SECONDS
) -> int:
    """The fewest windows that keep the hour's p90 wait under ``threshold_s`` (module rules)."""
    if arrivals == 0 and backlog == 0:
        return 0
    mu = 3600.0 / max(handling_s, 1.0)  # tickets per window-hour
    share = threshold_s / 3600.0
    n = 1
    while n < 500:
        capacity = n * mu
        fluid = (
            backlog <= share * capacity
            if arrivals <= capacity
            else backlog + arrivals - capacity <= share * capacity
        )
        steady = True
        if arrivals < capacity and arrivals > 0:
            c = _erlang_c(n, arrivals / mu)
            if c > 0.1:  # p90 wait = ln(C / 0.1) / (nμ − λ), in hours
                steady = math.log(c / 0.1) / (capacity - arrivals) <= share
        elif arrivals >= capacity:
            steady = False
        if fluid and steady:
            return n
        n += 1
    return n


@dataclass
class CentreHour:
    centre_id: int
    hour: datetime
    arrivals: int = 0
    backlog: int = 0
    waits: list[float] = field(default_factory=list)
    handling: list[float] = field(default_factory=list)
    windows: set = field(default_factory=set)

    @property
    def p90_s(self) -> float:
        return _p90(self.waits)

    @property
    def extra_windows(self) -> int:
        if self.p90_s <= THRESHOLD_SECONDS:
            return 0
        handling = sum(self.handling) / len(self.handling) if self.handling else 480.0
        need = windows_needed(arrivals=self.arrivals, backlog=self.backlog, handling_s=handling)
        return max(need - len(self.windows), 1)


def centre_hours(*, centre_ids: list[int], start: date, end: date) -> list[CentreHour]:
    """Every (centre, hour) with tickets in the period, in order (two queries). A ticket's
    wait is the sum of its waits for each window it was called to (not the handling at a
    window that transferred it); each part's handling counts in the hour it was called."""
    hours: dict[tuple[int, datetime], CentreHour] = {}
    parts = _parts(centre_ids, start, end)

    def slot(centre_id: int, hour: datetime) -> CentreHour:
        key = (centre_id, hour)
        if key not in hours:
            hours[key] = CentreHour(centre_id=centre_id, hour=hour)
        return hours[key]

    waits: dict[int, float] = {}
    issued_of: dict[int, tuple[int, datetime]] = {}
    # Entries into a queue (issues and transfers) and calls, per centre, for the backlog.
    entered: dict[int, list[datetime]] = defaultdict(list)
    called_at: dict[int, list[datetime]] = defaultdict(list)
    for part in parts:
        issued_of[part.ticket_id] = (part.centre_id, part.issued_at)
        entered[part.centre_id].append(part.queued_at)
        if part.called_at is None:
            continue
        called_at[part.centre_id].append(part.called_at)
        waits[part.ticket_id] = waits.get(part.ticket_id, 0.0) + part.wait_s
        worked = slot(part.centre_id, _hour_start(part.called_at))
        if part.window_id is not None:
            worked.windows.add(part.window_id)
        if part.handling_s is not None:
            worked.handling.append(part.handling_s)
    for ticket_id, (centre_id, issued) in issued_of.items():
        row = slot(centre_id, _hour_start(issued))
        row.arrivals += 1
        if ticket_id in waits:
            row.waits.append(waits[ticket_id])
    # Backlog at each hour's start: tickets that entered a queue before it and were not
    # called from it by then (every call follows its entry into the queue).
    for values in (*entered.values(), *called_at.values()):
        values.sort()
    for (centre_id, hour), row in hours.items():
        row.backlog = bisect_left(entered[centre_id], hour) - bisect_left(
            called_at[centre_id], hour
        )
    return sorted(hours.values(), key=lambda r: (r.centre_id, r.hour))


def heat_map(*, centre_ids: list[int], start: date, end: date) -> dict[str, Any]:
    """{days: [{day, centre_id, cells: [{hour, p90_min, level}]}], busy: [CentreHour…]}."""
    rows = centre_hours(centre_ids=centre_ids, start=start, end=end)
    grid: dict[tuple[int, date], dict[int, CentreHour]] = defaultdict(dict)
    for row in rows:
        grid[(row.centre_id, row.hour.date())][row.hour.hour] = row
    days = []
    for (centre_id, day), by_hour in sorted(grid.items()):
        cells = []
        for h in HOURS:
            row = by_hour.get(h)
            p90 = row.p90_s if row else 0.0
            level = (
                "none"
                if row is None or not row.waits
                else "high"
                if p90 > THRESHOLD_SECONDS
                else "mid"
                if p90 > THRESHOLD_SECONDS / 2
                else "low"
            )
            cells.append({"hour": h, "p90_min": round(p90 / 60), "level": level})
        days.append({"centre_id": centre_id, "day": day, "cells": cells})
    busy = [r for r in rows if r.waits and r.p90_s > THRESHOLD_SECONDS]
    return {"days": days, "busy": busy, "hours": list(HOURS)}
