"""The monthly roll-ups of the daily read models (docs/statistics.md, "Monthly roll-ups"):
``MonthlyFigure`` sums ``DailyFigure`` and ``MonthlyConcluded`` sums ``ConcludedFigure`` over
the local month, with the same keys otherwise, so a page reads a dozen rows a month instead of
a month of daily rows (the board's 12-month trend read a year of them per view).

They are never a second source of truth: each is kept by the statement that changes its daily
rows, so it is their sum whenever they are committed.

* **The feed** adds the same changes to both: the daily counters' upsert and the months' are one
  statement on PostgreSQL (:func:`execute_counters`; the feed's query count is unchanged), and
  the concluded cases' statement (``stats.concluded.write_facts_sql``) adds each case's change of
  contribution (new − old) to its day and to its month. Late events and duplicates therefore
  behave in the months exactly as in the days: a late event lands in its own day's month; a
  duplicate, marked already, changes neither.
* **A rebuild** (``stats.ingest.rebuild``) makes the period's daily rows again, then
  :func:`resum` sums the months the period touches again from their daily rows (whole months),
  in one transaction per table.
* **Reading**: :func:`split` cuts a period into its whole months (read here) and its ragged
  ends (read from the daily rows); the current, partial month is a ragged end.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import connections, transaction
from django.db.models import Q

from .counters import COUNTERS
from .db import WRITE_ALIAS
from .models import ConcludedFigure, DailyFigure, MonthlyConcluded, MonthlyFigure

COUNTER_KEY = ("month", "region_id", "department_id", "item_id", "channel", "service_model")
CONCLUDED_KEY = ("month", "region_id", "department_id", "item_id", "handling_days")
# the concluded sums: ConcludedFigure's columns after its key (stats.concluded.SUMS)
CONCLUDED_SUMS = tuple(
    f.column
    for f in MonthlyConcluded._meta.concrete_fields
    if f.column not in ("id", *CONCLUDED_KEY)
)
_COUNTER_TYPES = ("date", "bigint", "bigint", "bigint", "varchar", "varchar")


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def last_day(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def split(start: date, end: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """``start``..``end`` (inclusive) as (the day ranges read from the daily rows, the whole
    months read from the roll-ups as (first month, last month) or None)."""
    first = start if start.day == 1 else next_month(start)
    last = month_of(end + timedelta(days=1)) - timedelta(days=1)  # the last whole month's end
    if first > last:
        return [(start, end)], None
    ragged = []
    if start < first:
        ragged.append((start, first - timedelta(days=1)))
    if last < end:
        ragged.append((last + timedelta(days=1), end))
    return ragged, (first, month_of(last))


# --- kept by the feed ------------------------------------------------------------------------


def _month_rows(rows: dict[tuple, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    months: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, counts in rows.items():
        month = months[(month_of(key[0]), *key[1:])]
        for c in COUNTERS:
            month[c] += counts.get(c, 0)
    return months


def execute_counters(cursor, daily_sql: str, daily_params: list, rows: dict) -> None:
    """Run the daily counters' upsert ``daily_sql`` and add the same ``rows`` (daily key →
    counter → n) to their months: one statement on PostgreSQL (the daily upsert a data-modifying
    ``WITH`` that runs first, then the months', keys in order so concurrent feeds never
    deadlock), two elsewhere."""
    connection = cursor.db
    months = _month_rows(rows)
    keys = sorted(months, key=lambda k: (k[0].isoformat(), *k[1:]))
    q = connection.ops.quote_name
    table = q(MonthlyFigure._meta.db_table)
    columns = [*COUNTER_KEY, *COUNTERS]
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COUNTERS)
    conflict = f"ON CONFLICT ({', '.join(q(c) for c in COUNTER_KEY)}) DO UPDATE SET {updates}"  # nosec B608 - names from the models
    params: list = []
    for key in keys:
        params += [*key, *(months[key][c] for c in COUNTERS)]
    if connection.vendor != "postgresql":
        cursor.execute(daily_sql, daily_params)
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "  # noqa: S608  # nosec B608 - names from the models, values bound
            f"VALUES {', '.join([row] * len(keys))} {conflict}",
            params,
        )
        return
    types = (*_COUNTER_TYPES, *(["integer"] * len(COUNTERS)))
    row = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
    cursor.execute(
        f"WITH daily AS ({daily_sql} RETURNING 1) "  # noqa: S608  # nosec B608 - names from the models, values bound
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
        f"SELECT v.* FROM (VALUES {', '.join([row] * len(keys))}) AS v "
        # the daily upsert first (counting its rows makes it run to the end before these)
        "CROSS JOIN (SELECT count(*) FROM daily) AS d "
        f"ORDER BY {', '.join(f'{i + 1}' for i in range(len(COUNTER_KEY)))} {conflict}",
        [*daily_params, *params],
    )


def concluded_cte(contribution: str, nonzero: str) -> str:
    """The part of the facts' statement (``stats.concluded.write_facts_sql``) that adds the
    change of the cases' contributions (the CTE ``contribution``: sign, day key, sums) to their
    months; it returns the ids of month rows left with no case."""
    q = connections[WRITE_ALIAS].ops.quote_name
    table = q(MonthlyConcluded._meta.db_table)
    key = ", ".join(CONCLUDED_KEY)
    rest = ", ".join(CONCLUDED_KEY[1:])
    delta = ", ".join(f"sum(sign * {c})" for c in CONCLUDED_SUMS)
    add = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in CONCLUDED_SUMS)
    return (
        f"INSERT INTO {table} ({', '.join(q(c) for c in (*CONCLUDED_KEY, *CONCLUDED_SUMS))}) "  # nosec B608 - names from the models
        f"SELECT date_trunc('month', day)::date AS month, {rest}, {delta} FROM {contribution} "
        f"GROUP BY 1, {rest} HAVING {nonzero} ORDER BY {key} "
        f"ON CONFLICT ({', '.join(q(c) for c in CONCLUDED_KEY)}) DO UPDATE SET {add} "
        f"RETURNING {table}.id, {table}.cases"
    )


def drop_empty_months(cursor, ids) -> None:
    if ids:
        table = connections[WRITE_ALIAS].ops.quote_name(MonthlyConcluded._meta.db_table)
        cursor.execute(
            f"DELETE FROM {table} WHERE id = ANY(%s) AND cases = 0",  # noqa: S608  # nosec B608
            [list(ids)],
        )


# --- summed again from the daily rows (a rebuild, the migration, SQLite) ----------------------


def _resum_sql(source, target, key: tuple[str, ...], sums: tuple[str, ...], where: str) -> str:
    q = connections[WRITE_ALIAS].ops.quote_name
    rest = ", ".join(q(c) for c in key[1:])
    return (
        f"INSERT INTO {q(target._meta.db_table)} "  # noqa: S608  # nosec B608 - names from the models
        f"({', '.join(q(c) for c in (*key, *sums))}) "
        f"SELECT {month_sql(connections[WRITE_ALIAS].vendor)}, {rest}, "
        f"{', '.join(f'sum({q(c)})' for c in sums)} FROM {q(source._meta.db_table)} {where} "
        f"GROUP BY 1, {rest} ORDER BY 1, {rest}"
    )


def month_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return "date_trunc('month', day)::date"
    return "date(day, 'start of month')"


def resum(
    start: date | None = None,
    end: date | None = None,
    *,
    using: str = WRITE_ALIAS,
    counters: bool = True,
    concluded: bool = True,
) -> None:
    """Sum the months that ``start``..``end`` touches (both None: every month) again from their
    daily rows — whole months, whatever part of them the period covers (``counters``,
    ``concluded``: which of the two roll-ups)."""
    pairs = []
    if counters:
        pairs.append((DailyFigure, MonthlyFigure, COUNTER_KEY, COUNTERS))
    if concluded:
        pairs.append((ConcludedFigure, MonthlyConcluded, CONCLUDED_KEY, CONCLUDED_SUMS))
    first = month_of(start) if start else None
    last = last_day(month_of(end)) if end else None
    conditions, params = [], []
    if first:
        conditions.append("day >= %s")
        params.append(first)
    if last:
        conditions.append("day <= %s")
        params.append(last)
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for source, target, key, sums in pairs:
            months = target.objects.using(using)
            if first:
                months = months.filter(month__gte=first)
            if last:
                months = months.filter(month__lte=last)
            months.delete()
            cursor.execute(_resum_sql(source, target, key, sums, where), params)


# --- read ------------------------------------------------------------------------------------


def sources(
    start: date, end: date, *, counters: bool = True, alias: str, models: tuple | None = None
) -> list[tuple[Any, str]]:
    """The rows of ``start``..``end`` as (queryset, its day column): the daily rows of the
    ragged ends and the monthly rows of the whole months — of the counters (``counters``:
    ``DailyFigure`` / ``MonthlyFigure``), of the concluded cases (``ConcludedFigure`` /
    ``MonthlyConcluded``), or of ``models`` (a daily model with ``day``, its roll-up with
    ``month``: the ratings')."""
    daily, monthly_model = models or (
        (DailyFigure, MonthlyFigure) if counters else (ConcludedFigure, MonthlyConcluded)
    )
    ragged, months = split(start, end)
    out: list[tuple[Any, str]] = []
    if ragged:
        days = Q()
        for first, last in ragged:
            days |= Q(day__gte=first, day__lte=last)
        out.append((daily.objects.using(alias).filter(days), "day"))
    if months:
        out.append(
            (
                monthly_model.objects.using(alias).filter(
                    month__gte=months[0], month__lte=months[1]
                ),
                "month",
            )
        )
    return out


def union(querysets: list) -> list[dict]:
    """The rows of these grouped ``values()`` querysets (same columns) in ONE query (a
    ``UNION ALL``); the caller adds the rows of a group that come from both."""
    if not querysets:
        return []
    first, *rest = [qs.order_by() for qs in querysets]
    return list(first.union(*rest, all=True) if rest else first)
