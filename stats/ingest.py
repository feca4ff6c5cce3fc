"""Feeding the read models from the event log (docs/statistics.md, "How the figures are fed").

* The committed events' ids are queued by ``stats.feed`` (after commit, no SQL in the request)
  and a Celery task feeds them in batches to :func:`ingest_events`, which counts each once: an
  event already marked (``CountedEvent``) is skipped, so an event delivered twice counts once;
  its counters land on the local day of the event's own time, so a late event lands in its own
  day, not today.
* The case's facts (``CaseFact``) are recomputed from all its events once per batch its events
  are in, so they do not depend on the order events arrived in.
* ``manage.py statistics_rebuild [--from --to]`` (:func:`rebuild`) forgets what it rebuilds and
  feeds the same function with the events again, so a rebuild equals the incremental result.

A failure here never touches the case (it runs after the case's commit, in a worker): it is
logged, the event stays unmarked, and the beat's catch-up (:func:`ingest_missing`, also
``statistics_rebuild --missing``) counts it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connections, transaction
from django.db.models import Exists, OuterRef

from permits.models import Application, Event
from workflow.deadlines import calendar as cal

from . import concluded, facts_sql, monthly
from .counters import ACTION_COUNTER, COUNTERS
from .db import WRITE_ALIAS, lock_keys
from .facts import EventRow, case_fact
from .models import CaseFact, ConcludedFigure, CountedEvent, DailyFigure
from .signals import events_counted

logger = logging.getLogger(__name__)

BATCH = 2000
_KEY = ("day", "region_id", "department_id", "item_id", "channel", "service_model")


def _mark_new(event_ids: list[int], application_of: dict[int, int]) -> set[int]:
    """Mark the events counted; the ids that were not marked before (one statement)."""
    if not event_ids:
        return set()
    table = connections[WRITE_ALIAS].ops.quote_name(CountedEvent._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(event_ids))
    params: list[int] = []
    for pk in event_ids:
        params += [pk, application_of[pk]]
    with connections[WRITE_ALIAS].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, application_id) VALUES {values} "  # noqa: S608  # nosec B608 - names from the models, values bound
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _add_counters(rows: dict[tuple, dict[str, int]]) -> None:
    """Add to the daily counters (an upsert; keys in order, so concurrent feeds never
    deadlock)."""
    if not rows:
        return
    connection = connections[WRITE_ALIAS]
    q = connection.ops.quote_name
    table = q(DailyFigure._meta.db_table)
    columns = [*_KEY, *COUNTERS]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COUNTERS)
    keys = sorted(rows, key=lambda k: (k[0].isoformat(), *k[1:]))
    params: list = []
    for key in keys:
        params += [key[0], *key[1:], *(rows[key].get(c, 0) for c in COUNTERS)]
    with connection.cursor() as cursor:
        monthly.execute_counters(  # and the same to their months (stats.monthly)
            cursor,
            f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "  # noqa: S608  # nosec B608 - names from the models, values bound
            f"VALUES {', '.join([placeholders] * len(keys))} "
            f"ON CONFLICT ({', '.join(q(c) for c in _KEY)}) DO UPDATE SET {updates}",
            params,
            rows,
        )


def _lock_cases(application_ids: list[int]) -> None:
    """Serialise fact recomputation per case: the later feed then reads every event the
    earlier one did, and writes last."""
    lock_keys("statistics.case", (str(pk) for pk in application_ids))


_APPLICATION_FIELDS = {
    "number": "number",
    "item_id": "item_id",
    "region_id": "region_id",
    "lead_department_id": "lead_department_id",
    "channel": "channel",
    "due_at": "due_at",
    "service_model": "item__service_model",
    "online_depth": "item__online_depth",
    "promised_days": "item_version__snapshot__item__promised_days",
    "legal_days": "item_version__snapshot__item__legal_days",
}


def _applications(ids: Iterable[int]) -> dict[int, dict]:
    rows = Application.objects.using(WRITE_ALIAS).filter(pk__in=sorted(ids))
    out = {}
    for row in rows.values("pk", *_APPLICATION_FIELDS.values()):
        out[row["pk"]] = {name: row[path] for name, path in _APPLICATION_FIELDS.items()}
        for name in ("promised_days", "legal_days"):
            value = out[row["pk"]][name]
            out[row["pk"]][name] = int(value) if value not in (None, "") else None
    return out


def refresh_facts(application_ids: Iterable[int]) -> int:
    """Recompute the facts of these cases from all their events (two reads, one upsert)."""
    ids = sorted(set(application_ids))
    if not ids:
        return 0
    apps = _applications(ids)
    events: dict[int, list[EventRow]] = defaultdict(list)
    for pk, at, action, dept, data, app_id in (
        Event.objects.using(WRITE_ALIAS)
        .filter(application_id__in=ids)
        .order_by()
        .values_list("pk", "at", "action", "department_id", "data", "application_id")
    ):
        events[app_id].append(EventRow(pk, at, action, dept, data or {}))
    facts = [
        {"application_id": pk, **case_fact(application=apps[pk], events=events[pk])}
        for pk in ids
        if pk in apps
    ]
    _upsert_facts(facts)
    return len(facts)


def _upsert_facts(facts: list[dict]) -> None:
    """One ``INSERT … ON CONFLICT DO UPDATE`` of the facts' columns, which also adds their
    change to the concluded cases' aggregate (``stats.concluded``); on PostgreSQL the values
    as they are (ints, dates, aware datetimes, booleans, text: psycopg adapts them), without
    model instances, whose preparation cost more than computing the facts."""
    if not facts:
        return
    connection = connections[WRITE_ALIAS]
    if connection.vendor != "postgresql":  # the demo's SQLite: Django adapts the values
        fields = [f.name for f in CaseFact._meta.concrete_fields if f.name != "application_id"]
        days = set(
            CaseFact.objects.using(WRITE_ALIAS)
            .filter(application_id__in=[f["application_id"] for f in facts])
            .values_list("concluded_on", flat=True)
        ) | {f["concluded_on"] for f in facts}
        CaseFact.objects.using(WRITE_ALIAS).bulk_create(
            [CaseFact(**fact) for fact in facts],
            update_conflicts=True,
            unique_fields=["application_id"],
            update_fields=fields,
        )
        concluded.resum_days(days, using=WRITE_ALIAS)
        return
    fields = CaseFact._meta.concrete_fields
    columns = [f.column for f in fields]
    # typed placeholders: the VALUES feed a WITH whose NULLs would otherwise have no type
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    params: list = []
    for fact in facts:
        params += [fact[c] for c in columns]
    new = (
        f"SELECT * FROM (VALUES {', '.join([row] * len(facts))}) "  # nosec B608 - placeholders and quoted names
        f"AS v ({', '.join(connection.ops.quote_name(c) for c in columns)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(concluded.write_facts_sql(new), params)
        _written, empty = cursor.fetchone()
        concluded.drop_empty(cursor, empty)


@dataclass
class Ingested:
    counted: int = 0
    duplicates: int = 0
    cases: int = 0


def ingest_events(event_ids: Iterable[int]) -> Ingested:
    """Count these events once each and refresh their cases' facts (one transaction)."""
    ids = sorted(set(event_ids))
    result = Ingested()
    if not ids:
        return result
    with transaction.atomic(using=WRITE_ALIAS):
        rows = list(
            Event.objects.using(WRITE_ALIAS)
            .filter(pk__in=ids)
            .order_by()
            .values(
                "pk",
                "at",
                "action",
                "department_id",
                "application_id",
                "item_id",
                "region_id",
                "channel",
                "service_model",
                "application__lead_department_id",
            )
        )
        fresh = _mark_new([r["pk"] for r in rows], {r["pk"]: r["application_id"] for r in rows})
        result.counted, result.duplicates = len(fresh), len(rows) - len(fresh)
        rows = [r for r in rows if r["pk"] in fresh]
        if not rows:
            return result
        case_ids = sorted({r["application_id"] for r in rows})
        _lock_cases(case_ids)
        counters: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in rows:
            counted = ACTION_COUNTER.get(r["action"])
            if counted is None:
                continue
            name, for_lead = counted
            lead = r["application__lead_department_id"] or 0
            department = lead if for_lead else (r["department_id"] or lead)
            key = (
                cal.local_date(r["at"]),
                r["region_id"] or 0,
                department or 0,
                r["item_id"] or 0,
                r["channel"] or "",
                r["service_model"] or "",
            )
            counters[key][name] += 1
        _add_counters(counters)
        result.cases = refresh_facts(case_ids)
        events_counted.send(sender=Ingested, events=rows)  # disclosure.month_figures
    return result


