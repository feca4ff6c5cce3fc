"""The supervision board's panel of process-centred cases (issue 8): per dispatched
department in the period, the handling tasks completed, the replies, the returns (退回) and the
replies on time. Repeated calls (重复件) join it from the hotline intake. Scoped like every
panel (``supervision.supervised_department_ids``); one aggregate query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.http import HttpRequest

from workflow.deadlines import supervision
from workflow.deadlines.board import Panel
from workflow.deadlines.supervision import BoardFilters
from workflow.models import TaskKind, TaskStatus


def handling_counts(user: Any, filters: BoardFilters) -> list[dict]:
    """One row per department: ``done``, ``replies``, ``returns``, ``on_time`` (replies by
    their due), ``on_time_rate`` (percent of replies, or None)."""
    start, end = supervision._period(filters)
    rows = (
        supervision._scoped_tasks(user, filters)
        .filter(
            kind=TaskKind.HANDLING,
            status=TaskStatus.DONE,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .values("department_id", "department__name")
        .annotate(
            done=Count("pk"),
            replies=Count("pk", filter=Q(decision="reply")),
            returns=Count("pk", filter=Q(decision="return")),
            on_time=Count(
                "pk",
                filter=Q(decision="reply")
                & (Q(due_at__isnull=True) | Q(completed_at__lte=F("due_at"))),
            ),
        )
        .order_by("department__name")
    )
    out = []
    for row in rows:
        replies = row["replies"]
        out.append(
            {
                **row,
                "department": row["department__name"],
                "on_time_rate": round(100 * row["on_time"] / replies) if replies else None,
            }
        )
    return out


def _context(request: HttpRequest, filters: BoardFilters) -> dict[str, Any]:
    return {"process_rows": handling_counts(request.user, filters)}


PROCESS_PANEL = Panel(
    "process.handling", "workflow/board/process_handling.html", _context, order=35
)
