"""The centre head's configuration of the windows: the items each accepts (``WindowItem``, narrower
than its categories) and its status (pausing or closing hands its queue on, as from the queue
page)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres import access
from centres.exceptions import Invalid, NotFound
from centres.models import WindowItem
from centres.services.queue import reassign_queue
from departments.models import Window, WindowKind, WindowStatus
from permits.models import ServiceItem


@transaction.atomic
def window_configure(
    *,
    window: Window | int,
    actor: Any,
    status: str,
    item_ids: Iterable[int],
    now: datetime | None = None,
) -> Window:
    """Set the window's status and the items it accepts (none: every item of its categories).
    Only the head of the centre's managing department or an administrator may. Every listed
    item must be of one of the window's categories (a comprehensive window lists none)."""
    try:
        row = (
            Window.objects.select_for_update()
            .select_related("centre")
            .get(pk=getattr(window, "pk", window))
        )
    except Window.DoesNotExist:
        raise NotFound() from None
    if not access.can_configure_centre(actor, row.centre):
        raise NotFound()
    if status not in WindowStatus.values:
        raise Invalid(_("Unknown window status."))
    window_items_set(window=row, item_ids=item_ids)
    changed = row.status != status
    row.status = status
    row.save(update_fields=["status"])
    if changed and status != WindowStatus.OPEN:
        reassign_queue(window=row, now=now or timezone.now())
    return row


def window_items_set(*, window: Window, item_ids: Iterable[int]) -> bool:
    """Make ``window`` accept exactly the items ``item_ids`` (none: every item of its
    categories), inside the caller's transaction; the caller has checked who may. Every item
    must be of one of the window's categories (a comprehensive window lists none). Returns
    whether anything changed; two queries when nothing does."""
    wanted = set(item_ids)
    items = list(ServiceItem.objects.filter(pk__in=sorted(wanted)).only("pk", "name", "category"))
    if len(items) != len(wanted):
        raise Invalid(_("Unknown service item."))
    if window.kind == WindowKind.COMPREHENSIVE and items:
        raise Invalid(_("A comprehensive window accepts every item; list none."))
    foreign = [i.name for i in items if i.category not in (window.categories or [])]
    if foreign:
        raise Invalid(
            _("Not of the window's categories: %(items)s") % {"items": "、".join(foreign)}
        )
    have = set(WindowItem.objects.filter(window=window).values_list("item_id", flat=True))
    if have == wanted:
        return False
    WindowItem.objects.filter(window=window, item_id__in=sorted(have - wanted)).delete()
    WindowItem.objects.bulk_create(
        [WindowItem(window=window, item_id=pk) for pk in sorted(wanted - have)]
    )
    return True
