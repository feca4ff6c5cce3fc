"""The case facts of ``stats.facts`` computed set-based in SQL on PostgreSQL, for the rebuild
(``stats.ingest.rebuild``): one ``INSERT … SELECT … ON CONFLICT`` per chunk of cases instead of
reading each case's events into Python (~0.5 ms a case, 60 % of a month's rebuild at 1M).

The same definitions, statement for statement (docs/statistics.md, "Case facts"); the feed keeps
the Python function (a few cases per transaction), and
``tests/statistics/test_figures.py::test_a_rebuild_equals_the_incremental_result`` compares the
two row by row. Working days come from a temporary table of every day with its running count
of working days (the work calendar's rule: an adjusted working day works, a holiday row does
not, otherwise Monday to Friday), so ``working_days_between(a, b)`` is ``n(b) − n(a)``."""

from __future__ import annotations

from django.db import connections

from permits.choices import EventAction as A
from permits.choices import OnlineDepth
from permits.models import Application, Event, ServiceItem
from workflow.deadlines.calendar import SHANGHAI
from workflow.models import CalendarDay, CalendarDayKind

from .concluded import drop_empty, write_facts_sql
from .facts import _DEPARTMENT_DECISIONS, _ENDS, _REMOTE_CHANNELS
from .models import CONCLUDED

DAYS_TABLE = "statistics_tmp_workdays"
FIRST_DAY, LAST_DAY = "1990-01-01", "2100-12-31"


def _lit(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in sorted(values))


def prepare_days(cursor) -> None:
    """The temporary table of days (``d``, working ``w``, running count ``n``) for this
    session (:func:`drop_days` drops it)."""
    cursor.execute(f"DROP TABLE IF EXISTS {DAYS_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {DAYS_TABLE} "
        "(d date PRIMARY KEY, w boolean NOT NULL, n integer NOT NULL)"
    )
    cursor.execute(
        f"INSERT INTO {DAYS_TABLE} (d, w, n) "  # noqa: S608  # nosec B608 - names from the models
        "SELECT d, w, sum(w::int) OVER (ORDER BY d) FROM ("
        "  SELECT s.d::date AS d, CASE WHEN c.kind = %s THEN true WHEN c.kind IS NOT NULL "
        "  THEN false ELSE extract(isodow FROM s.d) < 6 END AS w "
        f"  FROM generate_series(%s::date, %s::date, interval '1 day') AS s(d) "
        f"  LEFT JOIN {CalendarDay._meta.db_table} c ON c.date = s.d::date) days",
        [CalendarDayKind.ADJUSTED_WORKDAY, FIRST_DAY, LAST_DAY],
    )
    cursor.execute(f"ANALYZE {DAYS_TABLE}")


