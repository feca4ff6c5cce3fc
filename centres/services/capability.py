"""Which windows can serve which items (one rule, read by assignment, calling, appointments and
the configuration page): a comprehensive window (综合窗口) serves every item; another window
serves the items of its categories, narrowed to the items it lists (``WindowItem``) when it
lists any."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from centres.models import WindowItem
from departments.models import Window, WindowKind, WindowStatus


def listed_items(window_ids: Iterable[int]) -> dict[int, set[int]]:
    """window id → the item ids it lists (absent: it lists none). One query."""
    out: dict[int, set[int]] = defaultdict(set)
    for window_id, item_id in WindowItem.objects.filter(window_id__in=list(window_ids)).values_list(
        "window_id", "item_id"
    ):
        out[window_id].add(item_id)
    return dict(out)


def serves(window: Window, *, item_id: int, category: str, listed: set[int] | None) -> bool:
    """Whether ``window`` can serve the item (``listed``: the window's listed items, if any)."""
    if window.kind == WindowKind.COMPREHENSIVE:
        return True
    if category not in (window.categories or []):
        return False
    return not listed or item_id in listed


def capable_windows(*, centre: Any, item: Any, open_only: bool = True) -> list[Window]:
    """The centre's windows that can serve ``item`` (open ones only, by default), by number."""
    windows = Window.objects.filter(centre_id=getattr(centre, "pk", centre)).order_by("number")
    if open_only:
        windows = windows.filter(status=WindowStatus.OPEN)
    windows = list(windows)
    listed = listed_items(w.pk for w in windows)
    return [
        w
        for w in windows
        if serves(w, item_id=item.pk, category=item.category, listed=listed.get(w.pk))
    ]


def servable_q(window: Window, listed: set[int] | None = None) -> Q:
    """The tickets ``window`` can serve, as a filter on ``Ticket``."""
    if window.kind == WindowKind.COMPREHENSIVE:
        return Q()
    if listed is None:
        listed = listed_items([window.pk]).get(window.pk)
    q = Q(category__in=list(window.categories or []))
    if listed:
        q &= Q(item_id__in=sorted(listed))
    return q
