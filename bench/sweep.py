"""Benchmark of the deadline sweep (workflow.deadlines) on PostgreSQL.

    .venv/bin/python bench/sweep.py [--quick] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

For each size (100,000 and 1,000,000 open tasks; ``--quick``: 10,000 and 100,000), 1% of them
overdue, in a database of its own (``bench_sweep``, created and migrated on first use):

1. the select-and-mark step — the real ``sweep_step`` statements (UPDATE … WHERE id IN (SELECT …
   FOR UPDATE SKIP LOCKED) RETURNING, plus the marks' INSERT … ON CONFLICT DO NOTHING), looped
   until no due row is left — timed; and the same statement under EXPLAIN (ANALYZE, BUFFERS)
   (rolled back) for the rows it reads and the buffers it touches;
2. the follow-up of a sample of the due rows (the red mark's event, the escalation mark and its
   event, and the notices each event makes), run in this process, per due row.

It prints a table, and last one JSON line: {"open_100k": {"seconds", "rows_touched",
"buffers_per_due_row", "followup_ms_per_row"}, "open_1m": {...}} (``--quick``: the same keys,
the pair measured being 10k and 100k).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py, http.py and celery.py: keep it off the path, or they would hide the
# standard library's modules (and Celery) from everything imported below.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from unittest import mock  # noqa: E402

from bench.common import ensure_database, setup_django  # noqa: E402

BENCH_DB = "bench_sweep"
FOLLOWUP_SAMPLE = 200


def world():
    """One region, department, item and version; 1,000 applications in review for the rows."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from departments.models import Department, Level, Region, Role, StaffRole
    from permits.models import Application, ItemVersion, ServiceItem

    region, _ = Region.objects.get_or_create(
        code="445300", defaults={"name": "云浮市", "level": Level.CITY}
    )
    dept, _ = Department.objects.get_or_create(
        code="bench-dept", defaults={"name": "基准测试部门", "level": Level.CITY, "region": region}
    )
    item, _ = ServiceItem.objects.get_or_create(
        code="BENCH-0001",
        defaults=dict(
            name="基准测试事项",
            category="licensing",
            audience="both",
            service_model="parallel",
            region=region,
            lead_department=dept,
            legal_days=20,
            promised_days=10,
            online_depth="full_online",
            status="published",
        ),
    )
    version = ItemVersion.objects.filter(item=item).first() or ItemVersion.objects.create(
        item=item, number=1, snapshot={"item": {"code": item.code}, "departments": []}
    )
    head, _ = get_user_model().objects.get_or_create(username="bench-head")
    StaffRole.objects.get_or_create(user=head, department=dept, role=Role.HEAD, stage="")
    if Application.objects.count() < 1000:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO permits_application (
                    number, channel, status, resume_status, form_data, created_at, updated_at,
                    paused, tolerated, decision, decision_opinion, not_accepted_reasons,
                    competent_agency, handover, caller, anonymous, query_code_hash,
                    item_id, item_version_id, lead_department_id, region_id, warning,
                    caller_phone_hash, request_kind, urgency, answer
                )
                SELECT 'YFBENCH' || lpad(g::text, 9, '0'), 'online', 'in_review', '', '{}',
                       now(), now(), false, '[]', '', '', '', '', '{}', '{}', false, '',
                       %s, %s, %s, %s, 'none', '', '', 'normal', ''
                  FROM generate_series(1, 1000) AS g
                ON CONFLICT DO NOTHING
                """,
                [item.pk, version.pk, dept.pk, region.pk],
            )
    return dept, item, region


def fill(total: int, due_share: float, dept, item, region) -> int:
    """``total`` open tasks, ``due_share`` of them overdue, bulk-inserted with generate_series."""
    from django.db import connection

    due = int(total * due_share)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE workflow_deadlinemark, notifications_delivery, notifications_notification,"
            " notifications_eventnotified RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM permits_event")
        cursor.execute("TRUNCATE workflow_casetask RESTART IDENTITY CASCADE")
        cursor.execute("SELECT min(id), max(id) FROM permits_application")
        low, high = cursor.fetchone()
        span = high - low + 1
        cursor.execute(
            """
            INSERT INTO workflow_casetask (
                kind, stage, application_id, department_id, item_id, region_id, round, status,
                paused, awaiting_applicant, due_at, yellow_at, warning, time_limit_unit,
                created_at, decision, opinion, result
            )
            SELECT 'review', 'undertake', %s + (g %% %s), %s, %s, %s, 1,
                   CASE WHEN g %% 2 = 0 THEN 'open' ELSE 'assigned' END,
                   false, false,
                   CASE WHEN g <= %s THEN now() - interval '1 day' - (g * interval '1 second')
                        ELSE now() + interval '30 days' + (g * interval '1 second') END,
                   CASE WHEN g <= %s THEN now() - interval '3 days'
                        ELSE now() + interval '29 days' + (g * interval '1 second') END,
                   'none', 'working_day', now() - interval '5 days', '', '', '{}'
              FROM generate_series(1, %s) AS g
            """,
            [low, span, dept.pk, item.pk, region.pk, due, due, total],
        )
        cursor.execute("ANALYZE workflow_casetask")
        cursor.execute("ANALYZE workflow_deadlinemark")
    return due


def explain(limit: int) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the red step's statement, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from workflow.deadlines import sweep

    sql = sweep.mark_statement(kind="task", threshold="red")
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, [now, limit, now])
            plan = cursor.fetchone()[0][0]
        transaction.set_rollback(True)
    return plan


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def scan_facts(plan: dict) -> dict:
    top = plan["Plan"]
    scans = [n for n in _walk(top) if "Scan" in n["Node Type"]]
    rows_read = sum(n.get("Actual Rows", 0) * n.get("Actual Loops", 1) for n in scans)
    buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return {
        "rows_touched": rows_read,
        "buffers": buffers,
        "indexes": sorted({n["Index Name"] for n in scans if "Index Name" in n}),
        "seq_scans": sorted(
            {n.get("Relation Name", "?") for n in scans if n["Node Type"] == "Seq Scan"}
        ),
        "plan_ms": plan.get("Execution Time"),
    }


def run_size(total: int, dept, item, region) -> dict:
    from django.utils import timezone

    from notifications import services as notification_services
    from workflow.deadlines import sweep
    from workflow.models import DeadlineMark

    due = fill(total, 0.01, dept, item, region)
    facts = scan_facts(explain(limit=max(due, 1)))

    # The real select-and-mark (red step), batch by batch, follow-ups not started.
    marked = 0
    with (
        mock.patch.object(sweep, "_schedule_followup", lambda mark_id: None),
        mock.patch.object(sweep, "_schedule_followups", lambda mark_ids: None),
    ):
        started = time.perf_counter()
        while True:
            count, _ids = sweep.sweep_step(
                kind="task", threshold="red", now=timezone.now(), limit=500
            )
            marked += count
            if count < 500:
                break
        seconds = time.perf_counter() - started
    assert marked == due, (marked, due)

    # Follow-ups of a sample of due rows, in this process: the red mark's event, the
    # escalation mark and its event, and the notices of both events.
    sample = list(
        DeadlineMark.objects.order_by("pk").values_list("pk", flat=True)[:FOLLOWUP_SAMPLE]
    )
    queue: list[int] = []

    def schedule(mark_id: int) -> None:
        queue.append(mark_id)

    def notify_now(task_name: str, event_id: int) -> None:
        notification_services.notify_for_event(event_id=event_id)

    with (
        mock.patch.object(sweep, "_schedule_followup", schedule),
        mock.patch.object(sweep, "_schedule_followups", lambda ids: queue.extend(ids)),
        mock.patch("notifications.hooks.enqueue", notify_now),
        mock.patch("notifications.services.enqueue_many", lambda task_name, calls: []),
    ):
        from django.db import transaction

        started = time.perf_counter()
        for mark_id in sample:
            queue.append(mark_id)
            while queue:
                with transaction.atomic():
                    sweep.process_mark(mark_id=queue.pop(0))
        followup = time.perf_counter() - started
    return {
        "open": total,
        "due": due,
        "seconds": round(seconds, 4),
        "rows_touched": facts["rows_touched"],
        "buffers": facts["buffers"],
        "buffers_per_due_row": round(facts["buffers"] / max(due, 1), 2),
        "followup_ms_per_row": round(1000 * followup / max(len(sample), 1), 2),
        "indexes": facts["indexes"],
        "seq_scans": facts["seq_scans"],
        "plan_ms": facts["plan_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k open tasks")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL; the benchmark uses a database of its own on it",
    )
    args = parser.parse_args()
    setup_django(ensure_database(args.database_url, BENCH_DB))
    import logging

    logging.disable(logging.INFO)
    dept, item, region = world()
    sizes = (
        [("open_100k", 10_000), ("open_1m", 100_000)]
        if args.quick
        else [
            ("open_100k", 100_000),
            ("open_1m", 1_000_000),
        ]
    )
    results = {}
    for key, total in sizes:
        print(f"… {total:,} open tasks, 1% overdue", flush=True)
        results[key] = run_size(total, dept, item, region)

    print()
    columns = ("open tasks", "due", "mark s", "rows read", "buffers", "buf/due", "follow-up ms/row")
    widths = (12, 7, 8, 10, 8, 8, 17)
    header = " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)) + "  index"
    print(header)
    print("-" * len(header))
    for r in results.values():
        cells = (
            f"{r['open']:,}",
            f"{r['due']:,}",
            f"{r['seconds']:.3f}",
            f"{r['rows_touched']:,}",
            f"{r['buffers']:,}",
            str(r["buffers_per_due_row"]),
            str(r["followup_ms_per_row"]),
        )
        scans = ",".join(r["indexes"])
        if r["seq_scans"]:
            scans += " SEQ SCAN " + ",".join(r["seq_scans"])
        print(" ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)) + "  " + scans)
    print(
        "\nmark s: the red step's statements (select-and-mark, 500 rows a batch, plus the marks'"
        " INSERT) until no due row is left; rows read and buffers: EXPLAIN (ANALYZE, BUFFERS)"
        " of one statement over all due rows; follow-up: per due row, red event + escalation"
        f" + their notices, {FOLLOWUP_SAMPLE} rows sampled."
    )
    keys = ("seconds", "rows_touched", "buffers_per_due_row", "followup_ms_per_row")
    print(json.dumps({key: {k: r[k] for k in keys} for key, r in results.items()}))


if __name__ == "__main__":
    main()
