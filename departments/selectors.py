"""Reads of the departments app."""

from __future__ import annotations

from typing import Any

from departments.models import StaffRole


def staff_roles_for_user(*, user: Any) -> list[StaffRole]:
    """The user's roles with their departments and regions (one query), grouped by department
    in a stable order."""
    if not (user and user.is_authenticated):
        return []
    return list(
        StaffRole.objects.filter(user_id=user.pk, department__is_active=True)
        .select_related("department__region", "region")
        .order_by("department__region__position", "department__code", "role", "stage")
    )
