"""绩效评估: the scorecard of departments and regions (issue 13 item 3; docs/statistics.md,
"Scorecard"). Each active indicator (``ScorecardIndicator``, weights edited in the admin) gives
a score from 0 to 100 out of the period's figures; a row's total is the weighted mean of the
scores it has data for (an indicator without data is left out and the others' weights carry
the total); rows are ranked by total, ties sharing a rank."""

from __future__ import annotations

import calendar as pycal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from departments.models import Department, Region
from workflow import access

from . import figures
from .db import reporting_alias
from .figures import Figures, Scope
from .models import Indicator, ScorecardIndicator

RED_CARD_POINTS = 10  # each red card in the period costs ten points of that indicator


def _red_cards(fig: Figures) -> tuple[Any, float | None]:
    """No score for a row with nothing at all in the period (no red card is no merit then)."""
    red = fig.volumes["red"]
    if not (sum(fig.volumes.values()) or fig.concluded):
        return red, None
    return red, float(max(0, 100 - RED_CARD_POINTS * red))


# indicator → (the figure shown, the score 0–100), from a group's Figures
RULES: dict[str, Callable[[Figures], tuple[Any, float | None]]] = {
    Indicator.ON_TIME: lambda f: (f.on_time_rate, f.on_time_rate),
    Indicator.LIMIT_REDUCTION: lambda f: (f.limit_reduction, f.limit_reduction),
    Indicator.SATISFACTION: lambda f: (f.satisfaction_rate, f.satisfaction_rate),
    Indicator.RECTIFICATION: lambda f: (f.rectified_on_time, f.rectified_on_time),
    Indicator.RED_CARDS: _red_cards,
    Indicator.ONLINE: lambda f: (f.online_application_rate, f.online_application_rate),
    Indicator.PARALLEL_GAIN: lambda f: (f.parallel_gain, f.parallel_gain),
    Indicator.ONE_VISIT: lambda f: (f.one_visit_share, f.one_visit_share),
}


@dataclass
class Score:
    indicator: str
    label: str
    weight: int
    value: Any
    score: float | None


@dataclass
class Row:
    key: int
    name: str
    figures: Figures
    scores: list[Score] = field(default_factory=list)
    total: float | None = None
    rank: int | None = None


def period_bounds(*, year: int, month: int | None = None) -> tuple[date, date]:
    """A month (``month`` given) or a whole year."""
    if month:
        return date(year, month, 1), date(year, month, pycal.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def active_indicators() -> list[ScorecardIndicator]:
    return list(
        ScorecardIndicator.objects.using(reporting_alias()).filter(active=True, weight__gt=0)
    )


def score_row(
    row: Row, indicators: list[ScorecardIndicator], labels: dict[str, str] | None = None
) -> Row:
    """``labels``: indicator → its translated label, made once for all rows (translating it
    per row and indicator was a tenth of the board's time)."""
    labels = labels if labels is not None else _labels(indicators)
    weighted = weights = 0.0
    for ind in indicators:
        rule = RULES.get(ind.indicator)
        value, score = rule(row.figures) if rule else (None, None)
        row.scores.append(Score(ind.indicator, labels[ind.indicator], ind.weight, value, score))
        if score is not None:
            weighted += ind.weight * score
            weights += ind.weight
    row.total = round(weighted / weights, 1) if weights else None
    return row


def _labels(indicators: list[ScorecardIndicator]) -> dict[str, str]:
    return {ind.indicator: str(ind.get_indicator_display()) for ind in indicators}


def rank(rows: list[Row]) -> list[Row]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4); rows without data last."""
    rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.name))
    previous, place = None, 0
    for i, row in enumerate(rows, start=1):
        if row.total is None:
            continue
        if row.total != previous:
            place, previous = i, row.total
        row.rank = place
    return rows


def region_ids_for(user: Any) -> frozenset[int] | None:
    """The regions whose scorecard the user sees (None: all): a supervisor's region and the
    regions below it, from the staff-role facts ``workflow.access`` re-exports; heads see no
    region scorecard (their department's is theirs)."""
    if access.supervised_department_ids(user) is None:
        return None
    ids: set[int] = set()
    for region in Region.objects.filter(pk__in=sorted(access.user_supervised_region_ids(user))):
        ids.update(region.descendant_ids())
    return frozenset(ids)


def scorecard(
    user: Any, *, by: str, year: int, month: int | None = None, scope: Scope | None = None
) -> tuple[list[Row], list[ScorecardIndicator]]:
    """The ranked rows of the departments (``by="department"``) or regions the user sees."""
    start, end = period_bounds(year=year, month=month)
    scope = scope or Scope.for_user(user)
    indicators = active_indicators()
    grouped = figures.compute(scope, start=start, end=end, by=by)
    alias = reporting_alias()
    if by == "department":
        qs = Department.objects.using(alias).filter(is_active=True)
        if scope.department_ids is not None:
            qs = qs.filter(pk__in=sorted(scope.department_ids))
        named = dict(qs.values_list("pk", "name"))
    else:
        regions = region_ids_for(user)
        qs = Region.objects.using(alias).all()
        if regions is not None:
            qs = qs.filter(pk__in=sorted(regions))
        named = dict(qs.values_list("pk", "name"))
    labels = _labels(indicators)
    rows = [
        score_row(
            Row(key=pk, name=name, figures=grouped.get(pk) or Figures(key=pk)), indicators, labels
        )
        for pk, name in named.items()
    ]
    return rank(rows), indicators