# --- Rebuilding ------------------------------------------------------------------------------


@dataclass
class Rebuilt:
    events: int = 0
    cases: int = 0
    days: list[date] = field(default_factory=list)


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    lo = datetime.combine(start, time.min, tzinfo=cal.SHANGHAI) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=cal.SHANGHAI) if end else None
    return lo, hi


FACT_CHUNK = 1000  # cases whose facts one statement recomputes (and locks)
PERIOD_TABLE = "statistics_tmp_period_events"


def _count_sql(where: str) -> str:
    """One INSERT … SELECT … GROUP BY: the daily counters of the events ``where`` selects
    (the same keys and departments as :func:`ingest_events`)."""
    connection = connections[WRITE_ALIAS]
    q = connection.ops.quote_name
    table = q(DailyFigure._meta.db_table)
    lead_actions = sorted(a for a, (_n, lead) in ACTION_COUNTER.items() if lead)
    by_counter: dict[str, list[str]] = defaultdict(list)
    for action, (name, _lead) in ACTION_COUNTER.items():
        by_counter[name].append(action)

    def actions(names: list[str]) -> str:
        return ", ".join("'" + a.replace("'", "''") + "'" for a in sorted(names))

    sums = ", ".join(
        f"count(*) FILTER (WHERE e.action IN ({actions(by_counter[c])}))" for c in COUNTERS
    )
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COUNTERS)
    department = (
        f"CASE WHEN e.action IN ({actions(lead_actions)}) THEN coalesce(a.lead_department_id, 0)"
        " ELSE coalesce(e.department_id, a.lead_department_id, 0) END"
    )
    return (
        f"INSERT INTO {table} ({', '.join(q(c) for c in (*_KEY, *COUNTERS))}) "  # noqa: S608  # nosec B608 - names from the models, values bound
        f"SELECT (e.at AT TIME ZONE %s)::date, coalesce(e.region_id, 0), {department}, "
        "coalesce(e.item_id, 0), coalesce(e.channel, ''), coalesce(e.service_model, ''), "
        f"{sums} "
        f"FROM {q(Event._meta.db_table)} e "
        f"LEFT JOIN {q(Application._meta.db_table)} a ON a.id = e.application_id "
        f"WHERE e.action IN ({actions(list(ACTION_COUNTER))}) {where} "
        "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6 "
        f"ON CONFLICT ({', '.join(q(c) for c in _KEY)}) DO UPDATE SET {updates}"
    )


