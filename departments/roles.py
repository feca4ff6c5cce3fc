"""Staff-role facts: who holds which role where (DESIGN.md §2, the lowest app).

This module answers questions about a user's staff roles, read from the indexed ``StaffRole``
rows; it knows nothing of cases, tasks or applicants (``departments`` imports neither
``permits`` nor ``workflow``). The rules built on these facts — who may see and do what with a
case, a task or a material — are in ``workflow.access``, the one module views, selectors,
endpoints and flows ask; it re-exports everything here, so code above ``permits`` asks only it.

* **Deny by default.** Anonymous users, inactive users and users without a role get empty sets
  and ``False`` from every function here.
* **Department staff.** Clerks, reviewers and heads *work* in their department; a reviewer acts
  at their stage (承办 / 审核 / 签发), a head at every stage of their department. Window clerks
  and heads of a centre's managing department also work for that service centre.
* **Supervisors** watch a region (the city, or one county) and every region below it, read-only.
* **Admins** (catalogue administrators) configure the catalogue and the departments in the
  Django admin; the role gives no access to cases.
* **Role management.** Superusers and admins grant and revoke every role; a department's head
  grants and revokes clerks and reviewers of that department.
* **A foreign object answers 404**: :func:`not_found` (Django's ``Http404``; the API's exception
  handler turns it into ``{"code": "not_found"}``).

django-guardian holds the department permissions that viewflow checks (see
``departments.permissions``); ``departments.services`` alone grants and revokes them.

Caching: the answers about one user are computed once and kept on that user object, like
Django's own ``_perm_cache``: a request's ``request.user`` lives for one request, so a loop over
a page of cases costs no query per row. The applicant facts (``permits.applicant_roles``) and
the grants (``workflow.access``) keep theirs in the same place through :func:`cached`. Code that
changes roles, handlers or grants on a user object it keeps using calls :func:`forget` (the
services do so for the objects they were given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

from django.http import Http404

from departments.models import (
    Department,
    DepartmentKind,
    Region,
    Role,
    ServiceCentre,
    StaffRole,
    Stage,
)

_CACHE_ATTR = "_onestop_access_cache"

WORK_ROLES: frozenset[str] = frozenset({Role.CLERK, Role.REVIEWER, Role.HEAD})
"""Roles whose holders work on their department's cases."""

ALL_STAGES: frozenset[str] = frozenset(Stage.values)

# Who may grant/revoke which roles: heads manage the working roles below them.
_HEAD_MANAGES: frozenset[str] = frozenset({Role.CLERK, Role.REVIEWER})


@dataclass(frozen=True, slots=True)
class Grant:
    """One staff role of the user, as plain values."""

    department_id: int
    role: str
    stage: str  # reviewers only; "" otherwise
    region_id: int | None  # supervisors only: the supervised region


# --------------------------------------------------------------------------------------------
# Plumbing


def pk_of(obj: Any) -> Any:
    """A model instance or a primary key → the primary key."""
    return getattr(obj, "pk", obj)


def is_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def cached(user: Any, key: str, compute):
    """``compute()`` once per user object and ``key`` (the answer is kept on the object)."""
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def prime(user: Any, key: str, value: Any) -> None:
    """Keep an answer for ``key`` that a query made anyway has given (``cached`` will not ask
    again); an answer already kept wins."""
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    cache.setdefault(key, value)


# The key under which ``workflow.access`` keeps a user's guardian object grants, and the
# (app label, codename) permissions it reads (it registers them when it is imported); the token
# authentication primes the key as "none" when its query found the user holds none of them.
OBJECT_GRANTS_KEY = "object_grants"
OBJECT_GRANT_PERMISSIONS: list[tuple[str, str]] = []


def register_object_grant_permissions(*permissions: tuple[str, str]) -> None:
    for permission in permissions:
        if permission not in OBJECT_GRANT_PERMISSIONS:
            OBJECT_GRANT_PERMISSIONS.append(permission)


# Facts of the apps above about a user that the query authenticating an API token answers as
# well (``logins.authentication``): name → (an expression over the outer query's user id
# ``user_ref``, and what to keep on the user object from its value, through :func:`prime`).
# The applicant facts register theirs (``permits.applicant_roles``): a staff account with no
# person and no handler rows then reads neither in the request.
USER_FACTS: dict[str, tuple[Callable[[str], Any], Callable[[Any, Any], None]]] = {}


