"""Reads of the service centre: the kiosk's menu, the hall display, a clerk's windows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from centres import access
from centres.exceptions import NotFound
from centres.models import AT_WINDOW_STATUSES, QUEUED_STATUSES, Ticket, TicketStatus
from centres.services.capability import listed_items, serves
from centres.services.queue import local_day
from departments.models import ServiceCentre, Window, WindowStatus
from permits.choices import Category, category_name
from permits.models import ServiceItem


def centre_by_code(code: str) -> ServiceCentre:
    """The centre of the region ``code`` (its code in addresses)."""
    centre = ServiceCentre.objects.select_related("region").filter(region__code=code).first()
    if centre is None:
        raise NotFound()
    return centre


def _region_and_ancestors(centre: ServiceCentre) -> list[int]:
    ids, region = [], centre.region
    while region is not None:
        ids.append(region.pk)
        region = region.parent
    return ids


def kiosk_menu(*, centre: ServiceCentre) -> list[dict[str, Any]]:
    """[{category, label, items: [ServiceItem]}]: the published items of the centre's region (and
    the regions above it) that an open window of the centre can serve now, by category."""
    windows = list(Window.objects.filter(centre=centre, status=WindowStatus.OPEN))
    if not windows:
        return []
    listed = listed_items(w.pk for w in windows)
    items = ServiceItem.objects.accepting().filter(region_id__in=_region_and_ancestors(centre))
    by_category: dict[str, list] = defaultdict(list)
    for item in items.order_by("category", "-popularity", "code").only(
        "pk", "code", "name", "category", "region_id"
    ):
        if any(
            serves(w, item_id=item.pk, category=item.category, listed=listed.get(w.pk))
            for w in windows
        ):
            by_category[item.category].append(item)
    return [
        {"category": value, "label": category_name(value), "items": by_category[value]}
        for value in Category.values
        if by_category.get(value)
    ]


def kiosk_item(*, centre: ServiceCentre, item_id: Any) -> ServiceItem:
    for entry in kiosk_menu(centre=centre):
        for item in entry["items"]:
            if str(item.pk) == str(item_id):
                return item
    raise NotFound()


def kiosk_category_item(*, centre: ServiceCentre, category: str) -> ServiceItem:
    """A ticket by category alone (the kiosk API's ``{"category"}``): the category's most
    requested item on the kiosk menu (an open window can serve it). The ticket's letter and
    the windows that may call it follow from the item."""
    for entry in kiosk_menu(centre=centre):
        if entry["category"] == category and entry["items"]:
            return entry["items"][0]
    raise NotFound()


def centre_item(*, centre: ServiceCentre, code: str) -> ServiceItem:
    """A published item accepting applications, of the centre's region or a region above it,
    that one of the centre's windows (open, or paused) can serve: what can be booked there."""
    item = (
        ServiceItem.objects.accepting()
        .filter(code=code, region_id__in=_region_and_ancestors(centre))
        .first()
    )
    if item is None:
        raise NotFound()
    windows = list(Window.objects.filter(centre=centre).exclude(status=WindowStatus.CLOSED))
    listed = listed_items(w.pk for w in windows)
    if not any(
        serves(w, item_id=item.pk, category=item.category, listed=listed.get(w.pk)) for w in windows
    ):
        raise NotFound()
    return item


def ahead_of(ticket: Ticket) -> int:
    """Tickets the window will call before this one."""
    if ticket.window_id is None or ticket.status not in QUEUED_STATUSES:
        return 0
    before = Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk)
    # A priority ticket waits for older priority tickets; another for every priority ticket
    # and the older ones.
    order = (Q(priority=True) & before) if ticket.priority else (Q(priority=True) | before)
    return Ticket.objects.filter(
        order, window_id=ticket.window_id, status__in=QUEUED_STATUSES, day=ticket.day
    ).count()


def display_state(*, centre: ServiceCentre, now: datetime, recent: int = 8) -> dict[str, Any]:
    """What the hall display shows: the latest calls (ticket → window), and per open window
    how many wait. Three queries."""
    day = local_day(now)
    calls = list(
        Ticket.objects.filter(centre=centre, day=day, status__in=AT_WINDOW_STATUSES)
        .select_related("window")
        .order_by("-called_at", "-pk")[:recent]
    )
    waiting = dict(
        Ticket.objects.filter(centre=centre, day=day, status__in=QUEUED_STATUSES)
        .values("window_id")
        .annotate(n=Count("pk"))
        .values_list("window_id", "n")
    )
    windows = list(Window.objects.filter(centre=centre).order_by("number"))
    return {
        "calls": [
            {
                "ticket": t.code,
                "window": t.window.number,
                "window_name": t.window.name,
                "called_at": t.called_at.isoformat() if t.called_at else None,
                "recalls": t.recalls,
            }
            for t in calls
        ],
        "windows": [
            {
                "id": w.pk,
                "number": w.number,
                "name": w.name,
                "status": w.status,
                "status_label": str(w.get_status_display()),
                "waiting": waiting.get(w.pk, 0),
            }
            for w in windows
        ],
        "waiting_total": sum(waiting.values()),
        "unassigned": waiting.get(None, 0),
    }


