"""The supervision board (电子监察, ``/office/supervision/``) is a page of panels that apps
register: the deadlines' own (open tasks, the drill-down list, performance by department and by
item) and, from apps above workflow, theirs (returns, ratings, windows …) — registered from
their ``AppConfig.ready()``, so workflow never imports them.

A panel is a template and a function that gives its context for the request and the board's
filters (``supervision.BoardFilters``: period, department, item, warning). The board decides who
may open the page (``supervision.can_supervise``) and scopes nothing itself: a panel's function
reads only what the user supervises (``supervision.supervised_department_ids``) and may hide
itself from a user with ``visible``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from workflow.deadlines import supervision
from workflow.deadlines.supervision import BoardFilters


def _always(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Panel:
    """``key``: unique (a second registration with the same key replaces the first, so a
    ``ready()`` run twice changes nothing); ``order``: place on the page, smallest first;
    ``template``: rendered with ``context(request, filters)`` plus ``filters`` and ``query``
    (the board's query string, for links and exports)."""

    key: str
    template: str
    context: Callable[[HttpRequest, BoardFilters], dict[str, Any]]
    order: int = 100
    visible: Callable[[Any], bool] = _always


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    """Add (or replace) a panel of the board. Call from ``AppConfig.ready()``."""
    _PANELS[panel.key] = panel
    return panel


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def render_panels(request: HttpRequest, filters: BoardFilters) -> list[tuple[Panel, SafeString]]:
    """Every panel the user may see, rendered, in order."""
    query = request.GET.urlencode()
    rendered = []
    for panel in panels():
        if not panel.visible(request.user):
            continue
        context = {**panel.context(request, filters), "filters": filters, "query": query}
        rendered.append((panel, render_to_string(panel.template, context, request=request)))
    return rendered


# --- The deadlines' panels --------------------------------------------------------------------


def _open_counts(request: HttpRequest, filters: BoardFilters) -> dict[str, Any]:
    return {"counts": supervision.open_counts(request.user, filters)}


def _tasks(request: HttpRequest, filters: BoardFilters) -> dict[str, Any]:
    return {"tasks": supervision.overdue_tasks(request.user, filters)}


def _by_department(request: HttpRequest, filters: BoardFilters) -> dict[str, Any]:
    return {"by_department": supervision.performance(request.user, filters, by="department")}


def _by_item(request: HttpRequest, filters: BoardFilters) -> dict[str, Any]:
    return {"by_item": supervision.performance(request.user, filters, by="item")}


DEADLINE_PANELS = (
    Panel("deadlines.open_tasks", "workflow/board/open_tasks.html", _open_counts, order=10),
    Panel("deadlines.tasks", "workflow/board/tasks.html", _tasks, order=20),
    Panel("deadlines.by_department", "workflow/board/by_department.html", _by_department, 30),
    Panel("deadlines.by_item", "workflow/board/by_item.html", _by_item, order=40),
)


def register_deadline_panels() -> None:
    for panel in DEADLINE_PANELS:
        register_panel(panel)
