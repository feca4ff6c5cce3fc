"""Benchmark of the deadline sweep (workflow.deadlines) on PostgreSQL.

    .venv/bin/python -P bench/sweep.py [--quick] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

For each size (100,000 and 1,000,000 open tasks; ``--quick``: 10,000 and 100,000), 1% of them
overdue, in a database of its own (``bench_sweep``, created and migrated on first use):

1. the select-and-mark step — the real ``sweep_step`` statements (UPDATE … WHERE ctid =
   ANY(ARRAY(SELECT … FOR UPDATE SKIP LOCKED)) RETURNING, the marking batch's INSERT and its
   follow-up message's outbox INSERT), looped until no due row is left — timed; and the same
   statement under EXPLAIN (ANALYZE, BUFFERS) (rolled back) for the rows it reads and the
   buffers it touches;
2. the follow-up of **every** due row, as one worker runs it: the outbox messages the marking
   wrote, and every message they write in turn, run here one after the other
   (``workflow.deadline_marking`` and ``workflow.deadline_followups`` — the red marks, written
   from the marking batches, their events, the escalation marks and their
   events —, ``workflow.deadline_followup`` for the deemed approvals, which go through the
   flow's services one case at a time, ``notifications.notify_events``/``notify_event`` for
   the notices and their deliveries). ``DEEMED_SHARE`` of the due rows are reviews of real
   parallel cases (six departments each, built through the services) whose item allows
   deemed approval; the rest escalate. Deliveries are written with their outbox messages but
   not sent (that is the SMS gateway's and the mail server's time, not the follow-up's).

It prints a table, and last one JSON line: {"open_100k": {"seconds", "rows_touched",
"buffers_per_due_row", "followup_ms_per_row", "followup_s", "followup_rows", "deemed",
"events", "notices", "deliveries", "followup_queries"}, "open_1m": {...}} (``--quick``: the
same keys, the pair measured being 10k and 100k).
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
DEEMED_SHARE = 0.05  # of the due rows: reviews deemed approved (the rest escalate)
DEEMED_DEPARTMENTS = 6  # parallel departments of each deemed case
SQL_TIMES: dict | None = None  # --sql: the follow-up's statements by time spent


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
    # Who the notices go to: the head (e-mail and phone), a reviewer at the tasks' stage
    # (e-mail) and a supervisor of the region (e-mail).
    from permits.models import Person

    users = get_user_model().objects
    head, _ = users.get_or_create(username="bench-head", defaults={"email": "head@bench.cn"})
    StaffRole.objects.get_or_create(user=head, department=dept, role=Role.HEAD, stage="")
    if not Person.objects.filter(user=head).exists():
        Person.objects.create(
            user=head, real_name="基准负责人", id_number="445302199001011234", phone="13900000001"
        )
    reviewer, _ = users.get_or_create(
        username="bench-reviewer", defaults={"email": "reviewer@bench.cn"}
    )
    StaffRole.objects.get_or_create(
        user=reviewer, department=dept, role=Role.REVIEWER, stage="undertake"
    )
    supervisor, _ = users.get_or_create(
        username="bench-supervisor", defaults={"email": "supervisor@bench.cn"}
    )
    StaffRole.objects.get_or_create(
        user=supervisor, department=dept, role=Role.SUPERVISOR, stage="", region=region
    )
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


def fill(total: int, due: int, dept, item, region) -> int:
    """``total`` open tasks, ``due`` of them overdue, bulk-inserted with generate_series, on
    the benchmark's own applications."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE workflow_deadlinemark, workflow_markingbatch, notifications_delivery,"
            " notifications_notification, notifications_eventnotified RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM permits_event")
        cursor.execute("TRUNCATE outbox_outboxmessage RESTART IDENTITY")
        cursor.execute("TRUNCATE workflow_casetask RESTART IDENTITY CASCADE")
        cursor.execute(
            "SELECT min(id), max(id) FROM permits_application WHERE number LIKE 'YFBENCH%%'"
        )
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
        # VACUUM, not only ANALYZE: autovacuum would otherwise visit the freshly filled table
        # while the marking runs and its block reads would count in the marking's (statio).
        cursor.execute("VACUUM (ANALYZE) workflow_casetask")
        cursor.execute("VACUUM (ANALYZE) workflow_deadlinemark")
        cursor.execute("VACUUM (ANALYZE) workflow_markingbatch")
    return due


