"""Who may see and do what: the one place that decides (DESIGN.md §5).

Every view, selector, endpoint and flow asks this module; nothing else looks at staff roles or
handler rows to decide access. The rules:

* **Deny by default.** Anonymous users, inactive users and users without a role or a person
  get empty sets and ``False`` from every function here.
* **Applicants.** A user account belongs to at most one person (``Person.user``). A person sees
  their own cases, and the cases of the enterprises they are a *current* handler (经办人) of,
  within the handler's scope: ``"all"`` items or a list of item codes. A handler is current
  through its ``valid_until`` date (inclusive; no date means no end).
* **Department staff.** Clerks, reviewers and heads *work* in their department: they see the
  cases their departments take part in (read from the indexed case-department rows) and act
  only on their own department's tasks, and only at the stage they hold: a reviewer at their
  stage (承办 / 审核 / 签发), a head at every stage of their department. Window clerks also see
  the cases entered, accepted or handed over at the service centres their department runs.
* **Supervisors** watch a region (the city, or one county) and every region below it, read-only.
* **Admins** (catalogue administrators) configure the catalogue and the departments in the
  Django admin; the role gives no access to cases.
* **Role management.** Superusers and admins grant and revoke every role; a department's head
  grants and revokes clerks and reviewers of that department.
* **A foreign object answers 404**, in pages and in the API alike: a case, task or material the
  user may not see is indistinguishable from one that does not exist. Use :func:`not_found`
  (Django's ``Http404``; the API's exception handler turns it into ``{"code": "not_found"}``).

django-guardian holds the department permissions that viewflow checks (see
``departments.permissions``); ``departments.services`` alone grants and revokes them.

Caching: the answers about one user are computed once and kept on that user object, like
Django's own ``_perm_cache``: a request's ``request.user`` lives for one request, so a loop over
a page of cases costs no query per row. Code that changes roles or handlers on a user object it
keeps using calls :func:`forget` (the services do so for the objects they were given).

The functions take a user (``request.user``, possibly anonymous) and plain ids or model
instances, so the flow and portal code can call them before their own models exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from django.http import Http404

from departments.models import Region, Role, ServiceCentre, StaffRole, Stage

if TYPE_CHECKING:
    from permits.models import Enterprise, Handler, Person

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


def _pk(obj: Any) -> Any:
    """A model instance or a primary key → the primary key."""
    return getattr(obj, "pk", obj)


def _is_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _cached(user: Any, key: str, compute):
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


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
    if not _is_user(user):
        return ()

    def compute() -> tuple[Grant, ...]:
        rows = StaffRole.objects.filter(user_id=user.pk, department__is_active=True).values_list(
            "department_id", "role", "stage", "region_id"
        )
        return tuple(Grant(*row) for row in rows)

    return _cached(user, "grants", compute)


def is_staff_member(user: Any) -> bool:
    """Government staff: holds any staff role, or is a superuser. (Not Django's ``is_staff``,
    which only opens the Django admin.)"""
    if not _is_user(user):
        return False
    return bool(user.is_superuser or staff_grants(user))


def has_role(user: Any, role: str, department: Any = None) -> bool:
    """Whether the user holds ``role`` (in ``department``, when given)."""
    dep = _pk(department)
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
    if not _is_user(user):
        return False
    return bool(user.is_superuser or has_role(user, Role.ADMIN))


def user_department_ids(user: Any, *, roles: Iterable[str] | None = None) -> frozenset[int]:
    """Departments where the user holds one of ``roles`` (default: the working roles clerk,
    reviewer and head: the departments whose cases the user works on)."""
    wanted = WORK_ROLES if roles is None else frozenset(roles)
    return frozenset(g.department_id for g in staff_grants(user) if g.role in wanted)


def user_stage_departments(user: Any) -> dict[int, frozenset[str]]:
    """Department id → the review stages the user may act at there: a reviewer at their
    stage(s), a head at every stage. Clerks, supervisors and admins act at no review stage."""
    if not _is_user(user):
        return {}

    def compute() -> dict[int, frozenset[str]]:
        stages: dict[int, set[str]] = {}
        for g in staff_grants(user):
            if g.role == Role.HEAD:
                stages.setdefault(g.department_id, set()).update(ALL_STAGES)
            elif g.role == Role.REVIEWER and g.stage:
                stages.setdefault(g.department_id, set()).add(g.stage)
        return {dep: frozenset(s) for dep, s in stages.items()}

    return _cached(user, "stages", compute)


def can_act_at_stage(user: Any, department: Any, stage: str) -> bool:
    """Whether the user may act on ``department``'s tasks at review ``stage``."""
    return stage in user_stage_departments(user).get(_pk(department), frozenset())


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

    return _cached(user, "supervised_regions", compute)


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

    return _cached(user, "centres", compute)


