"""The exceptional object grants as access reads them (django-guardian; written only by
``workflow.grants.services``): a case shared read-only with a named staff member, and a
delegation (代岗) of an absent member's tasks. Read permission-table first: guardian's
``UserObjectPermission`` rows of the user and the permission give the object ids, then the
grant rows by primary key tell whether they still run today; never a scan over all cases.

Part of the access rules: ``workflow/access.py`` re-exports these and is the module callers
ask (it grew past 600 lines with them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from guardian.models import UserObjectPermission

from departments.models import Role
from departments.roles import (
    OBJECT_GRANTS_KEY,
    cached,
    grants_of_users,
    is_staff_member,
    is_user,
    register_object_grant_permissions,
    stages_by_department,
)
from workflow.grants.models import CaseShare, Delegation
from workflow.models import TaskKind

# The guardian permissions of the two grants: (app label, codename).
SHARE_PERMISSION = ("permits", "view_application")
DELEGATION_PERMISSION = ("workflow", "act_for_colleague")
register_object_grant_permissions(SHARE_PERMISSION, DELEGATION_PERMISSION)


def granted_object_ids(user: Any, permission: tuple[str, str]) -> list[int]:
    """The ids of the objects on which ``user`` holds the guardian object ``permission``.

    Only staff members hold grants, so for anyone else this costs nothing; for staff, one query
    over guardian's table on its (user, permission) key gives both kinds at once."""
    if not is_user(user) or not is_staff_member(user):
        return []

    def compute() -> dict[tuple[str, str], list[int]]:
        rows = UserObjectPermission.objects.filter(
            user_id=user.pk,
            permission__codename__in=[SHARE_PERMISSION[1], DELEGATION_PERMISSION[1]],
            permission__content_type__app_label__in=[SHARE_PERMISSION[0], DELEGATION_PERMISSION[0]],
        ).values_list("permission__content_type__app_label", "permission__codename", "object_pk")
        out: dict[tuple[str, str], set[int]] = {}
        for app_label, codename, object_pk in rows:
            if str(object_pk).isdigit():
                out.setdefault((app_label, codename), set()).add(int(object_pk))
        return {key: sorted(ids) for key, ids in out.items()}

    return cached(user, OBJECT_GRANTS_KEY, compute).get(permission, [])


def shared_application_ids(user: Any) -> frozenset[int]:
    """The cases shared with the user that still run today (two queries, once per user)."""
    if not is_user(user):
        return frozenset()

    def compute() -> frozenset[int]:
        ids = granted_object_ids(user, SHARE_PERMISSION)
        if not ids:
            return frozenset()
        return frozenset(
            CaseShare.objects.active(today=timezone.localdate())
            .filter(user_id=user.pk, application_id__in=ids)
            .values_list("application_id", flat=True)
        )

    return cached(user, "shares", compute)


@dataclass(frozen=True, slots=True)
class Covering:
    """One running delegation the user holds: whose tasks, where, and what they pass on."""

    delegation_id: int
    department_id: int
    from_user_id: int
    stages: frozenset[str]  # the absent member's review stages there
    acceptance: bool  # the absent member is a clerk there (受理)


def delegations_held(user: Any) -> tuple[Covering, ...]:
    """The delegations the user acts under today (two queries, plus one per department whose
    absent member's roles are read; once per user)."""
    if not is_user(user):
        return ()

    def compute() -> tuple[Covering, ...]:
        ids = granted_object_ids(user, DELEGATION_PERMISSION)
        if not ids:
            return ()
        rows = list(
            Delegation.objects.active(today=timezone.localdate())
            .filter(pk__in=ids, to_user_id=user.pk)
            .values_list("pk", "department_id", "from_user_id")
            .order_by("pk")
        )
        out = []
        for department_id in sorted({d for _, d, _ in rows}):
            absent = [f for _, d, f in rows if d == department_id]
            roles = grants_of_users(absent, department=department_id)
            for pk, dep, from_user_id in rows:
                if dep != department_id:
                    continue
                grants = roles.get(from_user_id, ())
                out.append(
                    Covering(
                        delegation_id=pk,
                        department_id=dep,
                        from_user_id=from_user_id,
                        stages=stages_by_department(grants).get(dep, frozenset()),
                        acceptance=any(g.role == Role.CLERK for g in grants),
                    )
                )
        return tuple(out)

    return cached(user, "delegations", compute)


def covered_tasks_q(user: Any) -> Q:
    """The tasks a user's delegations pass on (any status)."""
    q = Q(pk__in=[])
    for c in delegations_held(user):
        if c.stages:
            q |= Q(department_id=c.department_id, stage__in=sorted(c.stages))
        if c.acceptance:
            q |= Q(department_id=c.department_id, kind=TaskKind.ACCEPTANCE)
    return q