def register_user_fact(
    name: str, expression: Callable[[str], Any], keep: Callable[[Any, Any], None]
) -> None:
    USER_FACTS[name] = (expression, keep)


def staff_grants_expression(user_ref: str = "user_id"):
    """The rows :func:`staff_grants` reads, as an array column of the outer query whose user id
    is ``user_ref`` (PostgreSQL): the query that loads the user loads the roles too; give the
    value to :func:`prime_staff_grants`."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef
    from django.db.models.functions import JSONObject

    return ArraySubquery(
        StaffRole.objects.filter(user_id=OuterRef(user_ref), department__is_active=True)
        .order_by("pk")
        .values(
            row=JSONObject(
                department_id="department_id", role="role", stage="stage", region_id="region_id"
            )
        )
    )


def prime_staff_grants(user: Any, rows: Iterable[dict] | None) -> None:
    """Keep the staff roles read by :func:`staff_grants_expression` (no second query)."""
    if rows is None or not is_user(user):
        return
    prime(
        user,
        "grants",
        tuple(Grant(r["department_id"], r["role"], r["stage"], r["region_id"]) for r in rows),
    )


def forget(user: Any) -> None:
    """Drop what this module remembered about ``user`` (after its roles or handlers changed)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def not_found() -> NoReturn:
    """What a foreign object answers: the same as a missing one."""
    raise Http404


# --------------------------------------------------------------------------------------------
# Staff


def staff_grants(user: Any) -> tuple[Grant, ...]:
    """Every staff role of the user (one query per user object)."""
    if not is_user(user):
        return ()

    def compute() -> tuple[Grant, ...]:
        rows = StaffRole.objects.filter(user_id=user.pk, department__is_active=True).values_list(
            "department_id", "role", "stage", "region_id"
        )
        return tuple(Grant(*row) for row in rows)

    return cached(user, "grants", compute)


def is_staff_member(user: Any) -> bool:
    """Government staff: holds any staff role, or is a superuser. (Not Django's ``is_staff``,
    which only opens the Django admin.)"""
    if not is_user(user):
        return False
    return bool(user.is_superuser or staff_grants(user))


def has_role(user: Any, role: str, department: Any = None) -> bool:
    """Whether the user holds ``role`` (in ``department``, when given)."""
    dep = pk_of(department)
    return any(
        g.role == role and (dep is None or g.department_id == dep) for g in staff_grants(user)
    )


def is_clerk(user: Any, department: Any = None) -> bool:
    return has_role(user, Role.CLERK, department)


def is_reviewer(user: Any, department: Any = None) -> bool:
    return has_role(user, Role.REVIEWER, department)


def is_head(user: Any, department: Any) -> bool:
    """Whether the user heads that department."""
    return has_role(user, Role.HEAD, department)


def is_supervisor(user: Any) -> bool:
    return has_role(user, Role.SUPERVISOR)


def is_admin(user: Any) -> bool:
    """Catalogue administrator (the admin role) or superuser."""
    if not is_user(user):
        return False
    return bool(user.is_superuser or has_role(user, Role.ADMIN))


def user_department_ids(user: Any, *, roles: Iterable[str] | None = None) -> frozenset[int]:
    """Departments where the user holds one of ``roles`` (default: the working roles clerk,
    reviewer and head: the departments whose cases the user works on)."""
    wanted = WORK_ROLES if roles is None else frozenset(roles)
    return frozenset(g.department_id for g in staff_grants(user) if g.role in wanted)


def stages_by_department(grants: Iterable[Grant]) -> dict[int, frozenset[str]]:
    """Department id → the review stages these roles act at: a reviewer at their stage(s), a
    head at every stage. Clerks, supervisors and admins act at no review stage."""
    stages: dict[int, set[str]] = {}
    for g in grants:
        if g.role == Role.HEAD:
            stages.setdefault(g.department_id, set()).update(ALL_STAGES)
        elif g.role == Role.REVIEWER and g.stage:
            stages.setdefault(g.department_id, set()).add(g.stage)
    return {dep: frozenset(s) for dep, s in stages.items()}


