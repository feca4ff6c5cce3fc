"""Benchmark of the statistics (issue 13, "Benchmark"): the rebuild of a month of read models,
the statistics board and the public figures pages.

    .venv/bin/python bench/statistics.py [--quick] [--template yunfu_load_tpl] [--requests 50]
                                         [--database-url postgres://postgres@127.0.0.1:5432/postgres]
    (or: .venv/bin/python -m bench.statistics …)
    --on DB: measure DB (a clone made already with ``seed_load --clone``, migrated) instead of a
    new clone; it is neither cloned nor dropped. --no-rebuild-all: skip step 1 (the read models
    are built already). --month YYYY-MM: the month of step 2 and of the second board period.

On a fresh clone of the load dataset (``loadtest.databases.clone_database``; the template is
``--template``, else ``yunfu_load_tpl``, else ``yunfu_load_tpl_10k``, which is built with
``seed_load --cases 10000`` when neither exists):

1. ``statistics_rebuild`` of everything (the template's read models hold only its prototypes'
   rows: the copies' events were never fed), timed and shown, so the pages read the whole
   dataset's figures (``--quick``: the last 13 months only, what the board's trend reads);
2. ``statistics_rebuild --from --to`` of the busiest local month of the event log, timed
   (``rebuild_month_s``): what an operator runs after a failure;
3. the pages through Django's test client (in process: the whole middleware and template stack,
   no network or WSGI server), ``--requests`` times each after two warm-up requests:
   the board ``/office/statistics/`` as the city supervisor (``supervisor``, region 445300) for
   this month (the page's default) and for the busiest month; the public 办件公示
   ``/gongkai/cases/`` and the open data ``/gongkai/data/department-monthly.json`` anonymously.

Prints a table (p50, p95, max, queries per request), and last one JSON line:
{"board_p95_ms", "public_p95_ms", "rebuild_month_s", ...} — ``board_p95_ms`` the worse of the two
board periods, ``public_p95_ms`` the worse of the two public pages; ``cases`` and ``events``
say the dataset's size. The clone is dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this directory comes first on the path, and bench/queue.py would shadow
# the standard library's queue (and this file the standard library's statistics).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

CLONE = "bench_statistics"
SMALL_TEMPLATE = "yunfu_load_tpl_10k"
SUPERVISOR = "supervisor"  # the demo's city supervisor (市政务服务数据局, region 445300)
TARGET_MS = 200
TARGET_REBUILD_S = 60


def _template(server: str, wanted: str | None) -> str:
    from loadtest import databases

    if wanted:
        if not databases.exists(wanted, server):
            raise SystemExit(f"no {wanted}: run `python manage.py seed_load --cases N` first")
        return wanted
    for name in (databases.TEMPLATE, SMALL_TEMPLATE):
        if databases.exists(name, server):
            return name
    print(f"building {SMALL_TEMPLATE} (seed_load --cases 10000) …", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_load", "--cases", "10000",
         "--template", SMALL_TEMPLATE, "--no-estimate"],
        env={**os.environ, "DATABASE_URL": server}, cwd=ROOT, check=True,
    )  # fmt: skip
    return SMALL_TEMPLATE


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def _busiest_month():
    """(first day, last day, events) of the local month with the most events."""
    from datetime import date, timedelta

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT date_trunc('month', at AT TIME ZONE 'Asia/Shanghai')::date AS m, count(*) "
            "FROM permits_event GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1"
        )
        first, n = cur.fetchone()
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return date(first.year, first.month, 1), last, n


def _size() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM permits_application), "
                    "(SELECT count(*) FROM permits_event)")  # fmt: skip
        return cur.fetchone()


def _rebuild(**period) -> tuple[float, str]:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    began = time.monotonic()
    args = [f"--{k}={v:%Y-%m-%d}" for k, v in period.items() if v]
    call_command("statistics_rebuild", *args, stdout=out)
    return time.monotonic() - began, out.getvalue().strip()


def _measure(client, url: str, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: imports, template loading, caches
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    times, queries = [], []
    for _ in range(n):
        with CaptureQueriesContext(connection) as q:
            began = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(q))
    return {
        "p50": round(_percentile(times, 0.5), 1),
        "p95": round(_percentile(times, 0.95), 1),
        "max": round(max(times), 1),
        "queries": max(queries),
        "bytes": len(response.content),
    }


def _month(value: str):
    """(first day, last day, events) of the local month ``YYYY-MM``."""
    from datetime import date, timedelta

    from django.db import connection

    first = date(int(value[:4]), int(value[5:7]), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM permits_event WHERE at >= %s::date::timestamp AT TIME ZONE "
            "'Asia/Shanghai' AND at < (%s::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'",
            [first, last],
        )
        return first, last, cur.fetchone()[0]


def run(
    url: str, *, quick: bool, requests: int, rebuild_all: bool = True, month: str | None = None
) -> dict:
    from bench.common import setup_django

    setup_django(url)
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    cases, events = _size()
    first, last, month_events = _month(month) if month else _busiest_month()
    today = timezone.localdate()
    figures: dict = {"cases": cases, "events": events}
    if not rebuild_all:
        seconds, said = 0.0, "not run (--no-rebuild-all: the read models are built already)"
        figures["rebuild_label"] = "rebuild everything"
    elif quick:
        since = (today.replace(day=1) - timedelta(days=366)).replace(day=1)
        seconds, said = _rebuild(**{"from": since, "to": today})
        figures["rebuild_label"] = f"rebuild {since:%Y-%m}..{today:%Y-%m}"
    else:
        seconds, said = _rebuild()
        figures["rebuild_label"] = "rebuild everything"
    figures["rebuild_all_s"] = round(seconds, 1)
    figures["rebuild_all_said"] = said
    seconds, said = _rebuild(**{"from": first, "to": last})
    figures["month"] = f"{first:%Y-%m}"
    figures["month_events"] = month_events
    figures["rebuild_month_s"] = round(seconds, 2)
    figures["rebuild_month_said"] = said

    board = Client()
    board.force_login(get_user_model().objects.get(username=SUPERVISOR))
    public = Client()
    pages = {
        "board (this month)": (board, "/office/statistics/"),
        f"board ({first:%Y-%m})": (
            board,
            f"/office/statistics/?start={first:%Y-%m-%d}&end={last:%Y-%m-%d}",
        ),
        "public /gongkai/cases/": (public, "/gongkai/cases/"),
        "public open data JSON": (public, "/gongkai/data/department-monthly.json"),
    }
    figures["pages"] = {
        label: {"url": path, **_measure(client, path, requests)}
        for label, (client, path) in pages.items()
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="13 months rebuilt, 20 requests")
    parser.add_argument("--template", default=None)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the clone (to EXPLAIN on it)")
    parser.add_argument(
        "--on",
        metavar="DATABASE",
        help="measure this database (a clone made already, migrated) instead of a new clone; "
        "it is neither cloned nor dropped",
    )
    parser.add_argument(
        "--no-rebuild-all",
        action="store_true",
        help="skip step 1 (the read models of the whole range are built already)",
    )
    parser.add_argument(
        "--month", metavar="YYYY-MM", help="the month rebuilt and shown (default: the busiest)"
    )
    args = parser.parse_args()

    from loadtest import databases

    server = databases.server_url(args.database_url)
    requests = args.requests or (20 if args.quick else 50)
    if args.on:
        template = args.on
        url = databases.database_url(args.on, server)
        print(f"on {args.on} (not cloned, not dropped) …", flush=True)
    else:
        template = _template(server, args.template)
        print(f"clone of {template} ({databases.describe(template, server) or '?'}) …", flush=True)
        url = databases.clone_database(CLONE, template=template, server=server)
    size = re.search(r"applications=(\d+)", databases.describe(template, server) or "")
    try:
        f = run(
            url,
            quick=args.quick,
            requests=requests,
            rebuild_all=not args.no_rebuild_all,
            month=args.month,
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep and not args.on:
            databases.drop_clone(CLONE, server)
    print()
    print(f"dataset: {f['cases']:,} cases, {f['events']:,} events (template {template})")
    print(f"{f['rebuild_label']:34}{f['rebuild_all_s']:>10} s   {f['rebuild_all_said']}")
    label = f"rebuild {f['month']} ({f['month_events']:,} ev.)"
    print(f"{label:34}{f['rebuild_month_s']:>10} s   {f['rebuild_month_said']}")
    print()
    print(f"{'page (Django test client)':34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
    for label, p in f["pages"].items():
        print(f"{label:34}{p['p50']:>9}{p['p95']:>9}{p['max']:>9}{p['queries']:>9}")
    board_p95 = max(p["p95"] for k, p in f["pages"].items() if k.startswith("board"))
    public_p95 = max(p["p95"] for k, p in f["pages"].items() if k.startswith("public"))
    print(
        f"\ntargets: board and public p95 < {TARGET_MS} ms, a month's rebuild < "
        f"{TARGET_REBUILD_S} s (at 1M cases); requests per page: {requests}"
    )
    print(
        json.dumps(
            {
                "board_p95_ms": board_p95,
                "public_p95_ms": public_p95,
                "rebuild_month_s": f["rebuild_month_s"],
                "cases": int(size.group(1)) if size else f["cases"],
                "events": f["events"],
                "month_events": f["month_events"],
                "rebuild_all_s": f["rebuild_all_s"],
                "quick": args.quick,
            }
        )
    )


if __name__ == "__main__":
    main()