def clerk_windows(*, user: Any) -> list[Window]:
    """The windows of the centres the user works, by centre and number."""
    ids = access.centre_ids_for_clerk(user)
    if not ids:
        return []
    return list(
        Window.objects.filter(centre_id__in=sorted(ids))
        .select_related("centre", "clerk_on_duty")
        .order_by("centre_id", "number")
    )


def window_for_clerk(*, user: Any, window_id: Any) -> Window:
    for window in clerk_windows(user=user):
        if str(window.pk) == str(window_id):
            return window
    raise NotFound()


def window_desk(*, window: Window, now: datetime) -> dict[str, Any]:
    """The clerk's view of one window: the ticket at the window, its queue, the other windows
    to transfer to."""
    day = local_day(now)
    current = (
        Ticket.objects.filter(window=window, status__in=AT_WINDOW_STATUSES)
        .select_related("item")
        .order_by("-called_at")
        .first()
    )
    queued = list(
        Ticket.objects.filter(window=window, day=day, status__in=QUEUED_STATUSES)
        .select_related("item")
        .order_by("-priority", "issued_at", "pk")[:50]
    )
    served = Ticket.objects.filter(window=window, day=day, status=TicketStatus.DONE).count()
    others = list(
        Window.objects.filter(centre_id=window.centre_id, status=WindowStatus.OPEN)
        .exclude(pk=window.pk)
        .order_by("number")
    )
    return {
        "current": current,
        "queued": queued,
        "served": served,
        "others": others,
        "to_rate": visit_to_rate(window=window, now=now),
    }


def visit_to_rate(*, window: Window, now: datetime) -> Ticket | None:
    """The visit the window's rating pad may offer: the last one finished at the window within
    the pad's minutes, while it waits for its rating (一次一评)."""
    from centres.visits import open_invitation, pad_minutes

    last = (
        Ticket.objects.filter(
            window=window,
            status=TicketStatus.DONE,
            finished_at__gte=now - timedelta(minutes=pad_minutes()),
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if last is None or open_invitation(last) is None:
        return None
    return last


def intake_quick_items(*, user: Any, now: datetime, limit: int = 8) -> list[ServiceItem]:
    """The walk-in intake page's quick links: the items the clerk's window serves most, by the
    tickets it finished over the last 30 days (a clerk on duty at no window: their centres'
    windows), then the most popular items those windows can serve, up to ``limit``. Only items
    taking window applications now. A handful of queries, whatever the number of tickets."""
    windows = [w for w in clerk_windows(user=user) if w.status != WindowStatus.CLOSED]
    mine = [w for w in windows if w.clerk_on_duty_id == getattr(user, "pk", None)]
    windows = mine or windows
    if not windows:
        return []
    accepting = ServiceItem.objects.accepting().filter(window_acceptance=True)
    served = (
        Ticket.objects.filter(
            window_id__in=[w.pk for w in windows], finished_at__gte=now - timedelta(days=30)
        )
        .values("item_id")
        .annotate(n=Count("id"))
        .order_by("-n", "item_id")[: limit * 2]
    )
    counts = {row["item_id"]: row["n"] for row in served}
    found = sorted(
        accepting.filter(pk__in=counts).only("pk", "code", "name", "category"),
        key=lambda item: (-counts[item.pk], item.code),
    )[:limit]
    if len(found) < limit:
        centres = {w.centre_id: w.centre for w in windows}
        regions = {r for c in centres.values() for r in _region_and_ancestors(c)}
        listed = listed_items(w.pk for w in windows)
        extra = (
            accepting.filter(region_id__in=sorted(regions))
            .exclude(pk__in=[item.pk for item in found])
            .order_by("-popularity", "code")
            .only("pk", "code", "name", "category")
        )
        for item in extra.iterator(chunk_size=100):
            if any(
                serves(w, item_id=item.pk, category=item.category, listed=listed.get(w.pk))
                for w in windows
            ):
                found.append(item)
                if len(found) == limit:
                    break
    return found