def user_stage_departments(user: Any) -> dict[int, frozenset[str]]:
    """Department id → the review stages the user may act at there (see
    :func:`stages_by_department`)."""
    if not is_user(user):
        return {}
    return cached(user, "stages", lambda: stages_by_department(staff_grants(user)))


def grants_of_users(user_ids: Iterable[int], *, department: Any) -> dict[int, tuple[Grant, ...]]:
    """The staff roles in ``department`` of several (active) users at once, by user id (one
    query): what a delegation passes on, who a task may be given to."""
    out: dict[int, list[Grant]] = {}
    rows = StaffRole.objects.filter(
        user_id__in=sorted(set(user_ids)),
        user__is_active=True,
        department_id=pk_of(department),
        department__is_active=True,
    ).values_list("user_id", "department_id", "role", "stage", "region_id")
    for user_id, *fields in rows:
        out.setdefault(user_id, []).append(Grant(*fields))
    return {user_id: tuple(g) for user_id, g in out.items()}


def department_staff_ids(department: Any, *, roles: Iterable[str] | None = None) -> list[int]:
    """The active users holding one of ``roles`` (default: the working roles) in ``department``
    (one query)."""
    wanted = WORK_ROLES if roles is None else frozenset(roles)
    return list(
        StaffRole.objects.filter(
            department_id=pk_of(department), role__in=sorted(wanted), user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def can_act_at_stage(user: Any, department: Any, stage: str) -> bool:
    """Whether the user may act on ``department``'s tasks at review ``stage``."""
    return stage in user_stage_departments(user).get(pk_of(department), frozenset())


def user_supervised_region_ids(user: Any) -> frozenset[int]:
    """The regions a supervisor watches: each supervised region and every region below it
    (at most one query per level of the hierarchy, once per user object)."""
    roots = {g.region_id for g in staff_grants(user) if g.role == Role.SUPERVISOR and g.region_id}
    if not roots:
        return frozenset()

    def compute() -> frozenset[int]:
        ids = set(roots)
        frontier = set(roots)
        while frontier:
            frontier = (
                set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
                - ids
            )
            ids |= frontier
        return frozenset(ids)

    return cached(user, "supervised_regions", compute)


def user_service_centre_ids(user: Any) -> frozenset[int]:
    """Service centres run by a department where the user is a clerk or the head: a window
    clerk sees the cases entered, accepted or handed over there."""
    deps = user_department_ids(user, roles=(Role.CLERK, Role.HEAD))
    if not deps:
        return frozenset()

    def compute() -> frozenset[int]:
        return frozenset(
            ServiceCentre.objects.filter(department_id__in=deps).values_list("pk", flat=True)
        )

    return cached(user, "centres", compute)


def can_manage_role(actor: Any, department: Any, role: str) -> bool:
    """Whether ``actor`` may grant or revoke ``role`` in ``department``: superusers and admins
    any role; a department's head the clerks and reviewers of that department."""
    if is_admin(actor):
        return True
    return role in _HEAD_MANAGES and is_head(actor, department)


def hotline_office_ids(user: Any) -> frozenset[int]:
    """The coordinating offices (the 12345 hotline centre, …) where the user is a clerk or the
    head: a 12345 operator records the ratings callers phone in."""
    deps = user_department_ids(user, roles=(Role.CLERK, Role.HEAD))
    if not deps:
        return frozenset()

    def compute() -> frozenset[int]:
        return frozenset(
            Department.objects.filter(
                pk__in=sorted(deps), kind=DepartmentKind.COORDINATING
            ).values_list("pk", flat=True)
        )

    return cached(user, "hotline_offices", compute)


def hotline_region_ids(user: Any) -> frozenset[int]:
    """The regions (and those below them) of the user's hotline offices."""
    offices = hotline_office_ids(user)
    if not offices:
        return frozenset()

    def compute() -> frozenset[int]:
        ids: set[int] = set()
        for dept in Department.objects.filter(pk__in=sorted(offices)).select_related("region"):
            ids.update(dept.region.descendant_ids())
        return frozenset(ids)

    return cached(user, "hotline_regions", compute)
