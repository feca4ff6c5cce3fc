"""办件公示's read model: the published decisions per lead department and month
(``DepartmentMonthFigure``), so the page and the open data read a few hundred rows instead of
grouping the decided cases on every view (docs/disclosure.md, "The monthly figures").

* **Fed with the statistics.** ``stats.ingest.ingest_events`` sends ``stats.signals.
  events_counted`` inside its transaction, after commit of the case's own change, with the
  events it counted for the first time; :func:`events_counted_received` refreshes the cases
  among them that were decided (an ``approved`` or ``denied`` event: the only acts that set a
  case's decision and its time, ``workflow.steps.decision``). An event delivered twice is not
  sent again (the feed counts it once), and a refresh is idempotent anyway.
* **As the case stands.** A refresh reads the case's row (``permits.Application``) as the
  old per-view query did, so its figures are the same by construction: decided (approved or
  denied, a decision time), not anonymous, not process-centred; the month of the decision in
  Beijing time; on time when there was no promised due or the decision came by it. One
  statement (PostgreSQL) upserts the case's ``PublishedDecision`` and adds the change of its
  contribution (new − old) to its month's row, so a case fed late, twice or again after a
  change moves exactly once; rows whose cases all left are deleted.
* **Rebuilt** from the case rows by ``manage.py publication_rebuild`` (:func:`rebuild`), which
  is what the migration that adds the tables ran too.

Concurrency: the feeds of one case are serialised by the statistics' advisory lock on the
case (taken before the signal is sent); feeds of different cases only add to the same month
rows (``ON CONFLICT DO UPDATE``, keys in order, so never a deadlock). Elsewhere (the demo's
SQLite, one writer at a time) the month rows touched are summed again from the decisions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Q

from disclosure.models import DepartmentMonthFigure, PublishedDecision
from disclosure.publication import LOCAL, published
from permits.choices import EventAction
from permits.models import Application, Decision, ServiceItem, ServiceModel

logger = logging.getLogger(__name__)

WRITE_ALIAS = "default"
# the events after which a case's published figures may have changed (see the docstring)
DECIDING_ACTIONS = frozenset({EventAction.APPROVED.value, EventAction.DENIED.value})
SUMS = ("completed", "approved", "denied", "on_time")


def events_counted_received(sender, events: Iterable[dict] = (), **kwargs) -> None:
    """``stats.signals.events_counted``: refresh the decided cases among the counted events
    (inside the feed's transaction: both commit, or neither and the feed retries both)."""
    ids = {e["application_id"] for e in events if e.get("action") in DECIDING_ACTIONS}
    if ids:
        refresh(ids)


def _table(model) -> str:
    return connections[WRITE_ALIAS].ops.quote_name(model._meta.db_table)


def _published_sql(where: str) -> str:
    """The published decisions among the case rows ``where`` selects (alias ``a``), with the
    columns of ``PublishedDecision`` — the old per-view query's filter and expressions."""
    return (
        "SELECT a.id AS application_id, "  # noqa: S608  # nosec B608 - names from the models, values bound
        "date_trunc('month', a.decided_at AT TIME ZONE %(tz)s)::date AS month, "
        "a.lead_department_id AS department_id, "
        "a.decision = %(approved)s AS approved, "
        "(a.due_at IS NULL OR a.decided_at <= a.due_at) AS on_time "
        f"FROM {_table(Application)} a JOIN {_table(ServiceItem)} i ON i.id = a.item_id "
        f"WHERE {where} AND a.decision IN (%(approved)s, %(denied)s) "
        "AND a.decided_at IS NOT NULL AND NOT a.anonymous AND i.service_model <> %(process)s"
    )


def _params(**more) -> dict:
    return {
        "tz": settings.TIME_ZONE,
        "approved": Decision.APPROVED.value,
        "denied": Decision.DENIED.value,
        "process": ServiceModel.PROCESS_CENTRED.value,
        **more,
    }


def _refresh_sql() -> str:
    """One statement: upsert the cases' decisions, forget those no longer published, add the
    change of their contributions to the month rows; returns the ids of month rows left empty.
    Every part of the WITH sees one snapshot, so ``old`` is what was there before."""
    decisions, figures = _table(PublishedDecision), _table(DepartmentMonthFigure)
    contribution = (
        "1 AS completed, approved::int AS approved, (NOT approved)::int AS denied, "
        "on_time::int AS on_time"
    )
    delta = ", ".join(f"sum(sign * {c})" for c in SUMS)
    nonzero = " OR ".join(f"sum(sign * {c}) <> 0" for c in SUMS)
    add = ", ".join(f"{c} = {figures}.{c} + excluded.{c}" for c in SUMS)
    return f"""
WITH new AS MATERIALIZED ({_published_sql("a.id = ANY(%(ids)s)")}),
old AS MATERIALIZED (SELECT p.* FROM {decisions} p WHERE p.application_id = ANY(%(ids)s)),
up AS (
  INSERT INTO {decisions} (application_id, month, department_id, approved, on_time)
  SELECT application_id, month, department_id, approved, on_time FROM new
  ORDER BY application_id
  ON CONFLICT (application_id) DO UPDATE SET month = excluded.month,
    department_id = excluded.department_id, approved = excluded.approved,
    on_time = excluded.on_time
  RETURNING 1
),
gone AS (
  DELETE FROM {decisions} p WHERE p.application_id IN (
    SELECT application_id FROM old EXCEPT SELECT application_id FROM new)
  RETURNING 1
),
contribution AS (
  SELECT 1 AS sign, month, department_id, {contribution} FROM new
  UNION ALL
  SELECT -1 AS sign, month, department_id, {contribution} FROM old
),
agg AS (
  INSERT INTO {figures} (month, department_id, {", ".join(SUMS)})
  SELECT month, department_id, {delta} FROM contribution
  GROUP BY month, department_id HAVING {nonzero}
  ORDER BY month, department_id
  ON CONFLICT (month, department_id) DO UPDATE SET {add}
  RETURNING {figures}.id, {figures}.completed
)
SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone),
       (SELECT array_agg(id) FROM agg WHERE completed = 0)
"""  # noqa: S608  # nosec B608 - names from the models, values bound


def refresh(application_ids: Iterable[int]) -> None:
    """Bring these cases' contributions up to date with their rows (idempotent)."""
    ids = sorted(set(application_ids))
    if not ids:
        return
    connection = connections[WRITE_ALIAS]
    if connection.vendor != "postgresql":
        _refresh_by_resumming(ids)
        return
    with connection.cursor() as cursor:
        cursor.execute(_refresh_sql(), _params(ids=ids))
        _changed, empty = cursor.fetchone()
        if empty:
            cursor.execute(
                f"DELETE FROM {_table(DepartmentMonthFigure)} "  # noqa: S608  # nosec B608
                "WHERE id = ANY(%s) AND completed = 0",
                [list(empty)],
            )


# --- elsewhere (the demo's SQLite) and rebuilding ---------------------------------------------


def _decisions_from_cases(cases) -> list[PublishedDecision]:
    """``PublishedDecision`` rows of the published decisions among ``cases`` (a queryset of
    Application), computed in Python with the same rules as :func:`_published_sql`."""
    rows = published(cases).values_list(
        "pk", "decided_at", "lead_department_id", "decision", "due_at"
    )
    out = []
    for pk, decided_at, department_id, decision, due_at in rows:
        day = decided_at.astimezone(LOCAL).date()
        out.append(
            PublishedDecision(
                application_id=pk,
                month=day.replace(day=1),
                department_id=department_id,
                approved=decision == Decision.APPROVED,
                on_time=due_at is None or decided_at <= due_at,
            )
        )
    return out


def _resum(keys: set[tuple[dt.date, int]]) -> None:
    """Sum these month rows again from the decisions (one writer at a time: SQLite)."""
    db = WRITE_ALIAS
    for month, department_id in sorted(keys):
        sums = (
            PublishedDecision.objects.using(db)
            .filter(month=month, department_id=department_id)
            .aggregate(
                n=Count("pk"),
                yes=Count("pk", filter=Q(approved=True)),
                no=Count("pk", filter=Q(approved=False)),
                due=Count("pk", filter=Q(on_time=True)),
            )
        )
        row = dict(zip(SUMS, (sums["n"], sums["yes"], sums["no"], sums["due"]), strict=True))
        key = {"month": month, "department_id": department_id}
        if row["completed"]:
            DepartmentMonthFigure.objects.using(db).update_or_create(**key, defaults=row)
        else:
            DepartmentMonthFigure.objects.using(db).filter(**key).delete()


def _refresh_by_resumming(ids: list[int]) -> None:
    db = WRITE_ALIAS
    old = PublishedDecision.objects.using(db).filter(application_id__in=ids)
    keys = set(old.values_list("month", "department_id"))
    new = _decisions_from_cases(Application.objects.using(db).filter(pk__in=ids))
    keys |= {(d.month, d.department_id) for d in new}
    with transaction.atomic(using=db):
        old.delete()
        PublishedDecision.objects.using(db).bulk_create(new)
        _resum(keys)


def rebuild() -> int:
    """Forget both tables and make them again from the case rows (one transaction; the feeds
    wait for it). Returns the number of published decisions."""
    connection = connections[WRITE_ALIAS]
    decisions, figures = _table(PublishedDecision), _table(DepartmentMonthFigure)
    with transaction.atomic(using=WRITE_ALIAS):
        if connection.vendor != "postgresql":
            PublishedDecision.objects.using(WRITE_ALIAS).all().delete()
            DepartmentMonthFigure.objects.using(WRITE_ALIAS).all().delete()
            new = _decisions_from_cases(Application.objects.using(WRITE_ALIAS).all())
            PublishedDecision.objects.using(WRITE_ALIAS).bulk_create(new, batch_size=2000)
            _resum({(d.month, d.department_id) for d in new})
            return len(new)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {decisions}, {figures}")
            cursor.execute(
                f"INSERT INTO {decisions} (application_id, month, department_id, approved, "  # noqa: S608  # nosec B608 - names from the models
                f"on_time) SELECT * FROM ({_published_sql('true')}) AS p ORDER BY 1",
                _params(),
            )
            count = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {figures} (month, department_id, {', '.join(SUMS)}) "  # noqa: S608  # nosec B608 - names from the models
                "SELECT month, department_id, count(*), count(*) FILTER (WHERE approved), "
                "count(*) FILTER (WHERE NOT approved), count(*) FILTER (WHERE on_time) "
                f"FROM {decisions} GROUP BY 1, 2 ORDER BY 1, 2"
            )
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {decisions}, {figures}")
    return count