def rebuild(*, start: date | None = None, end: date | None = None, batch: int = BATCH) -> Rebuilt:
    """Rebuild the read models from the events of ``start``..``end`` (local dates, inclusive;
    both open: everything), set-based: in one transaction the period's counters and marks are
    forgotten and made again by one ``INSERT … SELECT … GROUP BY`` each; then the facts of the
    cases those events belong to are recomputed from all their events, ``FACT_CHUNK`` cases per
    read (each case once). The same rows as feeding the events through :func:`ingest_events`
    (``tests/statistics``: rebuild equals incremental)."""
    if connections[WRITE_ALIAS].vendor != "postgresql":
        return _rebuild_by_feeding(start=start, end=end, batch=batch)
    lo, hi = _bounds(start, end)
    conditions, params = [], []
    if lo is not None:
        conditions.append("AND e.at >= %s")
        params.append(lo)
    if hi is not None:
        conditions.append("AND e.at < %s")
        params.append(hi)
    where = " ".join(conditions)
    q = connections[WRITE_ALIAS].ops.quote_name
    marks, events_table = q(CountedEvent._meta.db_table), q(Event._meta.db_table)
    result = Rebuilt()
    with transaction.atomic(using=WRITE_ALIAS):
        days = DailyFigure.objects.using(WRITE_ALIAS)
        if start:
            days = days.filter(day__gte=start)
        if end:
            days = days.filter(day__lte=end)
        days.delete()
        with connections[WRITE_ALIAS].cursor() as cursor:
            if lo is None and hi is None:
                cursor.execute(
                    f"TRUNCATE {marks}, {q(CaseFact._meta.db_table)}, "
                    f"{q(ConcludedFigure._meta.db_table)}"
                )
                source = events_table
            else:
                # the period's events read once (a scan of the log: no index leads with the
                # time), then marked, and their cases listed, from this table
                source = PERIOD_TABLE
                cursor.execute(f"DROP TABLE IF EXISTS {source}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {source} ON COMMIT DROP AS "  # noqa: S608  # nosec B608 - names from the models, values bound
                    f"SELECT e.id, e.application_id FROM {events_table} e WHERE true {where}",
                    params,
                )
            # a mark already there stays (the period's events are all marked after this)
            cursor.execute(
                f"INSERT INTO {marks} (event_id, application_id) "  # noqa: S608  # nosec B608 - names from the models, values bound
                f"SELECT e.id, e.application_id FROM {source} e "
                "ON CONFLICT (event_id) DO NOTHING",
            )
            result.events = cursor.rowcount
            cursor.execute(_count_sql(where), [cal.SHANGHAI.key, *params])
            if source == PERIOD_TABLE:
                cursor.execute(f"SELECT count(*) FROM {source}")  # noqa: S608  # nosec B608
                result.events = cursor.fetchone()[0]
                cursor.execute(f"SELECT DISTINCT application_id FROM {source} ORDER BY 1")  # noqa: S608  # nosec B608
                case_ids = [row[0] for row in cursor.fetchall()]
                cursor.execute(f"DROP TABLE {source}")
            else:
                cursor.execute(f"SELECT DISTINCT application_id FROM {marks} ORDER BY 1")  # noqa: S608  # nosec B608
                case_ids = [row[0] for row in cursor.fetchall()]
        monthly.resum(start, end)  # the months touched, from the days made again
    connection = connections[WRITE_ALIAS]
    with connection.cursor() as cursor:
        facts_sql.prepare_days(cursor)
        try:
            for i in range(0, len(case_ids), FACT_CHUNK):
                chunk = case_ids[i : i + FACT_CHUNK]
                with transaction.atomic(using=WRITE_ALIAS):
                    _lock_cases(chunk)
                    result.cases += facts_sql.upsert_facts(cursor, chunk)
        finally:
            facts_sql.drop_days(cursor)
        if not connection.in_atomic_block:  # fresh statistics for the pages' plans
            for model in (DailyFigure, ConcludedFigure, CaseFact):
                cursor.execute(f"ANALYZE {q(model._meta.db_table)}")
    return result


