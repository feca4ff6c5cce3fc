"""The statistics' panel of the supervision board, registered from ``StatisticsConfig.ready()``:
the period's headline figures for what the user supervises, with a link to the statistics
pages (``/office/statistics/``)."""

from __future__ import annotations

from typing import Any

from workflow import access
from workflow.deadlines.board import Panel, register_panel


def _context(request, filters) -> dict[str, Any]:
    from . import figures

    scope = figures.Scope.for_user(request.user, department_id=filters.department_id)
    return {"headline": figures.headline(scope, start=filters.start, end=filters.end)}


def register_panels() -> None:
    register_panel(
        Panel(
            "statistics.headline",
            "stats/board/headline.html",
            _context,
            order=45,
            visible=access.can_supervise,
        )
    )
