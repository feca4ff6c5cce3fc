"""The figures Chinese assessments use (issue 13 item 2), over a period, for what a user may
see, overall or grouped by department, region, item or month. Every definition, with a worked
example, is in docs/statistics.md; the tests compute each from a known set of cases.

Reads only the read models (``DailyFigure``, ``ConcludedFigure``, ``RatingFigure`` and their
monthly roll-ups), the catalogue, and the ratings' own rates (``evaluations.figures.Month``;
their counting rule is the ratings read model's, ``stats.ratings``): a fixed number of grouped
queries whatever the number of cases (``compute``: five)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from departments.models import Department, Region
from evaluations import figures as rating_figures
from permits.choices import OnlineDepth
from permits.models import ServiceItem
from workflow import access

from . import monthly, ratings
from .concluded import SUMS as CONCLUDED_SUMS
from .counters import COUNTERS
from .db import reporting_alias

GROUPINGS = ("department", "region", "item", "month")
CHANNELS = ("online", "window", "hotline", "api")


def pct(part: float | int | None, whole: float | int | None) -> float | None:
    """``part`` over ``whole`` in percent, one decimal; None when there is no whole."""
    if not whole or part is None:
        return None
    return round(100 * part / whole, 1)


def p90(values: list[int]) -> int | None:
    """The 90th percentile by nearest rank: the smallest value at least 90 % of the values do
    not exceed (10 values → the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def p90_of_counts(counts: list[tuple[int, int]]) -> int | None:
    """:func:`p90` of values given as (value, how many times): the smallest value whose
    running count reaches ⌈0.9 n⌉."""
    total = sum(n for _v, n in counts)
    if not total:
        return None
    rank, seen = max(1, math.ceil(0.9 * total)), 0
    for value, n in sorted(counts):
        seen += n
        if seen >= rank:
            return value
    return None


@dataclass(frozen=True)
class Scope:
    """What a user may see, narrowed by the page's filters: ``department_ids`` None means every
    department (a superuser with no filter); always decided by ``workflow.access``."""

    department_ids: frozenset[int] | None
    item_id: int | None = None

    @classmethod
    def for_user(
        cls,
        user: Any,
        *,
        department_id: int | None = None,
        region_id: int | None = None,
        item_id: int | None = None,
    ) -> Scope:
        ids = access.supervised_department_ids(user)
        if region_id:
            region = Region.objects.filter(pk=region_id).first()
            in_region = frozenset(
                Department.objects.filter(
                    region_id__in=region.descendant_ids() if region else []
                ).values_list("pk", flat=True)
            )
            ids = in_region if ids is None else ids & in_region
        if department_id:
            wanted = frozenset({department_id})
            ids = wanted if ids is None else ids & wanted
        return cls(department_ids=ids, item_id=item_id)

    def apply(self, qs, *, department: str = "department_id", item: str = "item_id"):
        if self.department_ids is not None:
            qs = qs.filter(**{f"{department}__in": sorted(self.department_ids)})
        if self.item_id:
            qs = qs.filter(**{item: self.item_id})
        return qs


@dataclass
class Figures:
    """One group's figures (percentages 0–100, days in working days; None: no data)."""

    key: Any = None
    volumes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    # catalogue (items)
    items: int = 0
    full_online_items: int = 0
    online_capable_items: int = 0
    one_visit_items: int = 0
    zero_visit_items: int = 0
    legal_days_sum: int = 0
    promised_days_sum: int = 0
    # concluded cases
    concluded: int = 0
    handling_days_sum: int = 0
    handling_days: list[int] = field(default_factory=list)
    p90_sql: int | None = None  # the percentile from the counts per handling time
    with_due: int = 0
    on_time: int = 0
    gross_days_sum: int = 0
    supplement_days_sum: int = 0
    special_days_sum: int = 0
    instant: int = 0
    online_completed: int = 0
    visits_sum: int = 0
    parallel_cases: int = 0
    parallel_elapsed_sum: int = 0
    parallel_own_sum: int = 0
    # ratings (evaluations.figures.Month)
    ratings: Any = None

    # --- 三率一数 and 网上可办率 ---
    @property
    def full_online_rate(self) -> float | None:
        return pct(self.full_online_items, self.items)

    @property
    def online_capable_rate(self) -> float | None:
        return pct(self.online_capable_items, self.items)

    @property
    def one_visit_share(self) -> float | None:
        return pct(self.one_visit_items, self.items)

    @property
    def zero_visit_share(self) -> float | None:
        return pct(self.zero_visit_items, self.items)

    @property
    def online_application_rate(self) -> float | None:
        return pct(self.by_channel.get("online", 0), self.volumes["applications"])

    @property
    def online_completion_rate(self) -> float | None:
        return pct(self.online_completed, self.concluded)

    @property
    def average_visits(self) -> float | None:
        return round(self.visits_sum / self.concluded, 2) if self.concluded else None

    # --- time ---
    @property
    def average_days(self) -> float | None:
        return round(self.handling_days_sum / self.concluded, 1) if self.concluded else None

    @property
    def p90_days(self) -> int | None:
        return self.p90_sql if self.p90_sql is not None else p90(self.handling_days)

    @property
    def on_time_rate(self) -> float | None:
        return pct(self.on_time, self.with_due)

    @property
    def supplement_share(self) -> float | None:
        return pct(self.supplement_days_sum, self.gross_days_sum)

    @property
    def special_share(self) -> float | None:
        return pct(self.special_days_sum, self.gross_days_sum)

    @property
    def lost_share(self) -> float | None:
        return pct(self.supplement_days_sum + self.special_days_sum, self.gross_days_sum)

    @property
    def limit_reduction(self) -> float | None:
        """承诺时限压缩比: how far the promised limits are below the legal ones."""
        return pct(self.legal_days_sum - self.promised_days_sum, self.legal_days_sum)

    @property
    def instant_share(self) -> float | None:
        return pct(self.instant, self.concluded)

    # --- parallel licensing ---
    @property
    def parallel_saved_days(self) -> int:
        return self.parallel_own_sum - self.parallel_elapsed_sum

    @property
    def parallel_gain(self) -> float | None:
        """The share of the departments' summed own time that running them at once saved."""
        return pct(self.parallel_saved_days, self.parallel_own_sum)

    # --- satisfaction ---
    @property
    def satisfaction_rate(self) -> float | None:
        return self.ratings.satisfaction_rate if self.ratings is not None else None

    @property
    def rectified_on_time(self) -> float | None:
        return self.ratings.on_time_share if self.ratings is not None else None

    @property
    def rating_count(self) -> int:
        return self.ratings.total if self.ratings is not None else 0


def _month(value) -> date:
    return date(value.year, value.month, 1)


def _group_expr(by: str | None, *, month_field: str, department="department_id"):
    if by is None:
        return None
    if by == "month":
        return TruncMonth(month_field)
    return F({"department": department, "region": "region_id", "item": "item_id"}[by])


def _key(value, by):
    if by == "month" and value is not None:
        return _month(value)
    return value


def _rows(qs, group, fields: tuple[str, ...] = (), **aggregates) -> list[dict]:
    """Grouped aggregates: one row per group (``g``), or a single row for no group (an
    ``aggregate()``, never a row per object)."""
    if group is None and not fields:
        return [{"g": None, **qs.aggregate(**aggregates)}]
    if group is None:
        return list(qs.values(*fields).annotate(**aggregates).order_by())
    return list(qs.annotate(g=group).values("g", *fields).annotate(**aggregates).order_by())


def _rows_of(sources: list[tuple[Any, str]], by: str | None, fields=(), **aggregates):
    """:func:`_rows` over the sources of a period (``monthly.sources``: daily rows, monthly
    rows), in one query when grouped; rows of one group from both sources are added by the
    caller."""
    if by is None:
        return [row for qs, _day in sources for row in _rows(qs, None, fields, **aggregates)]
    return monthly.union(
        [
            qs.annotate(g=_group_expr(by, month_field=day))
            .values("g", *fields)
            .annotate(**aggregates)
            for qs, day in sources
        ]
    )


PARTS = ("daily", "facts", "times", "catalogue", "ratings")


def compute(
    scope: Scope,
    *,
    start: date,
    end: date,
    by: str | None = None,
    parts: tuple[str, ...] = PARTS,
) -> dict[Any, Figures]:
    """The figures of ``start``..``end`` (inclusive), one ``Figures`` per group (``by``: None
    for one overall group keyed None, or one of ``GROUPINGS``). One grouped query per part
    (``parts``: the counters, the concluded cases' sums, their times for the percentile, the
    catalogue, the ratings)."""
    if by == "month":
        return _compute_by(scope, start=start, end=end, by=by, parts=parts)
    return compute_many(scope, start=start, end=end, bys=(by,), parts=parts)[by]


# the finest grain the groupings other than the month are summed from
_FINE = {"department": "department_id", "region": "region_id", "item": "item_id"}


def compute_many(
    scope: Scope,
    *,
    start: date,
    end: date,
    bys: tuple[str | None, ...] = (None, "department", "region", "item"),
    parts: tuple[str, ...] = PARTS,
) -> dict[str | None, dict[Any, Figures]]:
    """:func:`compute` for several groupings of one period at once (not ``month``): one query
    per part at the grain of (department, region, item), summed into each grouping here — the
    read models' rows of the period are read once, not once per grouping."""
    alias = reporting_alias()
    out: dict[str | None, dict[Any, Figures]] = {by: {} for by in bys}

    def figs(row: dict, names: dict[str, str] = _FINE):
        for by in bys:
            key = row[names[by]] if by else None
            group = out[by]
            if key not in group:
                group[key] = Figures(key=key)
            yield group[key]

    fine = tuple(_FINE.values())
    if "daily" in parts:
        daily = [
            scope.apply(qs).values(*fine, "channel").annotate(**{c: Sum(c) for c in COUNTERS})
            for qs, _day in monthly.sources(start, end, counters=True, alias=alias)
        ]
        for row in monthly.union(daily):
            channel = row["channel"] or "online"
            for f in figs(row):
                for c in COUNTERS:
                    f.volumes[c] += row[c] or 0
                f.by_channel[channel] = f.by_channel.get(channel, 0) + (row["applications"] or 0)
    concluded = [
        scope.apply(qs) for qs, _day in monthly.sources(start, end, counters=False, alias=alias)
    ]
    # the concluded cases' sums and their counts per handling time (the percentile) from one
    # read: the handling time is in the rows' key
    histograms: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    if "facts" in parts or "times" in parts:
        sums = {c: Sum(c) for c in CONCLUDED_SUMS}
        rows = [qs.values(*fine, "handling_days").annotate(**sums) for qs in concluded]
        for row in monthly.union(rows):
            if not row["cases"]:
                continue
            if "facts" in parts:
                for f in figs(row):
                    _add_concluded(f, row)
            if "times" in parts and row["handling_days"] >= 0:
                for by in bys:
                    histograms[(by, row[_FINE[by]] if by else None)].append(
                        (row["handling_days"], row["cases"])
                    )
    if "times" in parts:
        for (by, key), counts in histograms.items():
            if key not in out[by]:
                out[by][key] = Figures(key=key)
            out[by][key].p90_sql = p90_of_counts(counts)
    if "catalogue" in parts:
        items = scope.apply(
            ServiceItem.objects.using(alias).filter(status="published"),
            department="lead_department_id",
            item="pk",
        )
        limits = Q(legal_days__gt=0, promised_days__isnull=False)
        names = {"department": "lead_department_id", "region": "region_id", "item": "pk"}
        for row in items.values(*names.values()).annotate(
            n=Count("pk"),
            full=Count("pk", filter=Q(online_depth=OnlineDepth.FULL_ONLINE)),
            capable=Count("pk", filter=~Q(online_depth=OnlineDepth.WINDOW_ONLY)),
            one=Count("pk", filter=Q(max_visits__lte=1)),
            zero=Count("pk", filter=Q(max_visits=0)),
            legal=Sum("legal_days", filter=limits),
            promised=Sum("promised_days", filter=limits),
        ):
            for f in figs(row, names):
                _add_catalogue(f, row)
    if "ratings" in parts:
        for by, months in _ratings_many(scope, start=start, end=end, bys=bys).items():
            for key, month in months.items():
                if key not in out[by]:
                    out[by][key] = Figures(key=key)
                out[by][key].ratings = month
    return out


def _add_concluded(f: Figures, row: dict) -> None:
    f.concluded += row["cases"]
    f.handling_days_sum += row["handling"] or 0
    f.gross_days_sum += row["gross"] or 0
    f.supplement_days_sum += row["supplement"] or 0
    f.special_days_sum += row["special"] or 0
    f.with_due += row["with_due"] or 0
    f.on_time += row["on_time"] or 0
    f.instant += row["instant"] or 0
    f.online_completed += row["online_completed"] or 0
    f.visits_sum += row["visits"] or 0
    f.parallel_cases += row["parallel"] or 0
    f.parallel_elapsed_sum += row["parallel_elapsed"] or 0
    f.parallel_own_sum += row["parallel_own"] or 0


def _add_catalogue(f: Figures, row: dict) -> None:
    f.items += row["n"]
    f.full_online_items += row["full"]
    f.online_capable_items += row["capable"]
    f.one_visit_items += row["one"]
    f.zero_visit_items += row["zero"]
    f.legal_days_sum += row["legal"] or 0
    f.promised_days_sum += row["promised"] or 0


def _compute_by(
    scope: Scope, *, start: date, end: date, by: str | None, parts: tuple[str, ...]
) -> dict[Any, Figures]:
    alias = reporting_alias()
    out: dict[Any, Figures] = {}

    def fig(key) -> Figures:
        if key not in out:
            out[key] = Figures(key=key)
        return out[key]

    # 1. volumes and supervision counters (DailyFigure; MonthlyFigure for whole months)
    daily = [
        (scope.apply(qs), day)
        for qs, day in monthly.sources(start, end, counters=True, alias=alias)
    ]
    daily_rows = (
        _rows_of(daily, by, ("channel",), **{c: Sum(c) for c in COUNTERS})
        if "daily" in parts
        else []
    )
    for row in daily_rows:
        f = fig(_key(row.get("g"), by))
        for c in COUNTERS:
            f.volumes[c] += row[c] or 0
        f.by_channel[row["channel"] or "online"] = f.by_channel.get(
            row["channel"] or "online", 0
        ) + (row["applications"] or 0)

    # 2. concluded cases: sums of their daily aggregate (ConcludedFigure; MonthlyConcluded for
    # whole months), never the facts
    concluded = [
        (scope.apply(qs), day)
        for qs, day in monthly.sources(start, end, counters=False, alias=alias)
    ]
    # 3. with them, the 90th percentile of the handling times, by nearest rank over the counts
    # per handling time (the aggregate's key holds the handling time): one read for both
    histograms: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    fact_rows = (
        _rows_of(concluded, by, ("handling_days",), **{c: Sum(c) for c in CONCLUDED_SUMS})
        if "facts" in parts or "times" in parts
        else []
    )
    for row in fact_rows:
        if not row["cases"]:
            continue
        key = _key(row.get("g"), by)
        if "facts" in parts:
            _add_concluded(fig(key), row)
        if "times" in parts and row["handling_days"] >= 0:
            histograms[key].append((row["handling_days"], row["cases"]))
    for key, counts in histograms.items():
        fig(key).p90_sql = p90_of_counts(counts)

    # 4. the catalogue: published items of the departments in scope
    items = scope.apply(
        ServiceItem.objects.using(alias).filter(status="published"),
        department="lead_department_id",
        item="pk",
    )
    catalogue_group = {"department": "lead_department_id", "region": "region_id", "item": "pk"}
    cg = catalogue_group.get(by or "")
    limits = Q(legal_days__gt=0, promised_days__isnull=False)
    catalogue_rows = (
        _rows(
            items,
            F(cg) if cg else None,
            n=Count("pk"),
            full=Count("pk", filter=Q(online_depth=OnlineDepth.FULL_ONLINE)),
            capable=Count("pk", filter=~Q(online_depth=OnlineDepth.WINDOW_ONLY)),
            one=Count("pk", filter=Q(max_visits__lte=1)),
            zero=Count("pk", filter=Q(max_visits=0)),
            legal=Sum("legal_days", filter=limits),
            promised=Sum("promised_days", filter=limits),
        )
        if "catalogue" in parts
        else []
    )
    for row in catalogue_rows:
        # by month the catalogue is the same in every month: it is added to each month below
        targets = [fig(row["g"])] if cg else ([fig(None)] if by is None else [])
        if by == "month":
            targets = [fig(k) for k in list(out)] or []
        for f in targets:
            f.items += row["n"]
            f.full_online_items += row["full"]
            f.online_capable_items += row["capable"]
            f.one_visit_items += row["one"]
            f.zero_visit_items += row["zero"]
            f.legal_days_sum += row["legal"] or 0
            f.promised_days_sum += row["promised"] or 0

    # 5. satisfaction: the ratings' own counting rule and rates
    ratings = _ratings(scope, start=start, end=end, by=by) if "ratings" in parts else {}
    for key, month in ratings.items():
        fig(key).ratings = month
    return out


def _rating_sources(scope: Scope, *, start: date, end: date) -> list[tuple[Any, str]]:
    """The ratings' read model of the period (``stats.ratings``: the counted ratings per day,
    and per month for the whole months), in scope."""
    return [
        (scope.apply(qs), day)
        for qs, day in monthly.sources(start, end, alias=reporting_alias(), models=ratings.MODELS)
    ]


_RATING_SUMS = {"n": Sum("ratings"), "on_time": Sum("on_time")}


def _add_rating(out: dict, key, row: dict, start: date) -> None:
    m = out.get(key)
    if m is None:
        m = out[key] = rating_figures.Month(month=key or start)
    m.add(level=row["level"], n=row["n"] or 0, on_time=row["on_time"] or 0)


def _ratings_many(
    scope: Scope, *, start: date, end: date, bys: tuple[str | None, ...]
) -> dict[str | None, dict[Any, Any]]:
    """:func:`_ratings` for several groupings (not ``month``): one query at the grain of
    (department, region, item, level)."""
    out: dict[str | None, dict[Any, Any]] = {by: {} for by in bys}
    rows = monthly.union(
        [
            qs.values(*_FINE.values(), "level").annotate(**_RATING_SUMS)
            for qs, _day in _rating_sources(scope, start=start, end=end)
        ]
    )
    for row in rows:
        for by in bys:
            _add_rating(out[by], row[_FINE[by]] if by else None, row, start)
    return out


def _ratings(scope: Scope, *, start: date, end: date, by: str | None) -> dict[Any, Any]:
    """The ratings' figures (``evaluations.figures.Month``) per group: one query."""
    out: dict[Any, Any] = {}
    sources = _rating_sources(scope, start=start, end=end)
    for row in _rows_of(sources, by, ("level",), **_RATING_SUMS):
        _add_rating(out, _key(row.get("g"), by), row, start)
    return out


def overall(scope: Scope, *, start: date, end: date) -> Figures:
    return compute(scope, start=start, end=end).get(None) or Figures()


def headline(scope: Scope, *, start: date, end: date) -> Figures:
    """The supervision board panel's figures: the counters and the concluded cases' sums only
    (two queries; the same values as the statistics page's)."""
    return compute(scope, start=start, end=end, parts=("daily", "facts")).get(None) or Figures()
