"""Monthly partitions and retention of the audit table (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from audit import chain, partitions
from audit.models import AuditCheckpoint, AuditRecord
from audit.records import record

pytestmark = pytest.mark.django_db(transaction=True)


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.mark.postgres  # declarative partitions; on SQLite ensure/drop_before do nothing
def test_the_table_is_partitioned_by_month():
    assert partitions.partitioned()
    partitions.ensure(today=dt.date(2026, 12, 2))
    names = [name for _, name in partitions.months()]
    assert "audit_auditrecord_y2026m12" in names
    assert "audit_auditrecord_y2027m02" in names


@pytest.mark.postgres  # declarative partitions; on SQLite ensure/drop_before do nothing
def test_a_row_without_its_month_lands_in_default_and_moves_when_the_month_is_made():
    far = dt.datetime(2031, 5, 3, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(far, tick=False):
        row = record("system", "future")
    assert rows_in(partitions.DEFAULT) == 1
    created = partitions.ensure(ahead=0, today=dt.date(2031, 5, 10))
    assert created == ["audit_auditrecord_y2031m05"]
    assert rows_in(partitions.DEFAULT) == 0
    assert rows_in("audit_auditrecord_y2031m05") == 1
    assert AuditRecord.objects.get(pk=row.pk).action == "future"


@pytest.mark.postgres  # declarative partitions; on SQLite ensure/drop_before do nothing
def test_retention_drops_old_months_with_a_checkpoint_and_the_chain_still_verifies():
    old = dt.datetime(2025, 1, 15, 8, 0, tzinfo=dt.UTC)
    partitions.ensure(ahead=0, today=old.date())
    with time_machine.travel(old, tick=False):
        record("system", "old 1")
        record("system", "old 2")
    with time_machine.travel(old + dt.timedelta(minutes=1), tick=False):
        chain.seal()
    recent = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    partitions.ensure(ahead=0, today=recent.date())
    with time_machine.travel(recent, tick=False):
        record("system", "recent")
    with time_machine.travel(recent + dt.timedelta(minutes=1), tick=False):
        chain.seal()
        dropped = partitions.drop_before(retention_days=365, today=recent.date())
        assert "audit_auditrecord_y2025m01" in dropped
        checkpoint = AuditCheckpoint.objects.get(partition="audit_auditrecord_y2025m01")
        assert (checkpoint.rows, checkpoint.last_chain_index) == (2, 2)
        assert list(AuditRecord.objects.values_list("action", flat=True)) == ["recent"]
        assert chain.verify().ok


def test_retention_under_180_days_is_refused():
    with pytest.raises(ValueError):
        partitions.drop_before(retention_days=90)
