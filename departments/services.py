"""Writes of the departments app: granting and revoking staff roles.

These two services are the only code that grants or revokes the guardian permissions on
departments (the mapping role → permission is in ``departments.permissions``), so a role and its
permissions never drift apart.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from audit.records import record as audit_record
from departments import roles
from departments.exceptions import InvalidRole, NotAllowed
from departments.models import Department, Region, Role, StaffRole, Stage
from departments.permissions import ADMIN_GROUP_NAME, ADMIN_GROUP_PERMISSIONS, PERMS_BY_ROLE

logger = logging.getLogger(__name__)


def staff_role_check(
    *, department: Department, role: str, stage: str = "", region: Region | None = None
) -> tuple[str, Region | None]:
    """Validate a role before it is granted; return the ``(stage, region)`` to store.

    A reviewer needs a stage; other roles have none. A supervisor watches a region (by default
    the department's own); other roles have none. Raises ``InvalidRole`` with per-field messages.
    """
    errors: dict[str, list] = {}
    if role not in Role.values:
        errors["role"] = [_("Choose a valid role.")]
    if role == Role.REVIEWER:
        if not stage:
            errors["stage"] = [_("A reviewer needs a stage.")]
        elif stage not in Stage.values:
            errors["stage"] = [_("Choose a valid stage.")]
    elif stage:
        errors["stage"] = [_("Only reviewers have a stage.")]
    if role == Role.SUPERVISOR:
        region = region or department.region
    elif region is not None:
        errors["region"] = [_("Only supervisors watch a region.")]
    if not department.is_active:
        errors["department"] = [_("This department is no longer active.")]
    if errors:
        raise InvalidRole(fields=errors)
    return stage, region


@transaction.atomic
def staff_role_grant(
    *,
    actor: Any | None,
    user: Any,
    department: Department,
    role: str,
    stage: str = "",
    region: Region | None = None,
) -> StaffRole:
    """Give ``user`` a role in ``department`` with its guardian permissions.

    Who: a superuser or admin (any role), a department's head (clerks and reviewers of their own
    department), or the system (``actor=None``: management commands such as ``seed_demo``).
    Idempotent: granting a role the user already holds returns the existing row. Granting the
    admin role also opens the Django admin (``is_staff``) through the admin group.
    Raises ``InvalidRole`` or ``NotAllowed``.
    """
    if actor is not None and not roles.can_manage_role(actor, department, role):
        raise NotAllowed()
    stage, region = staff_role_check(department=department, role=role, stage=stage, region=region)

    # One writer at a time per user: the permission sync below reads then writes.
    locked_user = get_user_model().objects.select_for_update().get(pk=user.pk)
    existing = StaffRole.objects.filter(
        user=locked_user, department=department, role=role, stage=stage
    ).first()
    if existing is not None:
        if existing.region_id != (region.pk if region else None):
            raise InvalidRole(
                fields={
                    "region": [
                        _("This user already supervises another region for this department.")
                    ]
                }
            )
        staff_role = existing
    else:
        staff_role = StaffRole.objects.create(
            user=locked_user,
            department=department,
            role=role,
            stage=stage,
            region=region,
            granted_by=actor if actor is not None else None,
        )
        logger.info(
            "staff role granted: user=%s department=%s role=%s stage=%s region=%s by=%s",
            user.pk,
            department.pk,
            role,
            stage or "-",
            region.pk if region else "-",
            actor.pk if actor is not None else "system",
        )
        audit_record(
            "role",
            "role_granted",
            actor=actor,
            target=staff_role,
            detail={
                "user": locked_user.pk,
                "department": department.code,
                "role": role,
                "stage": stage,
                "region": region.code if region else "",
            },
        )
    _sync_department_perms(locked_user, department)
    if role == Role.ADMIN:
        _sync_admin_access(locked_user)
    roles.forget(user)
    return staff_role


@transaction.atomic
def staff_role_revoke(*, actor: Any | None, role: StaffRole) -> None:
    """Take a role away, with the guardian permissions no other role of the user in that
    department still needs. Who: as for ``staff_role_grant``. Raises ``NotAllowed``."""
    department = role.department
    if actor is not None and not roles.can_manage_role(actor, department, role.role):
        raise NotAllowed()
    locked_user = get_user_model().objects.select_for_update().get(pk=role.user_id)
    deleted, _rows = StaffRole.objects.filter(pk=role.pk).delete()
    if deleted:
        logger.info(
            "staff role revoked: user=%s department=%s role=%s stage=%s by=%s",
            role.user_id,
            department.pk,
            role.role,
            role.stage or "-",
            actor.pk if actor is not None else "system",
        )
        audit_record(
            "role",
            "role_revoked",
            actor=actor,
            object_type=StaffRole._meta.label,
            object_id=role.pk,
            detail={
                "user": role.user_id,
                "department": department.code,
                "role": role.role,
                "stage": role.stage,
            },
        )
    _sync_department_perms(locked_user, department)
    if role.role == Role.ADMIN:
        _sync_admin_access(locked_user)
    roles.forget(role.user)
    roles.forget(locked_user)


def _sync_department_perms(user: Any, department: Department) -> None:
    """Make the user's guardian permissions on ``department`` exactly what their roles there
    imply (grants add, revokes remove only what no remaining role needs)."""
    wanted: set[str] = set()
    for role in StaffRole.objects.filter(user=user, department=department).values_list(
        "role", flat=True
    ):
        wanted |= PERMS_BY_ROLE.get(role, frozenset())
    managed = set().union(*PERMS_BY_ROLE.values())
    held = {
        f"departments.{codename}"
        for codename in get_user_perms(user, department).values_list("codename", flat=True)
    }
    for perm in sorted(wanted - held):
        assign_perm(perm, user, department)
    for perm in sorted((held & managed) - wanted):
        remove_perm(perm, user, department)


def _admin_group() -> Group:
    group, _created = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    query = Q(pk__in=[])
    for (app_label, model), actions in ADMIN_GROUP_PERMISSIONS.items():
        query |= Q(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    group.permissions.set(Permission.objects.filter(query))
    return group


def _sync_admin_access(user: Any) -> None:
    """Admins open the Django admin (``is_staff``) with the admin group's permissions; losing
    the last admin role closes it again (superusers keep it)."""
    is_admin = StaffRole.objects.filter(user=user, role=Role.ADMIN).exists()
    group = _admin_group()
    if is_admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    is_staff = is_admin or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
