"""Who may work the service centre's queue and configure its windows, built on the staff-role
facts ``workflow.access`` re-exports (``departments.roles``): the clerks and the head of the
department that runs a centre work its windows; its head (and catalogue administrators)
configure them. Foreign centres and windows answer the same not-found as missing ones."""

from __future__ import annotations

from typing import Any

from workflow import access


def centre_ids_for_clerk(user: Any) -> frozenset[int]:
    """Centres whose windows the user may work (clerk or head of the managing department)."""
    return access.user_service_centre_ids(user)


def can_work_centre(user: Any, centre: Any) -> bool:
    return access.pk_of(centre) in centre_ids_for_clerk(user)


def can_work_window(user: Any, window: Any) -> bool:
    return can_work_centre(user, window.centre_id)


def can_configure_centre(user: Any, centre: Any) -> bool:
    """The head of the centre's managing department, or a catalogue administrator."""
    return access.is_admin(user) or access.is_head(user, centre.department_id)


def can_call_at_window(user: Any, window: Any) -> bool:
    """The API's "call next" and ticket moves: only the clerk on duty at the window (the queue
    page lets any clerk of the centre sit down first; the API does not seat anyone)."""
    pk = getattr(user, "pk", None)
    return pk is not None and can_work_window(user, window) and window.clerk_on_duty_id == pk
