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
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from centres.models import Ticket, TicketStatus
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
        "centre_id", "window_id", "status", "issued_at", "called_at", "started_at", "finished_at"
    )


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
    """window id → hour start → figures (one query)."""
    out: dict[int, dict[datetime, WindowHour]] = defaultdict(lambda: defaultdict(WindowHour))
    for _c, window_id, status, issued, called, started, finished in _rows([centre.pk], day, day):
        if window_id is None or called is None:
            continue
        out[window_id][_hour_start(called)].waits.append((called - issued).total_seconds())
        if status == TicketStatus.DONE and finished is not None:
            out[window_id][_hour_start(finished)].served += 1
            begin = started or called
            cursor = begin
            while cursor < finished:  # split the visit over the hours it spans
                hour = _hour_start(cursor)
                edge = min(finished, hour + timedelta(hours=1))
                out[window_id][hour].handling_s += (edge - cursor).total_seconds()
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
    """Every (centre, hour) with tickets in the period, in order (one query)."""
    hours: dict[tuple[int, datetime], CentreHour] = {}
    tickets = list(_rows(centre_ids, start, end))

    def slot(centre_id: int, hour: datetime) -> CentreHour:
        key = (centre_id, hour)
        if key not in hours:
            hours[key] = CentreHour(centre_id=centre_id, hour=hour)
        return hours[key]

    for centre_id, window_id, _s, issued, called, started, finished in tickets:
        row = slot(centre_id, _hour_start(issued))
        row.arrivals += 1
        if called is not None:
            row.waits.append((called - issued).total_seconds())
            worked = slot(centre_id, _hour_start(called))
            if window_id is not None:
                worked.windows.add(window_id)
            if finished is not None:
                worked.handling.append((finished - (started or called)).total_seconds())
    # Backlog at each hour's start: issued before it, not called by then (a call always
    # follows the issue, so it is the issues before minus the calls before).
    issued_at: dict[int, list[datetime]] = defaultdict(list)
    called_at: dict[int, list[datetime]] = defaultdict(list)
    for centre_id, _w, _s, issued, called, _st, _f in tickets:
        issued_at[centre_id].append(issued)
        if called is not None:
            called_at[centre_id].append(called)
    for values in (*issued_at.values(), *called_at.values()):
        values.sort()
    for (centre_id, hour), row in hours.items():
        row.backlog = bisect_left(issued_at[centre_id], hour) - bisect_left(
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