def _rebuild_by_feeding(*, start, end, batch) -> Rebuilt:
    """The rebuild elsewhere (the demo's SQLite): the period's events fed again through
    :func:`ingest_events`."""
    lo, hi = _bounds(start, end)
    events = Event.objects.using(WRITE_ALIAS).order_by()
    if lo is not None:
        events = events.filter(at__gte=lo)
    if hi is not None:
        events = events.filter(at__lt=hi)
    with transaction.atomic(using=WRITE_ALIAS):
        days = DailyFigure.objects.using(WRITE_ALIAS)
        if start:
            days = days.filter(day__gte=start)
        if end:
            days = days.filter(day__lte=end)
        days.delete()
        if lo is None and hi is None:
            CountedEvent.objects.using(WRITE_ALIAS).all().delete()
            CaseFact.objects.using(WRITE_ALIAS).all().delete()
            ConcludedFigure.objects.using(WRITE_ALIAS).all().delete()
        else:
            CountedEvent.objects.using(WRITE_ALIAS).filter(
                event_id__in=events.values("pk")
            ).delete()
        monthly.resum(start, end)  # the months touched, from the days left
    result = Rebuilt()
    last = 0
    while True:
        ids = list(events.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        done = ingest_events(ids)
        result.events += done.counted
        result.cases += done.cases
        last = ids[-1]
    return result


def ingest_missing(*, batch: int = BATCH, after: int = 0) -> Rebuilt:
    """Count the events not counted yet (an anti-join over the event log, from event id
    ``after`` on; nothing to do costs one query): what ``statistics_rebuild --missing`` and the
    end of ``seed_demo`` run, and the beat's catch-up (``stats.feed.catch_up``, which passes
    ``after`` to look only at the recent events). The same result as a rebuild, since counting
    is idempotent and a case's facts are recomputed from all its events."""
    result = Rebuilt()
    marked = CountedEvent.objects.using(WRITE_ALIAS).filter(event_id=OuterRef("pk"))
    pending = Event.objects.using(WRITE_ALIAS).filter(~Exists(marked)).order_by("pk")
    last = max(0, int(after))
    while True:
        ids = list(pending.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not ids:
            break
        done = ingest_events(ids)
        result.events += done.counted
        result.cases += done.cases
        last = ids[-1]
    return result
