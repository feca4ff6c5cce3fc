"""The audit chain: sealing in order, and the verifier finding edited, deleted and inserted rows
(issue 12 item 6). On PostgreSQL, where the table is partitioned by month."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from audit import chain
from audit.models import AuditRecord
from audit.records import record, scrub

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def write(n: int) -> list[AuditRecord]:
    return [record("system", f"test {i}", detail={"i": i}) for i in range(n)]


def sealed_chain() -> list[AuditRecord]:
    with time_machine.travel(T0, tick=False):
        rows = write(5)
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        assert chain.seal() == 5
    return rows


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_rows_are_chained_in_id_order_each_on_the_hash_before_it():
    rows = sealed_chain()
    sealed = list(AuditRecord.objects.order_by("chain_index"))
    assert [r.id for r in sealed] == [r.id for r in rows]
    assert [r.chain_index for r in sealed] == [1, 2, 3, 4, 5]
    assert sealed[0].prev_hash == chain.GENESIS
    for before, after in zip(sealed, sealed[1:], strict=False):
        assert after.prev_hash == before.row_hash
    assert chain.verify(now=T0 + dt.timedelta(seconds=20)).ok


def test_a_row_not_yet_settled_waits_for_the_next_seal():
    with time_machine.travel(T0, tick=False):
        write(2)
        assert chain.seal() == 0  # younger than AUDIT_SEAL_SETTLE_SECONDS
    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False):
        assert chain.seal() == 2
        assert chain.seal() == 0  # nothing sealed twice


def test_a_late_row_is_chained_after_the_ones_sealed_before_it():
    sealed_chain()
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        late = record("system", "late")
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        chain.seal()
        late.refresh_from_db()
        assert late.chain_index == 6
        assert chain.verify().ok


def test_an_edited_row_is_detected():
    rows = sealed_chain()
    sql("UPDATE audit_auditrecord SET action = 'harmless' WHERE id = %s", [rows[2].id])
    result = chain.verify(now=T0 + dt.timedelta(seconds=20))
    assert not result.ok
    assert any("changed after sealing" in p and str(rows[2].id) in p for p in result.problems)


def test_an_edited_detail_is_detected():
    rows = sealed_chain()
    sql("""UPDATE audit_auditrecord SET detail = '{"i": 99}' WHERE id = %s""", [rows[1].id])
    assert not chain.verify(now=T0 + dt.timedelta(seconds=20)).ok


def test_a_deleted_row_is_detected():
    rows = sealed_chain()
    sql("DELETE FROM audit_auditrecord WHERE id = %s", [rows[2].id])
    result = chain.verify(now=T0 + dt.timedelta(seconds=20))
    assert any("missing" in p for p in result.problems)


def test_deleting_the_oldest_rows_is_detected():
    rows = sealed_chain()
    sql("DELETE FROM audit_auditrecord WHERE id IN (%s, %s)", [rows[0].id, rows[1].id])
    result = chain.verify(now=T0 + dt.timedelta(seconds=20))
    assert any("rows were removed" in p for p in result.problems)


def test_an_inserted_row_with_forged_chain_values_is_detected():
    rows = sealed_chain()
    third = AuditRecord.objects.get(id=rows[2].id)
    sql(
        "INSERT INTO audit_auditrecord (at, category, action, actor_label, client_ip, method, path,"
        " object_type, object_id, detail, chain_index, prev_hash, row_hash, sealed_at) "
        "VALUES (%s, 'login', 'login', 'intruder', '', '', '', '', '', '{}', %s, %s, %s, %s)",
        [T0, third.chain_index, third.prev_hash, "f" * 64, T0],
    )
    result = chain.verify(now=T0 + dt.timedelta(seconds=20))
    assert any("repeats position" in p for p in result.problems)


def test_an_inserted_unsealed_row_alarms_once_older_than_the_limit(settings):
    sealed_chain()
    # Written behind the sealer's back: never settled by it (sealed_at stays empty).
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        record("system", "unsealed")
    assert chain.verify(now=T0 + dt.timedelta(seconds=60)).ok
    late = T0 + dt.timedelta(seconds=30 + settings.AUDIT_UNSEALED_ALARM_SECONDS + 1)
    result = chain.verify(now=late)
    assert result.unsealed_late == 1
    assert not result.ok


def test_the_hash_is_keyed(settings):
    rows = sealed_chain()
    settings.AUDIT_CHAIN_KEY = "another key"
    # Someone recomputing the chain without our key gets other hashes: every row fails.
    result = chain.verify(now=T0 + dt.timedelta(seconds=20))
    assert sum("changed after sealing" in p for p in result.problems) == len(rows)


def test_audit_verify_command_passes_and_alarms():
    rows = sealed_chain()
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False):
        call_command("audit_verify")
        sql("UPDATE audit_auditrecord SET actor_label = 'x' WHERE id = %s", [rows[0].id])
        with pytest.raises(CommandError, match="NOT intact"):
            call_command("audit_verify")


def test_personal_numbers_are_scrubbed_from_details():
    assert scrub({"note": "身份证 445302199001011234 电话 13812345678"}) == {
        "note": "身份证 445302********1234 电话 138****5678"
    }
    row = record("system", "x", detail={"id": "44530219900101123X"})
    assert row.detail == {"id": "445302********123X"}


def test_unknown_category_is_a_programming_error():
    with pytest.raises(ValueError):
        record("nonsense", "x")
