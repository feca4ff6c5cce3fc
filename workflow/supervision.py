"""Supervision (电子监察): who may watch which departments' deadlines, and the board's reads.

A department head watches their own department(s); a supervisor watches every department of
their region and the regions below it; a superuser watches everything. The rule is built on
``departments.access`` (the roles and regions it reads); nothing else decides it.
"""

from __future__ import annotations

from typing import Any

from departments import access
from departments.models import Department, Role


def can_supervise(user: Any) -> bool:
    if not access.is_staff_member(user):
        return False
    return bool(user.is_superuser or access.has_role(user, Role.HEAD) or access.is_supervisor(user))


def supervised_department_ids(user: Any) -> frozenset[int] | None:
    """The departments the user watches; None means all (a superuser)."""
    if not can_supervise(user):
        return frozenset()
    if user.is_superuser:
        return None
    ids = set(access.user_department_ids(user, roles=[Role.HEAD]))
    regions = access.user_supervised_region_ids(user)
    if regions:
        ids |= set(Department.objects.filter(region_id__in=regions).values_list("pk", flat=True))
    return frozenset(ids)
