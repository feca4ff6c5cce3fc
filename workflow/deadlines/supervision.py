"""Supervision (电子监察): who may watch which departments' deadlines, and the board's reads.

A department head watches their own department(s); a supervisor watches every department of
their region and the regions below it; a superuser watches everything. The rule is built on
``workflow.access`` (the roles and regions it reads); nothing else decides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from departments.models import Department
from workflow import access
from workflow.deadlines.calendar import SHANGHAI
from workflow.models import (
    ACTIVE_TASK_STATUSES,
    CaseTask,
    DeadlineMark,
    TaskStatus,
    Threshold,
    Warning,
)

# The board's filter for paused clocks, beside the warning levels.
PAUSED = "paused"
WARNING_FILTERS = (*Warning.values, PAUSED)


def can_supervise(user: Any) -> bool:
    """Whether the user opens the supervision board (decided by ``workflow.access``)."""
    return access.can_supervise(user)


def supervised_department_ids(user: Any) -> frozenset[int] | None:
    """The departments the user watches; None means all (decided by ``workflow.access``)."""
    return access.supervised_department_ids(user)


# --- The board's reads (constant query counts; aggregates in SQL) ----------------------------


@dataclass
class BoardFilters:
    start: date
    end: date  # inclusive
    department_id: int | None = None
    item_id: int | None = None
    warning: str = ""


def _scoped_tasks(user: Any, filters: BoardFilters):

    scope = supervised_department_ids(user)
    qs = CaseTask.objects.all()
    if scope is not None:
        qs = qs.filter(department_id__in=scope)
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.item_id:
        qs = qs.filter(item_id=filters.item_id)
    return qs


def open_counts(user: Any, filters: BoardFilters) -> list[dict]:
    """Open tasks per department: green / yellow / red / paused, and ``cases``: how many cases
    those tasks belong to (a case with three open tasks is one case; one query)."""

    rows = (
        _scoped_tasks(user, filters)
        .filter(status__in=ACTIVE_TASK_STATUSES)
        .values("department_id", "department__name")
        .annotate(
            total=Count("pk"),
            cases=Count("application_id", distinct=True),
            green=Count("pk", filter=Q(warning=Warning.NONE, paused=False)),
            yellow=Count("pk", filter=Q(warning=Warning.YELLOW, paused=False)),
            red=Count("pk", filter=Q(warning=Warning.RED, paused=False)),
            paused=Count("pk", filter=Q(paused=True)),
        )
        .order_by("-red", "-yellow", "department__name")
    )
    return list(rows)


def overdue_tasks(user: Any, filters: BoardFilters, *, limit: int = 200):
    """Open red tasks (and the drill-down of a department's counts), with who holds each."""

    qs = _scoped_tasks(user, filters).filter(status__in=ACTIVE_TASK_STATUSES)
    warning = filters.warning or Warning.RED
    if warning == PAUSED:
        qs = qs.filter(paused=True)
    elif warning in Warning.values:
        qs = qs.filter(warning=warning, paused=False)
    return list(
        qs.select_related("application", "department", "item", "assignee").order_by("due_at", "pk")[
            :limit
        ]
    )


def _period(filters: BoardFilters) -> tuple[datetime, datetime]:

    start = datetime.combine(filters.start, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return start, end


def performance(user: Any, filters: BoardFilters, *, by: str) -> list[dict]:
    """Tasks completed in the period, per department (``by="department"``) or per item: how
    many (``done``: tasks, never called cases), the average handling time (days, from opening
    to completion) and the share finished by their due (on-time rate); ``cases``: how many
    distinct cases those tasks belong to, ``concluded``: how many of them were decided (办结) in
    the period; plus red cards recorded in the period (one or two queries)."""

    start, end = _period(filters)
    key, name = (
        ("department_id", "department__name") if by == "department" else ("item_id", "item__name")
    )
    rows = list(
        _scoped_tasks(user, filters)
        .filter(status=TaskStatus.DONE, completed_at__gte=start, completed_at__lt=end)
        .values(key, name)
        .annotate(
            done=Count("pk"),
            cases=Count("application_id", distinct=True),
            concluded=Count(
                "application_id",
                distinct=True,
                filter=Q(application__decided_at__gte=start, application__decided_at__lt=end),
            ),
            on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(completed_at__lte=F("due_at"))),
            avg_seconds=Avg(
                ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
            ),
        )
        .order_by(name)
    )
    red_cards: dict = {}
    if by == "department":
        scope = supervised_department_ids(user)
        marks = DeadlineMark.objects.filter(
            threshold=Threshold.RED, created_at__gte=start, created_at__lt=end
        )
        if scope is not None:
            marks = marks.filter(department_id__in=scope)
        if filters.department_id:
            marks = marks.filter(department_id=filters.department_id)
        red_cards = dict(
            marks.values("department_id").annotate(n=Count("pk")).values_list("department_id", "n")
        )
    for row in rows:
        row["id"], row["name"] = row.pop(key), row.pop(name)
        avg = row.pop("avg_seconds")
        row["avg_days"] = round(avg.total_seconds() / 86400, 1) if avg is not None else None
        row["on_time_rate"] = round(100 * row["on_time"] / row["done"], 1) if row["done"] else None
        row["red_cards"] = red_cards.get(row["id"], 0) if by == "department" else None
    return rows


def department_choices(user: Any) -> list[tuple[int, str]]:
    scope = supervised_department_ids(user)
    qs = Department.objects.filter(is_active=True)
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    return list(qs.order_by("name").values_list("pk", "name"))
