"""The supervision board's panel of repeated calls (重复件): calls linked to an open case in
the period, per coordinating office, from the ``call_linked`` events (indexed by action and
time). Registered by ``WorkflowConfig.ready()``."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from permits.choices import EventAction
from permits.models import Event
from workflow.access import supervised_department_ids
from workflow.deadlines.board import Panel
from workflow.deadlines.calendar import SHANGHAI


def repeated_calls_by_office(*, user: Any, start, end, department_id: int | None = None) -> list:
    """[{department, calls, cases}] of the offices the user supervises, most calls first."""
    since = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    qs = Event.objects.filter(action=EventAction.CALL_LINKED, at__gte=since, at__lt=until)
    scope = supervised_department_ids(user)
    if scope is not None:
        qs = qs.filter(department_id__in=sorted(scope))
    if department_id:
        qs = qs.filter(department_id=department_id)
    rows = (
        qs.values("department__name")
        .annotate(calls=Count("pk"), cases=Count("application_id", distinct=True))
        .order_by("-calls", "department__name")
    )
    return [
        {"department": r["department__name"] or "—", "calls": r["calls"], "cases": r["cases"]}
        for r in rows
    ]


def _context(request: HttpRequest, filters) -> dict[str, Any]:
    rows = repeated_calls_by_office(
        user=request.user,
        start=filters.start,
        end=filters.end,
        department_id=filters.department_id,
    )
    return {"repeated_rows": rows, "repeated_total": sum(r["calls"] for r in rows)}


REPEATED_CALLS_PANEL = Panel(
    "intake.repeated_calls", "workflow/board/repeated_calls.html", _context, order=45
)
