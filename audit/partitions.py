"""Monthly partitions of the audit table on PostgreSQL, and retention by whole months.

The table ``audit_auditrecord`` is partitioned by range of ``at`` (migration 0002): one
partition per month (``audit_auditrecord_y2026m12``) and a default partition that catches a
row whose month has no partition yet, so a write never fails for want of one. ``ensure``
creates the coming months (the sealer calls it); a month that already has rows in the default
partition is moved out of it first. ``drop_before`` removes whole months older than the
retention (never under 180 days: 等保 2.0), each after writing an ``AuditCheckpoint`` with
where the chain stood, so the verifier can tell retention from deletion.

On other databases (the SQLite demo) the table is a plain table and both functions do nothing.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditCheckpoint, AuditRecord

logger = logging.getLogger("onestop.audit")

TABLE = AuditRecord._meta.db_table
DEFAULT = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
MIN_RETENTION_DAYS = 180


def partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [TABLE],
        )
        return cursor.fetchone() is not None


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def partition_name(month: date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def _bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=timezone.get_default_timezone()).isoformat()


def months() -> list[tuple[date, str]]:
    """The monthly partitions that exist, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            found.append((date(int(match[1]), int(match[2]), 1), name))
    return sorted(found)


def ensure(*, ahead: int = 2, today: date | None = None) -> list[str]:
    """Create the partitions of this month and the ``ahead`` months after it; their names."""
    if not partitioned():
        return []
    today = today or timezone.localdate()
    existing = {name for _, name in months()}
    created = []
    month = _month_start(today)
    for _ in range(ahead + 1):
        name = partition_name(month)
        if name not in existing:
            _create(month, name)
            created.append(name)
        month = _next_month(month)
    return created


def _create(month: date, name: str) -> None:
    start, end = _bound(month), _bound(_next_month(month))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        # Rows of this month that landed in the default partition move to their own.
        cursor.execute(
            # bandit B608: partition names come from dates, never input; values are parameters
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE at >= %s AND at < %s RETURNING *) "  # nosec B608
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )
    logger.info("audit: partition %s created", name)


def drop_before(*, retention_days: int | None = None, today: date | None = None) -> list[str]:
    """Drop the months that ended more than ``retention_days`` ago (sealed rows only: a month
    with an unsealed row waits for the sealer); the names dropped."""
    retention_days = retention_days or settings.AUDIT_RETENTION_DAYS
    if retention_days < MIN_RETENTION_DAYS:
        raise ValueError(f"the audit log is kept at least {MIN_RETENTION_DAYS} days")
    if not partitioned():
        return []
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=retention_days)
    dropped = []
    for month, name in months():
        if _next_month(month) > cutoff:
            break
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                # bandit B608: partition names come from dates, never input; values are parameters
                f"SELECT count(*), count(*) FILTER (WHERE sealed_at IS NULL), max(chain_index) "  # nosec B608
                f"FROM {name}"
            )
            rows, unsealed, last_index = cursor.fetchone()
            if unsealed:
                logger.warning("audit: %s keeps %s unsealed rows; not dropped", name, unsealed)
                break
            if rows:
                # bandit B608: partition names come from dates, never input; values are parameters
                cursor.execute(f"SELECT row_hash FROM {name} WHERE chain_index = %s", [last_index])  # nosec B608
                AuditCheckpoint.objects.create(
                    partition=name,
                    last_chain_index=last_index,
                    last_hash=cursor.fetchone()[0],
                    rows=rows,
                )
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        dropped.append(name)
        logger.info(
            "audit: partition %s dropped after %s days (%s rows)", name, retention_days, rows
        )
    return dropped
