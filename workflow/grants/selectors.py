"""Reads of the grant records, on their indexed columns (the case, the department, the users).
The grants a user *holds* are read by ``workflow.access`` (permission table first); these are
the lists that heads manage and that holders look at."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from departments.models import Department, Role
from permits.models import Application
from workflow import access
from workflow.exceptions import Forbidden, NotFound
from workflow.grants.models import CaseShare, Delegation

DELEGATION_SCOPES = ("department", "held", "mine")


def shares_of_application(
    *, user: Any, application: Application, running: bool = True
) -> QuerySet[CaseShare]:
    """The case's shares (running only, unless ``running=False``), for those who may share it;
    ``NotFound`` for those who may not see the case, ``Forbidden`` for other readers."""
    if not access.can_view_application(user, application):
        raise NotFound()
    if not access.can_share_application(user, application):
        raise Forbidden()
    qs = CaseShare.objects.filter(application=application)
    if running:
        qs = qs.active(today=timezone.localdate())
    return qs.select_related("application", "user", "department", "granted_by").order_by(
        "-granted_at", "-pk"
    )


def share_get_running(*, application: Application, username: str) -> CaseShare:
    share = (
        CaseShare.objects.active(today=timezone.localdate())
        .filter(application=application, user__username=username)
        .first()
    )
    if share is None:
        raise NotFound()
    return share


def delegation_list_for_user(
    *, user: Any, scope: str = "department", running: bool = True
) -> QuerySet[Delegation]:
    """``department``: the delegations of the departments the user heads; ``held``: those the
    user acts under; ``mine``: the user's own tasks delegated. Newest first."""
    qs = Delegation.objects.all()
    if scope == "department":
        qs = qs.filter(
            department_id__in=sorted(access.user_department_ids(user, roles=[Role.HEAD]))
        )
    elif scope == "held":
        qs = qs.filter(to_user_id=user.pk)
    elif scope == "mine":
        qs = qs.filter(from_user_id=user.pk)
    else:
        qs = qs.none()
    if running:
        qs = qs.active(today=timezone.localdate())
    return qs.select_related("from_user", "to_user", "department", "granted_by").order_by(
        "-granted_at", "-pk"
    )


def delegation_get_for_user(*, user: Any, delegation_id: Any) -> Delegation:
    """One delegation the user heads the department of, or is party to; ``NotFound``
    otherwise."""
    try:
        pk = int(delegation_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    d = Delegation.objects.select_related("department").filter(pk=pk).first()
    if d is None or not (
        access.can_delegate(user, d.department_id) or user.pk in (d.from_user_id, d.to_user_id)
    ):
        raise NotFound()
    return d


def headed_departments(user: Any) -> list[Department]:
    return list(
        Department.objects.filter(
            pk__in=sorted(access.user_department_ids(user, roles=[Role.HEAD]))
        ).order_by("name")
    )