def can_manage_role(actor: Any, department: Any, role: str) -> bool:
    """Whether ``actor`` may grant or revoke ``role`` in ``department``: superusers and admins
    any role; a department's head the clerks and reviewers of that department."""
    if is_admin(actor):
        return True
    return role in _HEAD_MANAGES and is_head(actor, department)


# --------------------------------------------------------------------------------------------
# Applicants


def user_person(user: Any) -> Person | None:
    """The person the account belongs to, or None (staff accounts usually have none)."""
    if not _is_user(user):
        return None

    def compute() -> Person | None:
        from permits.models import Person

        return Person.objects.filter(user_id=user.pk).first()

    return _cached(user, "person", compute)


def user_handlerships(user: Any) -> tuple[Handler, ...]:
    """The user's *current* handler rows (valid today), with their enterprises."""
    if not _is_user(user):
        return ()

    def compute() -> tuple[Handler, ...]:
        from permits.models import Handler

        return tuple(
            Handler.objects.valid()
            .filter(person__user_id=user.pk)
            .select_related("enterprise")
            .order_by("enterprise__name", "pk")
        )

    return _cached(user, "handlerships", compute)


def user_enterprise_scopes(user: Any) -> dict[int, frozenset[str] | None]:
    """Enterprise id → the item codes the user may act on for it, or None for all items.

    This is the primitive for case visibility: an enterprise's case is the user's when its
    enterprise is a key here and its item code is in the value (or the value is None)."""
    scopes: dict[int, frozenset[str] | None] = {}
    for h in user_handlerships(user):
        scopes[h.enterprise_id] = None if h.scope == "all" else frozenset(h.scope or ())
    return scopes


def user_enterprise_ids(user: Any, *, item_code: str | None = None) -> frozenset[int]:
    """Enterprises the user currently handles; with ``item_code``, only those whose handler
    scope covers that item."""
    return frozenset(
        ent
        for ent, codes in user_enterprise_scopes(user).items()
        if item_code is None or codes is None or item_code in codes
    )


def is_handler(user: Any, enterprise: Enterprise | int) -> bool:
    """Whether the user is a current handler of the enterprise (for any item)."""
    return _pk(enterprise) in user_enterprise_scopes(user)


def can_act_for_enterprise(user: Any, enterprise: Enterprise | int, item_code: str) -> bool:
    """Whether the user may apply for (and follow) ``item_code`` on the enterprise's behalf."""
    return _pk(enterprise) in user_enterprise_ids(user, item_code=item_code)


def handler_of(user: Any, enterprise: Enterprise | int) -> Handler | None:
    """The user's current handler row for the enterprise, or None."""
    ent = _pk(enterprise)
    return next((h for h in user_handlerships(user) if h.enterprise_id == ent), None)


def can_manage_handlers(user: Any, enterprise: Enterprise | int) -> bool:
    """Any current handler may add and remove the enterprise's handlers, passing on no more
    than they hold (``permits.applicant_services`` checks the scope and validity)."""
    return is_handler(user, enterprise)


# --------------------------------------------------------------------------------------------
# Cases and tasks
#
# Built on the primitives above (the flow engineer's part). Lists filter on indexed columns:
# the case's own applicant columns, the case-department rows (``ApplicationDepartment``), the
# centre and the region; tasks on their department and region.


def _none_q():
    from django.db.models import Q

    return Q(pk__in=[])


def application_visible_q(user: Any):
    """The filter over ``permits.Application`` of the cases ``user`` may see.

    * a person: their own cases (not filed for an enterprise), and the cases of enterprises
      they currently handle, within the handler's scope;
    * clerks, reviewers and heads: cases their departments take part in (submitted ones: a
      draft has no case-department rows yet); clerks and heads of a centre's managing
      department also the cases entered or handed over at that centre, and every clerk the
      cases they entered themselves;
    * supervisors: the submitted cases of their region and the regions below it (read-only);
    * superusers: every case. Anyone else: nothing.
    """
    from django.db.models import Q

    from permits.models import ApplicationDepartment, ApplicationStatus

    if not _is_user(user):
        return _none_q()
    if user.is_superuser:
        return Q()
    q = _none_q()
    person = user_person(user)
    if person is not None:
        q |= Q(applicant_person_id=person.pk, applicant_enterprise__isnull=True)
    for enterprise_id, codes in user_enterprise_scopes(user).items():
        if codes is None:
            q |= Q(applicant_enterprise_id=enterprise_id)
        elif codes:
            q |= Q(applicant_enterprise_id=enterprise_id, item__code__in=sorted(codes))
    departments = user_department_ids(user)
    if departments:
        q |= Q(
            pk__in=ApplicationDepartment.objects.filter(
                department_id__in=sorted(departments)
            ).values("application_id")
        )
    if has_role(user, Role.CLERK):
        q |= Q(created_by_id=user.pk)
    centres = user_service_centre_ids(user)
    if centres:
        q |= Q(centre_id__in=sorted(centres)) & ~Q(status=ApplicationStatus.DRAFT)
    regions = user_supervised_region_ids(user)
    if regions:
        q |= Q(region_id__in=sorted(regions)) & ~Q(status=ApplicationStatus.DRAFT)
    return q


