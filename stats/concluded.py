"""The daily aggregate of the concluded cases (``ConcludedFigure``), kept by the statement that
writes the case facts (docs/statistics.md, "Concluded cases").

On PostgreSQL one statement writes a batch of facts and adds, per aggregate key, the change of
those cases' contributions: the new facts' sums minus the old facts' (read in the same
statement, before its own upsert: every part of a ``WITH`` sees one snapshot). A recomputed
case with the same facts changes nothing; a case whose conclusion moved (reopened, a late
pause, a rebuild in another month) leaves its old day and joins its new one. Concurrent feeds
of different cases only add to the same rows (``ON CONFLICT DO UPDATE``, keys in order); the
feeds of one case are serialised by its advisory lock (``stats.ingest._lock_cases``).

Elsewhere (the demo's SQLite, one writer at a time) the aggregate rows of the days touched are
summed again from the facts."""

from __future__ import annotations

from django.db import connections
from django.db.models import Count, Q, Sum

from . import monthly
from .models import CONCLUDED, CaseFact, ConcludedFigure

KEY = ("day", "region_id", "department_id", "item_id", "handling_days")
# aggregate column → its SQL over one fact row (``f``)
SUMS: dict[str, str] = {
    "cases": "1",
    "handling": "coalesce(f.handling_days, 0)",
    "gross": "coalesce(f.gross_days, 0)",
    "supplement": "coalesce(f.supplement_days, 0)",
    "special": "coalesce(f.special_days, 0)",
    "with_due": "(f.on_time IS NOT NULL)::int",
    "on_time": "coalesce(f.on_time, false)::int",
    "instant": "f.instant::int",
    "online_completed": "f.online_completed::int",
    "visits": "f.visits",
    "parallel": "(f.parallel_sum_days IS NOT NULL)::int",
    "parallel_elapsed": "coalesce(f.parallel_elapsed_days, 0)",
    "parallel_own": "coalesce(f.parallel_sum_days, 0)",
}
KEY_SQL = (
    "f.concluded_on",
    "f.region_id",
    "f.department_id",
    "f.item_id",
    "coalesce(f.handling_days, -1)",
)


def _concluded_condition() -> str:
    return "f.outcome IN (" + ", ".join(f"'{o}'" for o in sorted(CONCLUDED)) + ")"


def write_facts_sql(new_facts: str) -> str:
    """One statement: upsert the fact rows ``new_facts`` selects (a query whose columns are
    named as ``CaseFact``'s) and add the change of their contributions to the aggregate.
    Returns one row: the facts written, the ids of aggregate rows left with no case (of the
    days and of the months: the same change is added to the cases' months, ``stats.monthly``)."""
    connection = connections["default"]
    q = connection.ops.quote_name
    facts, table = q(CaseFact._meta.db_table), q(ConcludedFigure._meta.db_table)
    columns = [f.column for f in CaseFact._meta.concrete_fields]
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in columns if c != "application_id")
    keys = ", ".join(f"{expr} AS {name}" for name, expr in zip(KEY, KEY_SQL, strict=True))
    sums = ", ".join(f"{expr} AS {name}" for name, expr in SUMS.items())
    names = [*KEY, *SUMS]
    delta = ", ".join(f"sum(sign * {c}) AS {c}" for c in SUMS)
    nonzero = " OR ".join(f"sum(sign * {c}) <> 0" for c in SUMS)
    add = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in SUMS)
    concluded = _concluded_condition()
    column_list = ", ".join(q(c) for c in columns)
    return f"""
WITH new AS MATERIALIZED ({new_facts}),
old AS MATERIALIZED (
  SELECT f.* FROM {facts} f WHERE f.application_id IN (SELECT application_id FROM new)
),
up AS (
  INSERT INTO {facts} ({column_list}) SELECT {column_list} FROM new ORDER BY application_id
  ON CONFLICT (application_id) DO UPDATE SET {updates}
  RETURNING 1
),
contribution AS (
  SELECT 1 AS sign, {keys}, {sums} FROM new f WHERE {concluded}
  UNION ALL
  SELECT -1 AS sign, {keys}, {sums} FROM old f WHERE {concluded}
),
agg AS (
  INSERT INTO {table} ({", ".join(q(c) for c in names)})
  SELECT {", ".join(KEY)}, {delta} FROM contribution
  GROUP BY {", ".join(KEY)} HAVING {nonzero}
  ORDER BY {", ".join(KEY)}
  ON CONFLICT ({", ".join(q(c) for c in KEY)}) DO UPDATE SET {add}
  RETURNING {table}.id, {table}.cases
),
months AS ({monthly.concluded_cte("contribution", nonzero)})
SELECT (SELECT count(*) FROM up), json_build_array(
  (SELECT array_agg(id) FROM agg WHERE cases = 0),
  (SELECT array_agg(id) FROM months WHERE cases = 0)
)
"""  # noqa: S608  # nosec B608 - names from the models


