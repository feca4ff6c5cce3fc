"""Run by test_replica.py in a child process whose DATABASE_URL is the small primary and whose
REPORTING_DATABASE_URL is its standby: write decided cases (and their decisions' events, which
the feed turns into the monthly figures after commit) on the primary, wait until the
standby has replayed them, read the public figures through the reporting alias, print JSON.

Not collected by pytest (no ``test_`` prefix); ``python tests/disclosure/replica_probe.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django  # noqa: E402

django.setup()

from django.db import DatabaseError, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from disclosure import publication  # noqa: E402
from onestop.reporting import replica_status, reporting_alias  # noqa: E402
from permits.models import Application  # noqa: E402
from tests.workflow import factories as f  # noqa: E402
from workflow.services.events import event_append  # noqa: E402


def main() -> None:
    assert reporting_alias() == "reporting", "REPORTING_DATABASE_URL is not set"
    run = f"{int(time.time()) % 100000:05d}"
    with transaction.atomic():
        reg = f.region()
        lead = f.department(code=f"replica-{run}", name=f"副本测试局{run}", reg=reg)
        item = f.published_item(lead=lead, code=f"REPLICA-{run}")
        now = timezone.now()
        for n in range(3):
            decided_at = now - dt.timedelta(hours=n + 1)
            app = Application.objects.create(
                number=f"YF{run}{n:08d}",
                item=item,
                item_version=item.current_version,
                status="approved",
                decision="approved",
                region=reg,
                lead_department=lead,
                submitted_at=decided_at - dt.timedelta(days=2),
                decided_at=decided_at,
                due_at=decided_at + dt.timedelta(hours=1) if n else decided_at - dt.timedelta(1),
            )
            # its decision's event: fed after commit, it keeps the monthly figures
            event_append(application=app, actor=None, action="approved", at=decided_at)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    standby = connections["reporting"]
    waited = 0.0
    while True:
        with standby.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            (replayed,) = cursor.fetchone()
        if replayed or waited > 30:
            break
        time.sleep(0.1)
        waited += 0.1
    status = replica_status()
    start, end = publication.recent_months(1)
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(standby) as on_standby,
    ):
        rows = [
            r
            for r in publication.department_month_figures(start=start, end=end)
            if r.department_code == lead.code
        ]
        cases = [c.number for c in publication.completed_cases() if c.department == lead.name]
    try:
        with transaction.atomic(using="reporting"):
            Application.objects.using("reporting").filter(number=f"YF{run}00000000").update(
                decision="denied"
            )
        write_refused = False
    except DatabaseError:
        write_refused = True
    sys.stdout.write(
        json.dumps(
            {
                "replayed": bool(replayed),
                "waited_s": round(waited, 1),
                "replica": status.replica,
                "lag_seconds": status.lag_seconds,
                "rows": [
                    {"completed": r.completed, "on_time": r.on_time, "share": r.on_time_share}
                    for r in rows
                ],
                "cases": sorted(cases),
                "expected_cases": sorted(f"YF{run}{n:08d}" for n in range(3)),
                "queries_on_primary": len(on_primary),
                "queries_on_standby": len(on_standby),
                "write_refused": write_refused,
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