def can_view_application(user: Any, application: Any) -> bool:
    """Whether ``user`` may see that case (one query at most)."""
    from permits.models import Application

    if not _is_user(user):
        return False
    if can_act_as_applicant(user, application):
        return True
    return Application.objects.filter(application_visible_q(user), pk=_pk(application)).exists()


def can_act_as_applicant(user: Any, application: Any) -> bool:
    """The applicant's side of a case (edit the form and materials, submit, answer a
    supplement, withdraw): the person it belongs to; a current handler of its enterprise
    whose scope covers its item; the clerk who entered it for a walk-in applicant."""
    if not _is_user(user):
        return False
    if application.applicant_enterprise_id:
        if can_act_for_enterprise(user, application.applicant_enterprise_id, application.item.code):
            return True
    else:
        person = user_person(user)
        if person is not None and application.applicant_person_id == person.pk:
            return True
    return bool(
        application.created_by_id == user.pk
        and application.channel in ("window", "hotline")
        and is_staff_member(user)
    )


def can_enter_cases(user: Any) -> bool:
    """Window clerks and heads (and 12345 operators, who are clerks of the hotline centre)
    enter cases for walk-in or calling applicants."""
    return bool(user_department_ids(user, roles=(Role.CLERK, Role.HEAD)))


def can_hand_over(user: Any, application: Any) -> bool:
    """Hand the result over: working staff of the lead department, or a clerk or head of the
    service centre the case belongs to."""
    if application.lead_department_id in user_department_ids(user):
        return True
    return bool(application.centre_id and application.centre_id in user_service_centre_ids(user))


def task_visible_q(user: Any):
    """The filter over ``workflow.CaseTask`` of the tasks ``user`` may see: their departments'
    tasks; a supervisor's region's tasks (read-only); superusers all."""
    from django.db.models import Q

    if not _is_user(user):
        return _none_q()
    if user.is_superuser:
        return Q()
    q = _none_q()
    departments = user_department_ids(user)
    if departments:
        q |= Q(department_id__in=sorted(departments))
    regions = user_supervised_region_ids(user)
    if regions:
        q |= Q(region_id__in=sorted(regions))
    return q


def task_visible(user: Any, task: Any) -> bool:
    from workflow.models import CaseTask

    if not _is_user(user):
        return False
    return CaseTask.objects.filter(task_visible_q(user), pk=_pk(task)).exists()


def task_actionable_q(user: Any):
    """The filter over ``workflow.CaseTask`` of the tasks ``user`` may take and complete: their
    department's tasks at a stage they hold (a head at every stage); acceptance also by the
    lead department's clerks (受理 at the window)."""
    from django.db.models import Q

    q = _none_q()
    for department_id, stages in sorted(user_stage_departments(user).items()):
        q |= Q(department_id=department_id, stage__in=sorted(stages))
    clerk_departments = user_department_ids(user, roles=(Role.CLERK,))
    if clerk_departments:
        q |= Q(department_id__in=sorted(clerk_departments), kind="acceptance")
    return q


def can_act_on_task(user: Any, task: Any) -> bool:
    """Whether ``user`` may claim and complete ``task`` (before viewflow is touched: viewflow's
    assign/execute check nothing themselves). Supervisors never act."""
    if not _is_user(user):
        return False
    if can_act_at_stage(user, task.department_id, task.stage):
        return True
    return task.kind == "acceptance" and is_clerk(user, task.department_id)


def can_act_on_some_task(user: Any) -> bool:
    """Whether there is any task kind the user may take and complete: a review stage they hold
    somewhere (reviewers at their stage, heads at every stage), or acceptance as a clerk. The
    back office shows the inbox links (my tasks, queue, done) only to such users; supervisors
    and catalogue administrators act on no task today. Mirrors :func:`task_actionable_q`: a task
    kind that adds actors (appeal reviews decided by supervisors) extends both."""
    if not _is_user(user):
        return False
    return bool(user_stage_departments(user) or user_department_ids(user, roles=(Role.CLERK,)))
