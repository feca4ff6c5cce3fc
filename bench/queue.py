"""Benchmark of the service centre's queue routing (centres.services.queue) on PostgreSQL.

    .venv/bin/python bench/queue.py [--tickets 3000] [--seed 7] [--database-url postgres://…]
                                    [--only balanced|baseline]

Simulates one day of the Yunfu city centre: 20 windows of mixed capability (4 comprehensive,
15 department windows, 1 assisted-service window), 3,000 tickets, 40% of them arriving between
09:00 and 11:00 and the rest until 17:00, 10% of them appointments (priority), handling times
drawn per category (log-normal around each category's mean). Every ticket goes through the
project's own services with the simulated clock passed explicitly — ``ticket_issue`` (which
assigns it), ``ticket_call_next`` (own queue, then takeover) and ``ticket_finish`` — in a
database of its own (``bench_queue``, created and migrated on first use). The simulation
itself only keeps the clock: a window that finishes calls next; an arrival wakes the idle
windows that can serve it (its assigned window first).

Two runs on the same arrivals and handling times:

- ``balanced``: the centre's routing (shortest expected wait at issue, takeover when idle);
- ``baseline``: one fixed queue per window (``Routing.FIXED``: the ticket's window is chosen
  among the capable ones by its number, whatever their load; no takeover).

It prints per run the average and 90th-percentile wait (issue → call) and the load spread (the
coefficient of variation of busy time across the open windows), and last one JSON line:
{"balanced": {"wait_avg_s", "wait_p90_s", "load_spread"}, "baseline": {...}}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called queue.py: keep its folder off the path, or ``import queue`` (the standard
# library's, used by the libraries below) would import this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import heapq  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import ensure_database, setup_django  # noqa: E402

BENCH_DB = "bench_queue"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 7, tzinfo=SHANGHAI)  # a Monday

# category: (share of arrivals, mean handling minutes)
CATEGORIES = {
    "licensing": (0.20, 4.0),
    "social_security": (0.18, 2.2),
    "certificate": (0.12, 2.6),
    "confirmation": (0.10, 3.0),
    "declaration": (0.10, 2.2),
    "lookup_service": (0.10, 1.3),
    "public_service": (0.06, 1.8),
    "annual_inspection": (0.04, 2.6),
    "enquiry": (0.06, 1.3),
    "complaint": (0.02, 3.5),
    "environment": (0.02, 4.5),
}
EVERY = list(CATEGORIES)

# number, name, kind, categories: the city centre's 20 windows.
WINDOWS = [
    ("01", "综合窗口", "comprehensive", EVERY),
    ("02", "综合窗口", "comprehensive", EVERY),
    ("03", "综合窗口", "comprehensive", EVERY),
    ("04", "综合窗口", "comprehensive", EVERY),
    ("05", "企业开办专区", "department", ["licensing", "annual_inspection"]),
    ("06", "企业开办专区", "department", ["licensing", "annual_inspection"]),
    ("07", "企业开办专区", "department", ["licensing"]),
    ("08", "社保医保窗口", "department", ["social_security", "public_service", "lookup_service"]),
    ("09", "社保医保窗口", "department", ["social_security", "public_service"]),
    ("10", "公积金窗口", "department", ["social_security", "lookup_service"]),
    ("11", "公安户政窗口", "department", ["certificate", "confirmation"]),
    ("12", "出入境窗口", "department", ["certificate"]),
    ("13", "不动产登记窗口", "department", ["confirmation", "lookup_service"]),
    ("14", "不动产登记窗口", "department", ["confirmation"]),
    ("15", "工程建设项目窗口", "department", ["licensing", "environment"]),
    ("16", "税务窗口", "department", ["declaration"]),
    ("17", "税务窗口", "department", ["declaration", "lookup_service"]),
    ("18", "咨询投诉窗口", "department", ["enquiry", "complaint"]),
    ("19", "社保医保窗口", "department", ["social_security"]),
    ("20", "帮办代办窗口", "assisted", ["licensing", "social_security", "certificate"]),
]


def world():
    """The centre, its 20 windows (one clerk each), one published item per category."""
    from django.contrib.auth import get_user_model

    from departments.models import Department, Level, Region, Role, ServiceCentre, StaffRole
    from departments.models import Window as WindowModel
    from permits.models import ServiceItem

    region, _ = Region.objects.get_or_create(
        code="445300", defaults={"name": "云浮市", "level": Level.CITY}
    )
    dept, _ = Department.objects.get_or_create(
        code="bench-zwfw",
        defaults={
            "name": "基准测试政务服务中心",
            "level": Level.CITY,
            "region": region,
            "kind": "service_centre",
        },
    )
    centre, _ = ServiceCentre.objects.get_or_create(
        region=region, defaults={"name": "云浮市政务服务中心（基准）", "department": dept}
    )
    if centre.department_id != dept.pk:
        centre.department = dept
        centre.save(update_fields=["department"])
    items = {}
    for category in CATEGORIES:
        items[category], _ = ServiceItem.objects.get_or_create(
            code=f"BENCHQ-{category}".upper()[:40],
            defaults=dict(
                name=f"基准事项（{category}）",
                category=category,
                audience="both",
                service_model="single_department",
                region=region,
                lead_department=dept,
                legal_days=20,
                promised_days=10,
                online_depth="full_online",
                status="published",
            ),
        )
    users = get_user_model().objects
    windows, clerks = [], []
    for number, name, kind, categories in WINDOWS:
        window, _ = WindowModel.objects.update_or_create(
            centre=centre,
            number=number,
            defaults={"name": name, "kind": kind, "categories": categories, "status": "open"},
        )
        clerk, _ = users.get_or_create(username=f"bench-clerk-{number}")
        StaffRole.objects.get_or_create(user=clerk, department=dept, role=Role.CLERK, stage="")
        windows.append(window)
        clerks.append(users.get(pk=clerk.pk))
    WindowModel.objects.filter(centre=centre).exclude(pk__in=[w.pk for w in windows]).delete()
    return centre, windows, clerks, items


def arrivals(n: int, seed: int) -> list[tuple[datetime, str, str, float]]:
    """(time, category, priority reason, handling seconds), by time: 40% in 09:00–11:00, the
    rest until 17:00; 10% appointments."""
    rng = random.Random(seed)
    cats, weights = zip(*((c, w) for c, (w, _) in CATEGORIES.items()), strict=True)
    out = []
    for i in range(n):
        peak = i < int(n * 0.4)
        offset = rng.uniform(0, 2 * 3600) if peak else rng.uniform(2 * 3600, 8 * 3600)
        category = rng.choices(cats, weights)[0]
        mean = CATEGORIES[category][1] * 60
        sigma = 0.5
        handling = rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
        reason = "appointment" if rng.random() < 0.10 else ""
        out.append((DAY.replace(hour=9) + timedelta(seconds=offset), category, reason, handling))
    out.sort(key=lambda a: a[0])
    return out


def simulate(centre, windows, clerks, items, day_arrivals, *, routing: str) -> dict:
    """Run the day through the services; return the wait and load figures."""
    from centres.models import Ticket, TicketCounter
    from centres.services import queue
    from centres.services.capability import listed_items, serves

    Ticket.objects.filter(centre=centre).delete()
    TicketCounter.objects.filter(centre=centre).delete()
    balanced = routing == queue.Routing.BALANCED
    by_pk = {w.pk: i for i, w in enumerate(windows)}
    listed = listed_items(by_pk)
    handling: dict[int, float] = {}
    busy = [0.0] * len(windows)
    current: list[int | None] = [None] * len(windows)
    waits: list[float] = []
    events: list = []  # (time, order, window index): a window finishes its ticket
    order = 0

    def call(i: int, now: datetime) -> bool:
        nonlocal order
        ticket = queue.ticket_call_next(
            window=windows[i], actor=clerks[i], now=now, take_over=balanced
        )
        if ticket is None:
            return False
        current[i] = ticket.pk
        waits.append((now - ticket.issued_at).total_seconds())
        seconds = handling[ticket.pk]
        busy[i] += seconds
        order += 1
        heapq.heappush(events, (now + timedelta(seconds=seconds), order, i))
        return True

    def finish_until(limit: datetime | None) -> None:
        while events and (limit is None or events[0][0] <= limit):
            at, _, i = heapq.heappop(events)
            queue.ticket_finish(ticket=current[i], actor=clerks[i], now=at)
            current[i] = None
            call(i, at)

    for at, category, reason, seconds in day_arrivals:
        finish_until(at)
        item = items[category]
        ticket = queue.ticket_issue(
            centre=centre, item=item, priority_reason=reason, now=at, routing=routing
        )
        handling[ticket.pk] = seconds
        idle = [i for i in range(len(windows)) if current[i] is None]
        assigned = by_pk.get(ticket.window_id)
        if assigned in idle:
            idle.remove(assigned)
            if call(assigned, at):
                continue
        if balanced:
            for i in idle:
                if serves(
                    windows[i], item_id=item.pk, category=category, listed=listed.get(windows[i].pk)
                ) and call(i, at):
                    break
    finish_until(None)

    waits.sort()
    p90 = waits[min(len(waits) - 1, math.ceil(0.9 * len(waits)) - 1)]
    mean_busy = statistics.fmean(busy)
    return {
        "wait_avg_s": round(statistics.fmean(waits), 1),
        "wait_p90_s": round(p90, 1),
        "load_spread": round(statistics.pstdev(busy) / mean_busy, 3) if mean_busy else 0.0,
        "served": len(waits),
        "busy_h": [round(b / 3600, 2) for b in busy],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL; the benchmark uses a database of its own on it",
    )
    parser.add_argument(
        "--only",
        choices=("balanced", "baseline"),
        help="run one routing, in a database of its own (bench_queue_<routing>), e.g. to run the "
        "two side by side on a loaded machine",
    )
    args = parser.parse_args()
    name = f"{BENCH_DB}_{args.only}" if args.only else BENCH_DB
    setup_django(ensure_database(args.database_url, name))
    import logging

    logging.disable(logging.INFO)
    from centres.services.queue import Routing

    centre, windows, clerks, items = world()
    day = arrivals(args.tickets, args.seed)
    results = {}
    runs = (("balanced", Routing.BALANCED), ("baseline", Routing.FIXED))
    for key, routing in runs:
        if args.only and key != args.only:
            continue
        started = time.monotonic()
        print(f"… {key}: {len(day):,} tickets through the services", flush=True)
        results[key] = simulate(centre, windows, clerks, items, day, routing=routing)
        results[key]["run_s"] = round(time.monotonic() - started, 1)
        r = results[key]
        print(
            f"  {key}: wait avg {r['wait_avg_s']} s, p90 {r['wait_p90_s']} s, "
            f"load spread {r['load_spread']}",
            flush=True,
        )

    print()
    header = (
        f"{'routing':>9} {'served':>7} {'wait avg':>10} {'wait p90':>10} {'spread':>7} {'run s':>7}"
    )
    print(header)
    print("-" * len(header))
    for key, r in results.items():
        print(
            f"{key:>9} {r['served']:>7,} {r['wait_avg_s'] / 60:>8.1f} m"
            f" {r['wait_p90_s'] / 60:>8.1f} m {r['load_spread']:>7.3f} {r['run_s']:>7.1f}"
        )
    print()
    print("busy hours per window (01…20):")
    for key, r in results.items():
        print(f"{key:>9} " + " ".join(f"{h:.1f}" for h in r["busy_h"]))
    print(
        json.dumps(
            {
                key: {k: r[k] for k in ("wait_avg_s", "wait_p90_s", "load_spread")}
                for key, r in results.items()
            }
        )
    )


if __name__ == "__main__":
    main()
