"""The supervision board's panel of the service centres' queues (registered by
``CentresConfig.ready()``): a heat map of the 90th-percentile wait per day and hour, and the
hours where it exceeded 15 minutes with how many more windows would have kept it under
(潮汐窗口). Scoped like every panel: the centres run by departments the user supervises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest

from centres import load
from departments.models import ServiceCentre
from workflow.access import supervised_department_ids
from workflow.deadlines.board import Panel

MAX_DAYS = 31  # the heat map reads at most a month of tickets


def _centres(user: Any) -> dict[int, ServiceCentre]:
    centres = ServiceCentre.objects.all()
    scope = supervised_department_ids(user)
    if scope is not None:
        centres = centres.filter(department_id__in=sorted(scope))
    return {c.pk: c for c in centres}


def _context(request: HttpRequest, filters) -> dict[str, Any]:
    centres = _centres(request.user)
    start = max(filters.start, filters.end - timedelta(days=MAX_DAYS - 1))
    data = load.heat_map(centre_ids=sorted(centres), start=start, end=filters.end)
    for row in data["days"]:
        row["centre"] = centres[row["centre_id"]]
    busy = [
        {
            "centre": centres[row.centre_id],
            "hour": row.hour,
            "p90_min": round(row.p90_s / 60),
            "arrivals": row.arrivals,
            "backlog": row.backlog,
            "windows": len(row.windows),
            "extra": row.extra_windows,
        }
        for row in data["busy"]
    ]
    return {
        "queue_days": data["days"],
        "queue_hours": data["hours"],
        "queue_busy": busy,
        "queue_threshold_min": load.THRESHOLD_SECONDS // 60,
    }


QUEUE_LOAD_PANEL = Panel("centres.queue_load", "centres/board/queue_load.html", _context, order=60)