def explain(limit: int) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the red step's marking statement, rolled back (its AFTER
    triggers — the marks' foreign-key checks — are outside the plan's buffers: the statio
    figure counts them)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from workflow.deadlines import sweep

    now = timezone.now()
    if hasattr(sweep, "marking_statement"):  # the whole marking: the rows and the marks
        sql = sweep.marking_statement(kind="task", threshold="red")
        params = [now, limit, now, now]
    else:  # before it: the UPDATE alone (the marks' INSERT was a second statement)
        sql = sweep.mark_statement(kind="task", threshold="red")
        params = [now, limit, now]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0][0]
        transaction.set_rollback(True)
    return plan


def statio_blocks() -> dict[str, int]:
    """Every block this database's tables, indexes and TOAST were read or hit, by any
    statement, trigger or foreign-key check (``pg_statio_user_tables``, this backend's counts
    flushed first), by table: the marking's whole cost, whichever statements it is made of."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:  # the flush happens as the backend goes idle
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0)"
            " + coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0)"
            " + coalesce(toast_blks_read, 0) + coalesce(toast_blks_hit, 0)"
            " + coalesce(tidx_blks_read, 0) + coalesce(tidx_blks_hit, 0)"
            " FROM pg_statio_user_tables"
        )
        return {name: int(blocks) for name, blocks in cursor.fetchall()}


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


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
        # Each table the statement writes, with the buffers of its write (its node and the
        # scans under it): the marked rows' UPDATE alone is what this figure was before the
        # marks' INSERT joined the statement.
        "writes": {
            n["Relation Name"]: n.get("Shared Hit Blocks", 0) + n.get("Shared Read Blocks", 0)
            for n in _walk(top)
            if n["Node Type"] == "ModifyTable"
        },
    }


def deemed_cases(count: int) -> int:
    """``count`` overdue department reviews whose item allows deemed approval: parallel cases of
    ``DEEMED_DEPARTMENTS`` departments built through the flow's services (submitted, accepted),
    their reviews then made overdue. Returns how many reviews."""
    import itertools
    import math

    from django.db import connection

    from tests.workflow import factories
    from tests.workflow.deadlines.helpers import allow_deemed_approval
    from tests.workflow.journey import accept, build_world, submitted_case

    if count <= 0:
        return 0
    # Fresh codes and usernames in a database kept between runs.
    factories._seq = itertools.count(int(time.time() * 1000) % 10**9)
    world = build_world(DEEMED_DEPARTMENTS)
    allow_deemed_approval(world.item)
    cases = []
    for _ in range(math.ceil(count / DEEMED_DEPARTMENTS)):
        app = submitted_case(world)
        accept(world, app)
        cases.append(app.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_casetask SET due_at = now() - interval '1 day',"
            " yellow_at = now() - interval '3 days'"
            " WHERE application_id = ANY(%s) AND kind = 'review'"
            " AND status IN ('open', 'assigned')",
            [cases],
        )
        return cursor.rowcount


class Worker:
    """One worker's queue: the outbox messages published after each commit, run in order here
    (deliveries are counted, not sent)."""

    def __init__(self) -> None:
        self.queue: list = []
        self.ran: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def publish(self, messages, *, app=None) -> int:
        from django.utils import timezone

        from outbox.models import OutboxMessage

        messages = list(messages)
        self.queue.extend(messages)
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(sent_at=timezone.now())
        return len(messages)

    def run(self) -> None:
        from notifications import bulk
        from notifications import services as notification_services
        from workflow.deadlines import followup, sweep

        handlers = {
            "workflow.deadline_marking": lambda pk: followup.process_batch(batch_id=pk),
            "workflow.deadline_followups": lambda ids: followup.process_marks(mark_ids=ids),
            "workflow.deadline_followup": lambda pk: sweep.process_mark(mark_id=pk),
            "notifications.notify_events": lambda ids: bulk.notify_for_events(event_ids=ids),
            "notifications.notify_event": lambda pk: notification_services.notify_for_event(
                event_id=pk
            ),
        }
        while self.queue:
            message = self.queue.pop(0)
            name = message.task_name
            self.ran[name] = self.ran.get(name, 0) + 1
            handler = handlers.get(name)
            if handler is None:
                continue  # notifications.deliver: the gateway's work
            started = time.perf_counter()
            handler(*message.args)
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def run_size(total: int, dept, item, region) -> dict:
    from django.db import connection
    from django.utils import timezone

    from notifications.models import Delivery, Notification
    from permits.models import Event
    from workflow.deadlines import sweep
    from workflow.models import DeadlineMark, MarkingBatch

    due = int(total * 0.01)
    deemed_wanted = int(due * DEEMED_SHARE)
    fill(total, due - deemed_wanted, dept, item, region)
    deemed = deemed_cases(deemed_wanted)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outbox_outboxmessage RESTART IDENTITY")
        cursor.execute("SELECT max(id) FROM permits_event")
        first_event = cursor.fetchone()[0] or 0
        cursor.execute("ANALYZE workflow_casetask")
    due = due - deemed_wanted + deemed
    facts = scan_facts(explain(limit=max(due, 1)))

    worker = Worker()
    with mock.patch("onestop.dispatch.publish", worker.publish):
        # The real select-and-mark (red step), batch by batch, with its follow-up messages.
        marked = 0
        blocks_before = statio_blocks()
        started = time.perf_counter()
        while True:
            count, _ids = sweep.sweep_step(
                kind="task", threshold="red", now=timezone.now(), limit=500
            )
            marked += count
            if count == 0:
                break
        seconds = time.perf_counter() - started
        by_table = _delta(blocks_before, statio_blocks())
        all_blocks = sum(by_table.values())
        assert marked == due, (marked, due)

        # The follow-up of every due row, as one worker runs it.
        queries = [0]

        def count_query(execute, sql, params, many, context):
            queries[0] += 1
            if SQL_TIMES is None:
                return execute(sql, params, many, context)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                key = " ".join(sql.split()[:6])[:90]
                took = time.perf_counter() - started
                spent, n, slowest = SQL_TIMES.get(key, (0.0, 0, (0.0, "")))
                slowest = max(slowest, (took, sql % tuple(params or ()) if not many else sql))
                SQL_TIMES[key] = (spent + took, n + 1, slowest)

        with connection.execute_wrapper(count_query):
            started = time.perf_counter()
            worker.run()
            followup = time.perf_counter() - started
    unprocessed = DeadlineMark.objects.filter(processed_at__isnull=True).count()
    assert unprocessed == 0, unprocessed
    assert not MarkingBatch.objects.filter(processed_at__isnull=True).exists()
    events = Event.objects.filter(pk__gt=first_event)
    deemed_done = events.filter(action="department_deemed_approved").count()
    assert deemed_done == deemed, (deemed_done, deemed)
    return {
        "open": total,
        "due": due,
        "seconds": round(seconds, 4),
        "rows_touched": facts["rows_touched"],
        "buffers": facts["buffers"],
        "buffers_per_due_row": round(facts["buffers"] / max(due, 1), 2),
        "all_blocks_per_due_row": round(all_blocks / max(due, 1), 2),
        "buffers_by_write": {k: round(v / max(due, 1), 2) for k, v in facts["writes"].items()},
        "blocks_by_table": {
            k: round(v / max(due, 1), 2) for k, v in sorted(by_table.items(), key=lambda kv: -kv[1])
        },
        "followup_s": round(followup, 2),
        "followup_ms_per_row": round(1000 * followup / max(due, 1), 2),
        "followup_rows": marked,
        "deemed": deemed_done,
        "deemed_s": round(worker.seconds.get("workflow.deadline_followup", 0.0), 2),
        "marks_s": round(
            worker.seconds.get("workflow.deadline_marking", 0.0)
            + worker.seconds.get("workflow.deadline_followups", 0.0),
            2,
        ),
        "notices_s": round(worker.seconds.get("notifications.notify_events", 0.0), 2),
        "notice_each_s": round(worker.seconds.get("notifications.notify_event", 0.0), 2),
        "events": events.count(),
        "notices": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
        "messages": worker.ran,
        "followup_queries": queries[0],
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
    parser.add_argument("--sql", action="store_true", help="the follow-up's slowest statements")
    parser.add_argument(
        "--database-name",
        default=BENCH_DB,
        help=f"the benchmark's own database (default {BENCH_DB}; created and migrated on use)",
    )
    args = parser.parse_args()
    if args.sql:
        global SQL_TIMES
        SQL_TIMES = {}
    setup_django(ensure_database(args.database_url, args.database_name))
    from django.conf import settings

    # The deemed cases' staff and citizens are made with passwords: hash them fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
        results[key] = r = run_size(total, dept, item, region)
        print(
            f"  marked {r['due']:,} in {r['seconds']:.3f} s ({r['buffers_per_due_row']} buffers"
            f" a due row in EXPLAIN, {r['all_blocks_per_due_row']} blocks a due row in all its"
            f" statements); follow-up {r['followup_s']:.2f} s ({r['followup_ms_per_row']} ms a"
            f" due row, {r['deemed']} deemed approvals)",
            flush=True,
        )

    print()
    columns = (
        "open tasks",
        "due",
        "mark s",
        "rows read",
        "buffers",
        "buf/due",
        "follow-up s",
        "ms/row",
        "deemed",
        "events",
        "notices",
        "queries",
    )
    widths = (12, 7, 8, 10, 8, 8, 12, 7, 7, 8, 8, 9)
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
            f"{r['followup_s']:.2f}",
            str(r["followup_ms_per_row"]),
            f"{r['deemed']:,}",
            f"{r['events']:,}",
            f"{r['notices']:,}",
            f"{r['followup_queries']:,}",
        )
        scans = ",".join(r["indexes"])
        if r["seq_scans"]:
            scans += " SEQ SCAN " + ",".join(r["seq_scans"])
        print(" ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)) + "  " + scans)
    for key, r in results.items():
        print(
            f"{key}: follow-up split — marks and events {r['marks_s']} s, deemed approvals"
            f" {r['deemed_s']} s ({r['deemed']}), notices in batches {r['notices_s']} s,"
            f" notices one event at a time (the deemed approvals') {r['notice_each_s']} s;"
            f" {r['deliveries']:,} deliveries; messages {r['messages']}"
        )
        print(
            f"{key}: per due row, EXPLAIN's buffers by table written {r['buffers_by_write']};"
            f" all the marking's blocks by table {r['blocks_by_table']}"
        )
    print(
        "\nmark s: the red step's statements (select-and-mark, 500 rows a batch, the marks'"
        " INSERT and the follow-up messages' outbox INSERT) until no due row is left; rows read"
        " and buffers: EXPLAIN (ANALYZE, BUFFERS) of one statement over all due rows; follow-up:"
        " every due row, one worker: red events, escalation marks and events, deemed approvals"
        f" ({DEEMED_SHARE:.0%} of the due rows, through the flow's services), notices and"
        " deliveries with their outbox rows."
    )
    if SQL_TIMES:
        print("\nfollow-up statements by time (all sizes):")
        for key, (spent, n, slowest) in sorted(SQL_TIMES.items(), key=lambda kv: -kv[1][0])[:15]:
            print(f"  {spent:8.2f} s {n:7,}  {key}")
            if os.environ.get("BENCH_SQL_SLOWEST"):
                print(f"           slowest {slowest[0] * 1000:.1f} ms: {slowest[1][-1200:]}")
    keys = (
        "seconds",
        "rows_touched",
        "buffers_per_due_row",
        "all_blocks_per_due_row",
        "followup_ms_per_row",
        "followup_s",
        "followup_rows",
        "deemed",
        "events",
        "notices",
        "deliveries",
        "followup_queries",
    )
    print(json.dumps({key: {k: r[k] for k in keys} for key, r in results.items()}))


if __name__ == "__main__":
    main()