def drop_empty(cursor, ids) -> None:
    """Forget the aggregate rows whose every case left them (their sums are all 0 then):
    ``ids`` is the statement's second column, [the days' ids, the months' ids]."""
    ids, months = ids or (None, None)
    monthly.drop_empty_months(cursor, months)
    if ids:
        table = connections["default"].ops.quote_name(ConcludedFigure._meta.db_table)
        cursor.execute(
            f"DELETE FROM {table} WHERE id = ANY(%s) AND cases = 0",  # noqa: S608  # nosec B608
            [list(ids)],
        )


def rebuild_from_facts_sql() -> str:
    """The whole aggregate from the facts (the migration that adds it, and checks)."""
    q = connections["default"].ops.quote_name
    keys = ", ".join(KEY_SQL)
    sums = ", ".join(f"sum({expr})" for expr in SUMS.values())
    return (
        f"INSERT INTO {q(ConcludedFigure._meta.db_table)} "  # noqa: S608  # nosec B608
        f"({', '.join(q(c) for c in (*KEY, *SUMS))}) "
        f"SELECT {keys}, {sums} FROM {q(CaseFact._meta.db_table)} f "
        f"WHERE {_concluded_condition()} GROUP BY {keys} ORDER BY {keys}"
    )


def resum_days(days, using: str = "default") -> None:
    """Sum the aggregate rows of these days again from the facts (SQLite: one writer)."""
    days = sorted({d for d in days if d is not None})
    if not days:
        return
    _resum_days(days, using)
    for month in sorted({monthly.month_of(d) for d in days}):
        monthly.resum(month, month, using=using, counters=False)


def _resum_days(days, using: str) -> None:
    ConcludedFigure.objects.using(using).filter(day__in=days).delete()
    rows = (
        CaseFact.objects.using(using)
        .filter(concluded_on__in=days, outcome__in=CONCLUDED)
        .values("concluded_on", "region_id", "department_id", "item_id", "handling_days")
        .annotate(
            n=Count("pk"),
            h=Sum("handling_days"),
            g=Sum("gross_days"),
            s=Sum("supplement_days"),
            p=Sum("special_days"),
            due=Count("pk", filter=Q(on_time__isnull=False)),
            ok=Count("pk", filter=Q(on_time=True)),
            i=Count("pk", filter=Q(instant=True)),
            o=Count("pk", filter=Q(online_completed=True)),
            v=Sum("visits"),
            par=Count("pk", filter=Q(parallel_sum_days__isnull=False)),
            e=Sum("parallel_elapsed_days"),
            own=Sum("parallel_sum_days"),
        )
        .order_by()
    )
    ConcludedFigure.objects.using(using).bulk_create(
        [
            ConcludedFigure(
                day=r["concluded_on"],
                region_id=r["region_id"],
                department_id=r["department_id"],
                item_id=r["item_id"],
                handling_days=-1 if r["handling_days"] is None else r["handling_days"],
                cases=r["n"],
                handling=r["h"] or 0,
                gross=r["g"] or 0,
                supplement=r["s"] or 0,
                special=r["p"] or 0,
                with_due=r["due"],
                on_time=r["ok"],
                instant=r["i"],
                online_completed=r["o"],
                visits=r["v"] or 0,
                parallel=r["par"],
                parallel_elapsed=r["e"] or 0,
                parallel_own=r["own"] or 0,
            )
            for r in rows
        ]
    )
