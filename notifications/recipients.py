"""Who receives a notice: reverse look-ups of the roles ``workflow.access`` reads (who holds
a role in a department or watches a region), and of an application's applicant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from departments.models import Region, Role, StaffRole


@dataclass(frozen=True)
class Recipient:
    user: Any = None  # a User, or None for an applicant without an account
    phone: str = ""
    email: str = ""
    staff: bool = False


def _user_recipients(user_ids, *, staff: bool) -> list[Recipient]:
    users = (
        get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .select_related("person")
        .order_by("pk")
    )
    found = []
    for user in users:
        person = getattr(user, "person", None)
        found.append(
            Recipient(
                user=user,
                phone=getattr(person, "phone", "") or "",
                email=user.email or "",
                staff=staff,
            )
        )
    return found


def applicant_recipients(application) -> list[Recipient]:
    """The applicant person (or the enterprise's acting handler), by account and phone; an
    applicant without an account is reached by SMS only."""
    people = [p for p in (application.applicant_person, application.handler) if p is not None]
    seen, result = set(), []
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        user = person.user if person.user_id else None
        if user is not None and not user.is_active:
            user = None
        result.append(
            Recipient(
                user=user,
                phone=person.phone or "",
                email=(user.email if user is not None else "") or "",
            )
        )
    return result


def task_holder_recipients(task) -> list[Recipient]:
    """The task's assignee; an unclaimed task goes to whoever may take it: the department's
    reviewers at its stage, and its heads."""
    if task.assignee_id:
        return _user_recipients([task.assignee_id], staff=True)
    roles = StaffRole.objects.filter(department_id=task.department_id)
    if task.stage:
        ids = (
            roles.filter(role=Role.HEAD)
            .values_list("user_id", flat=True)
            .union(
                roles.filter(role=Role.REVIEWER, stage=task.stage).values_list("user_id", flat=True)
            )
        )
    else:
        ids = roles.filter(role__in=[Role.HEAD, Role.REVIEWER, Role.CLERK]).values_list(
            "user_id", flat=True
        )
    return _user_recipients(list(ids), staff=True)


def region_and_ancestors(region_id: int) -> list[int]:
    ids, current = [], region_id
    while current is not None and current not in ids:
        ids.append(current)
        current = Region.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return ids


def escalation_recipients(*, department_id: int, region_id: int | None) -> list[Recipient]:
    """The department's heads and the supervisors watching the case's region (a supervisor of
    the city watches every county below it)."""
    heads = StaffRole.objects.filter(department_id=department_id, role=Role.HEAD).values_list(
        "user_id", flat=True
    )
    ids = set(heads)
    if region_id is not None:
        ids |= set(
            StaffRole.objects.filter(
                role=Role.SUPERVISOR, region_id__in=region_and_ancestors(region_id)
            ).values_list("user_id", flat=True)
        )
    return _user_recipients(ids, staff=True)
