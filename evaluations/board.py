"""The ratings' panel of the supervision board (``/office/supervision/``), registered from
``EvaluationsConfig.ready()``: the period's figures for what the user supervises (heads: their
departments; supervisors: their region), the open 差评 with their rectification, and the number
of comments waiting for review."""

from __future__ import annotations

from typing import Any

from workflow import access
from workflow.deadlines.board import Panel, register_panel

from . import figures
from .choices import CommentStatus, Level, RectificationStatus
from .models import Rating


def _context(request, filters) -> dict[str, Any]:
    scope = access.rating_department_ids(request.user)
    department_ids = scope
    if filters.department_id:
        department_ids = (
            {filters.department_id} if scope is None or filters.department_id in scope else set()
        )
    result = figures.figures(
        start=filters.start, end=filters.end, department_ids=department_ids, comments=0
    )
    bad = figures.scoped(department_ids=department_ids).filter(
        level__lte=Level.UNSATISFIED,
        rated_at__date__gte=filters.start,
        rated_at__date__lte=filters.end,
    )
    return {
        "figures": result,
        "bad_ratings": list(
            bad.select_related(
                "application", "department", "rectification", "rectification__task"
            ).order_by("-rated_at")[:20]
        ),
        "open_statuses": (RectificationStatus.OPEN, RectificationStatus.APPEALED),
        "pending_comments": Rating.objects.filter(
            comment_status=CommentStatus.PENDING,
            **({} if department_ids is None else {"department_id__in": sorted(department_ids)}),
        ).count(),
    }


def register_panels() -> None:
    register_panel(
        Panel(
            "ratings.figures",
            "evaluations/board/ratings.html",
            _context,
            order=50,
            visible=access.can_moderate_ratings,
        )
    )