def drop_days(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {DAYS_TABLE}")


def _statement() -> str:
    q = connections["default"].ops.quote_name
    events, apps = q(Event._meta.db_table), q(Application._meta.db_table)
    items = q(ServiceItem._meta.db_table)
    versions = q(Application._meta.get_field("item_version").related_model._meta.db_table)
    tz = SHANGHAI.key
    ends = _lit(_ENDS)
    concluded = _lit(CONCLUDED)
    decisions = _lit(_DEPARTMENT_DECISIONS)
    remote = _lit(_REMOTE_CHANNELS)
    days = DAYS_TABLE

    def local(expr: str) -> str:
        return f"(({expr}) AT TIME ZONE '{tz}')::date"

    def n(expr: str) -> str:  # the running count of working days at a moment's local day
        return f"(SELECT x.n FROM {days} x WHERE x.d = {local(expr)})"  # nosec B608 - names and actions are the code's constants

    # A pause's intervals: each closing event paired with the first opening after the previous
    # closing of the same key (the opening events in between are ignored, as are closings with
    # nothing open and openings never closed): ``g`` numbers the closings before an event.
    def intervals(opening: str, closing: str, key: str) -> str:
        return (
            "SELECT app, min(at) FILTER (WHERE action = '" + opening + "') AS a, "
            "min(at) FILTER (WHERE action = '" + closing + "') AS b FROM ("  # nosec B608 - names and actions are the code's constants
            f"  SELECT app, at, action, count(*) FILTER (WHERE action = '{closing}') OVER ("
            f"    PARTITION BY app, {key} ORDER BY at, id "
            "    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS g, "
            f"  {key} AS k FROM ev WHERE action IN ('{opening}', '{closing}')) p "
            "GROUP BY app, k, g "
            f"HAVING bool_or(action = '{opening}') AND bool_or(action = '{closing}')"
        )

    def dates(table: str) -> str:  # the working days after a's day up to and including b's
        return (
            f"SELECT DISTINCT i.app, w.d FROM {table} i JOIN {days} w "  # nosec B608 - names and actions are the code's constants
            f"ON w.d > {local('i.a')} AND w.d <= {local('i.b')} AND w.w"
        )

    return f"""
WITH ev AS MATERIALIZED (
  SELECT e.id, e.application_id AS app, e.at, e.action, e.department_id AS dept, e.data
  FROM {events} e WHERE e.application_id = ANY(%(ids)s::bigint[])
),
base AS (
  SELECT app,
    min(at) FILTER (WHERE action = '{A.SUBMITTED}') AS submitted,
    min(at) FILTER (WHERE action = '{A.ACCEPTED}') AS accepted,
    bool_or(action = '{A.SUPPLEMENT_REQUESTED}') AS supplemented,
    max(id) AS last_id
  FROM ev GROUP BY app
),
dated AS (
  SELECT DISTINCT ON (app) app, nullif(data ->> 'start', '') AS start
  FROM ev WHERE action = '{A.CLOCK_DATED_BACK}' ORDER BY app, at, id
),
ending AS (
  SELECT DISTINCT ON (app) app, action, at
  FROM ev WHERE action IN ({ends}, '{A.REOPENED}') ORDER BY app, at DESC, id DESC
),
sup_iv AS ({intervals(A.PAUSED, A.RESUMED, "0")}),
spec_iv AS ({intervals(A.CLOCK_PAUSED, A.CLOCK_RESUMED, "nullif(data -> 'pause', 'null')")}),
sup_d AS ({dates("sup_iv")}),
spec_d AS (SELECT * FROM ({dates("spec_iv")}) s EXCEPT SELECT * FROM sup_d),
notified AS (
  SELECT DISTINCT ON (app, dept) app, dept, at, id
  FROM ev WHERE action = '{A.DEPARTMENT_NOTIFIED}' AND dept IS NOT NULL AND dept <> 0
  ORDER BY app, dept, at, id
),
decided AS (
  SELECT DISTINCT ON (app, dept) app, dept, at, id
  FROM ev WHERE action IN ({decisions}) AND dept IS NOT NULL
  ORDER BY app, dept, at DESC, id DESC
),
par AS (
  SELECT o.app, count(*) AS departments,
    count(*) FILTER (WHERE dd.app IS NOT NULL AND (dd.at, dd.id) > (o.at, o.id)) AS decided,
    sum({n("dd.at")} - {n("o.at")}) AS summed,
    {n("max(dd.at)")} - {n("min(o.at)")} AS elapsed
  FROM notified o LEFT JOIN decided dd ON dd.app = o.app AND dd.dept = o.dept
  GROUP BY o.app
),
c AS (
  SELECT b.app, b.submitted, b.supplemented, b.last_id,
    CASE WHEN dt.start IS NOT NULL THEN dt.start::timestamptz
      ELSE coalesce(b.accepted, b.submitted) END AS start,
    CASE WHEN en.action IN ({ends}) THEN en.action ELSE '' END AS outcome,
    CASE WHEN en.action IN ({ends}) THEN en.at END AS ended,
    coalesce(en.action IN ({concluded}), false) AS concluded,
    a.number, a.item_id, a.region_id, a.lead_department_id, coalesce(a.channel, '') AS channel,
    a.due_at, coalesce(i.service_model, '') AS service_model,
    coalesce(i.online_depth, '') AS online_depth,
    trunc((v.snapshot -> 'item' ->> 'promised_days')::numeric)::int AS promised_days,
    trunc((v.snapshot -> 'item' ->> 'legal_days')::numeric)::int AS legal_days,
    coalesce(p.departments, 0) AS departments,
    CASE WHEN p.departments >= 2 AND p.decided = p.departments THEN p.elapsed END AS elapsed,
    CASE WHEN p.departments >= 2 AND p.decided = p.departments THEN p.summed END AS summed
  FROM base b
  JOIN {apps} a ON a.id = b.app
  LEFT JOIN {items} i ON i.id = a.item_id
  LEFT JOIN {versions} v ON v.id = a.item_version_id
  LEFT JOIN dated dt ON dt.app = b.app
  LEFT JOIN ending en ON en.app = b.app
  LEFT JOIN par p ON p.app = b.app
),
lost AS (
  SELECT l.app, count(*) FILTER (WHERE l.kind = 's') AS sup_days,
    count(*) FILTER (WHERE l.kind = 'p') AS spec_days,
    count(*) FILTER (WHERE l.d > {local("c.start")} AND l.d <= {local("c.ended")}) AS lost
  FROM (SELECT app, d, 's' AS kind FROM sup_d UNION ALL SELECT app, d, 'p' FROM spec_d) l
  JOIN c ON c.app = l.app GROUP BY l.app
),
f AS (
  SELECT c.*,
    c.channel IN ({remote}) AND c.online_depth = '{OnlineDepth.FULL_ONLINE}' AS remote,
    CASE WHEN c.concluded AND c.start IS NOT NULL
      THEN greatest(0, {n("c.ended")} - {n("c.start")}) END AS gross,
    coalesce(l.sup_days, 0) AS sup_days, coalesce(l.spec_days, 0) AS spec_days,
    coalesce(l.lost, 0) AS lost
  FROM c LEFT JOIN lost l ON l.app = c.app
)
SELECT app AS application_id, coalesce(number, '') AS number,
  coalesce(item_id, 0) AS item_id, coalesce(region_id, 0) AS region_id,
  coalesce(lead_department_id, 0) AS department_id, channel, service_model, online_depth,
  {local("submitted")} AS submitted_on, start AS clock_start, ended AS concluded_at,
  {local("ended")} AS concluded_on, outcome, gross AS gross_days,
  sup_days AS supplement_days, spec_days AS special_days,
  CASE WHEN gross IS NOT NULL THEN greatest(0, gross - lost) END AS handling_days,
  promised_days, legal_days, due_at,
  CASE WHEN concluded AND due_at IS NOT NULL THEN ended <= due_at END AS on_time,
  coalesce(concluded AND coalesce(submitted, start) IS NOT NULL
    AND {local("ended")} = {local("coalesce(submitted, start)")}, false) AS instant,
  CASE WHEN NOT concluded OR remote OR channel IN ('hotline', 'api') THEN 0 ELSE 1 END
    AS visits,
  concluded AND remote AND channel = 'online' AS online_completed,
  coalesce(supplemented, false) AS supplemented, departments::int AS departments,
  elapsed::int AS parallel_elapsed_days, summed::int AS parallel_sum_days,
  last_id AS last_event_id
FROM f
"""  # nosec B608 - names and actions are the code's constants


def upsert_facts(cursor, application_ids: list[int]) -> int:
    """Compute and write the facts of these cases from all their events, and their change to
    the concluded cases' aggregate (one statement; the days table must be prepared)."""
    if not application_ids:
        return 0
    cursor.execute(write_facts_sql(_statement()), {"ids": sorted(application_ids)})
    written, empty = cursor.fetchone()
    drop_empty(cursor, empty)
    return written
