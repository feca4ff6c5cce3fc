"""Who may see and do what with a case, a task or a material: the one place that decides
(DESIGN.md §5). Every view, selector, endpoint and flow asks this module; nothing else looks at
staff roles, handler rows or grants to decide access.

It is built on facts kept lower down and re-exported here, so code in ``workflow`` and above
asks only this module: staff roles from ``departments.roles`` (who holds which role where) and
applicant facts from ``permits.applicant_roles`` (which person an account is, which enterprises
it handles). The rules:

* **Deny by default.** Anonymous users, inactive users and users without a role, a person or a
  grant get empty sets and ``False`` from every function here.
* **Applicants.** A person sees their own cases, and the cases of the enterprises they are a
  *current* handler (经办人) of, within the handler's scope (``"all"`` items or a list of item
  codes); a handler is current through its ``valid_until`` date (inclusive).
* **Department staff.** Clerks, reviewers and heads *work* in their department: they see the
  cases their departments take part in (read from the indexed case-department rows) and act
  only on their own department's tasks, and only at the stage they hold: a reviewer at their
  stage (承办 / 审核 / 签发), a head at every stage of their department; a clerk on the
  acceptance of their department (受理 at the window). Window clerks also see the cases
  entered, accepted or handed over at the service centres their department runs.
* **Supervisors** watch a region (the city, or one county) and every region below it,
  read-only. Supervision (the deadline board) is for supervisors and department heads.
* **Exceptional grants** (django-guardian, written only by ``workflow.grants.services``):
  - a *share*: a head of a department taking part in a case lets a named staff member of
    another department read that one case (an expert opinion), until a date or until ended;
  - a *delegation* (代岗): a head lets a colleague act on an absent member's tasks of that
    department until a date: the delegate may see and act on exactly the tasks the absent
    member could act on there (their stages; the acceptance for a clerk), and the cases of
    those tasks; nothing else.
  Both are read permission-table first: guardian's ``UserObjectPermission`` rows of the user
  and the permission (an index on user and permission) give the object ids, then the grant
  rows by primary key tell whether they still run today. Never a scan over all cases.
* **A foreign object answers 404**, in pages and in the API alike: a case, task or material the
  user may not see is indistinguishable from one that does not exist (:func:`not_found`).

Caching: every answer about one user is kept on that user object for its lifetime (one
request), see ``departments.roles.cached``; :func:`forget` drops it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone
from guardian.models import UserObjectPermission

from departments.models import Department, Role, ServiceCentre
from departments.roles import (  # noqa: F401 - re-exported: callers ask this module only
    ALL_STAGES,
    OBJECT_GRANTS_KEY,
    WORK_ROLES,
    Grant,
    cached,
    can_act_at_stage,
    can_manage_role,
    department_staff_ids,
    forget,
    grants_of_users,
    has_role,
    hotline_office_ids,
    hotline_region_ids,
    is_admin,
    is_clerk,
    is_head,
    is_reviewer,
    is_staff_member,
    is_supervisor,
    is_user,
    not_found,
    pk_of,
    register_object_grant_permissions,
    staff_grants,
    stages_by_department,
    user_department_ids,
    user_service_centre_ids,
    user_stage_departments,
    user_supervised_region_ids,
)
from onestop.probed import ProbedExists
from permits.applicant_roles import (  # noqa: F401 - re-exported
    can_act_for_enterprise,
    can_manage_handlers,
    handler_of,
    is_handler,
    user_enterprise_ids,
    user_enterprise_scopes,
    user_handlerships,
    user_person,
)
from permits.models import Application, ApplicationDepartment, ApplicationStatus, Channel
from workflow.access_grants import (  # noqa: F401 - re-exported: callers ask this module only
    DELEGATION_PERMISSION,
    SHARE_PERMISSION,
    Covering,
    covered_tasks_q,
    delegations_held,
    granted_object_ids,
    shared_application_ids,
)
from workflow.access_visits import (  # noqa: F401 - re-exported: callers ask this module only
    can_decide_visit_appeal,
    can_handle_visit_rectification,
    can_record_phoned_rating,
    can_record_phoned_ratings,
    can_see_visit_rectifications,
    visit_rectification_q,
)
from workflow.grants.models import Delegation
from workflow.intake.models import PetitionReview
from workflow.models import CaseTask, TaskKind


def _none_q() -> Q:
    return Q(pk__in=[])


def _may_act(grants: tuple[Grant, ...] | list[Grant], task: Any) -> bool:
    """The staff rule on one task, given the roles of one user: their department's task at a
    stage they hold; the acceptance also for its clerks."""
    stages = stages_by_department(grants).get(task.department_id, frozenset())
    if task.stage in stages:
        return True
    return task.kind == TaskKind.ACCEPTANCE and any(
        g.role == Role.CLERK and g.department_id == task.department_id for g in grants
    )


# --------------------------------------------------------------------------------------------
# Cases


def application_visible_q(user: Any) -> Q:
    """The filter over ``permits.Application`` of the cases ``user`` may see.

    * a person: their own cases (not filed for an enterprise), and the cases of enterprises
      they currently handle, within the handler's scope;
    * clerks, reviewers and heads: cases their departments take part in (submitted ones: a
      draft has no case-department rows yet); clerks and heads of a centre's managing
      department also the cases entered or handed over at that centre, and every clerk the
      cases they entered themselves;
    * supervisors: the submitted cases of their region and the regions below it (read-only);
    * the cases shared with them, and the cases of the tasks their delegations pass on;
    * superusers: every case. Anyone else: nothing.

    The OR of :func:`application_visible_parts`.
    """
    parts = application_visible_parts(user)
    if parts is None:
        return Q()
    q = _none_q()
    for part in parts:
        q |= part
    return q


def application_visible_parts(user: Any) -> list[Q] | None:
    """The rule of :func:`application_visible_q` as separate filters (their OR is the rule;
    None: every case, a superuser). Each part alone is one indexed way in — a column of the
    case, or an ``EXISTS`` over the indexed case-department rows — so a capped count adds up
    the parts one ``UNION`` at a time instead of scanning every case (``onestop.keyset``).
    The departments' part comes first: for staff it is the large one, which a capped count
    asks alone first. The row-table parts are ``EXISTS`` (not ``IN``) fenced against
    PostgreSQL's rewrite into a hashed set (``onestop.probed``): inside the OR of a case list
    they are probed per case read, in the list's order, rather than hashing every row first."""
    if not is_user(user):
        return []
    if user.is_superuser:
        return None
    # Once per user object, as the facts it is made of (a list asks it for its page and again
    # for its count); a copy, so no caller changes the kept one.
    return [q for q, _ids in cached(user, "application_visible_parts", lambda: _parts(user))]


def application_visible_id_sets(user: Any) -> list[QuerySet] | None:
    """The parts of :func:`application_visible_parts` as querysets of case ids (flat, each id
    once), in the same order: a row-table part read from its own table alone (the
    case-department rows' (department, application) index, no case row), any other from the
    cases. For a capped count without filters (``workflow.selectors``). None: a superuser."""
    if not is_user(user):
        return []
    if user.is_superuser:
        return None
    return [
        ids if ids is not None else Application.objects.filter(q).values_list("pk", flat=True)
        for q, ids in cached(user, "application_visible_parts", lambda: _parts(user))
    ]


def _parts(user: Any) -> list[tuple[Q, QuerySet | None]]:
    """(filter, its case ids when a row table holds them) for each part of the rule."""
    parts: list[tuple[Q, QuerySet | None]] = []
    departments = sorted(user_department_ids(user))
    if departments:
        # The departments' rows; and the next higher authority asked for a petition's
        # 复查 / 复核 reads that case.
        for rows in (
            ApplicationDepartment.objects.filter(department_id__in=departments),
            PetitionReview.objects.filter(authority_id__in=departments),
        ):
            ids = rows.order_by().values_list("application_id", flat=True).distinct()
            # checked per case read, not hashed whole (onestop.probed)
            parts.append((Q(ProbedExists(rows.filter(application_id=OuterRef("pk")))), ids))
    return parts + [(q, None) for q in _column_parts(user)]


def _column_parts(user: Any) -> list[Q]:
    parts: list[Q] = []
    person = user_person(user)
    if person is not None:
        parts.append(Q(applicant_person_id=person.pk, applicant_enterprise__isnull=True))
    for enterprise_id, codes in user_enterprise_scopes(user).items():
        if codes is None:
            parts.append(Q(applicant_enterprise_id=enterprise_id))
        elif codes:
            parts.append(Q(applicant_enterprise_id=enterprise_id, item__code__in=sorted(codes)))
    if has_role(user, Role.CLERK):
        parts.append(Q(created_by_id=user.pk))
    centres = user_service_centre_ids(user)
    if centres:
        parts.append(Q(centre_id__in=sorted(centres)) & ~Q(status=ApplicationStatus.DRAFT))
    regions = user_supervised_region_ids(user)
    if regions:
        parts.append(Q(region_id__in=sorted(regions)) & ~Q(status=ApplicationStatus.DRAFT))
    shared = shared_application_ids(user)
    if shared:
        parts.append(Q(pk__in=sorted(shared)))
    if delegations_held(user):
        parts.append(
            Q(pk__in=CaseTask.objects.filter(covered_tasks_q(user)).values("application_id"))
        )
    return parts


def can_view_application(user: Any, application: Any) -> bool:
    """Whether ``user`` may see that case (one query at most)."""
    if not is_user(user):
        return False
    rows = getattr(application, "participation_rows", None)
    if rows is not None and not user.is_superuser:
        # The departments' branch of application_visible_q, answered from the case's
        # department rows the caller has loaded (the staff's usual way in: no query).
        departments = user_department_ids(user)
        if departments and any(row.department_id in departments for row in rows):
            return True
    if can_act_as_applicant(user, application):
        return True
    if pk_of(application) in shared_application_ids(user):
        return True
    return Application.objects.filter(application_visible_q(user), pk=pk_of(application)).exists()


def can_act_as_applicant(user: Any, application: Any) -> bool:
    """The applicant's side of a case (edit the form and materials, submit, answer a
    supplement, withdraw): the person it belongs to; a current handler of its enterprise
    whose scope covers its item; the clerk who entered it for a walk-in applicant. A share or
    a delegation never gives it."""
    if not is_user(user):
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
        and application.channel in (Channel.WINDOW, Channel.HOTLINE)
        and is_staff_member(user)
    )


def can_see_full_personal_data(user: Any, application: Any) -> bool:
    """Whether ``user`` sees the case's ID numbers and phones in full (forms, case detail, API)
    rather than masked (PIPL: only the roles that need them). Full values go to the applicant's
    side (the person, a current handler of the enterprise, the clerk who entered a walk-in or
    hotline case) and to the staff who work the case: clerks, reviewers and heads of a
    department taking part, and a delegate acting on one of its tasks. Supervisors (read-only),
    staff a case is shared with, petition authorities, centre staff who merely see it and
    superusers see masked values. One query at most beyond the cached role facts."""
    if not is_user(user):
        return False
    if can_act_as_applicant(user, application):
        return True
    working = user_department_ids(user)
    if (
        working
        and ApplicationDepartment.objects.filter(
            application_id=pk_of(application), department_id__in=sorted(working)
        ).exists()
    ):
        return True
    if delegations_held(user):
        return CaseTask.objects.filter(
            covered_tasks_q(user), application_id=pk_of(application)
        ).exists()
    return False


def can_enter_cases(user: Any) -> bool:
    """Window clerks and heads (and 12345 operators, who are clerks of the hotline centre)
    enter cases for walk-in or calling applicants."""
    return bool(user_department_ids(user, roles=(Role.CLERK, Role.HEAD)))


def can_extend_petition(user: Any, application: Any) -> bool:
    """A petition's one extension: a head of its lead office or of a department taking part
    (the handling unit's head, 信访工作条例 第三十五条)."""
    headed = user_department_ids(user, roles=(Role.HEAD,))
    if not headed:
        return False
    if application.lead_department_id in headed:
        return True
    return ApplicationDepartment.objects.filter(
        application_id=pk_of(application), department_id__in=sorted(headed)
    ).exists()


def can_decide_petition_review(user: Any, review: Any) -> bool:
    """A 复查 / 复核 is heard and decided by the reviewing authority's reviewers and heads."""
    return review.authority_id in user_department_ids(user, roles=(Role.REVIEWER, Role.HEAD))


def can_hand_over(user: Any, application: Any) -> bool:
    """Hand the result over: working staff of the lead department, or a clerk or head of the
    service centre it is handed over at (``handover_centre_id``)."""
    if application.lead_department_id in user_department_ids(user):
        return True
    return handover_centre_id(user, application) is not None


def handover_centre_id(user: Any, application: Any) -> int | None:
    """The centre where ``user`` hands the case over: the case's own centre, if they work it;
    for a case without one (an online case), once it is decided (approved or denied), the
    centre of the case's region, if they work that one (docs/workflow.md, Hand-over)."""
    centres = user_service_centre_ids(user)
    if not centres:
        return None
    if application.centre_id:
        return application.centre_id if application.centre_id in centres else None
    if application.status not in (ApplicationStatus.APPROVED, ApplicationStatus.DENIED):
        return None
    return (
        ServiceCentre.objects.filter(pk__in=sorted(centres), region_id=application.region_id)
        .values_list("pk", flat=True)
        .first()
    )


def sharing_department_ids(user: Any, application: Any) -> frozenset[int]:
    """The departments in whose name ``user`` may share the case: those the user heads that
    take part in it (one query)."""
    headed = user_department_ids(user, roles=(Role.HEAD,))
    if not headed:
        return frozenset()
    return frozenset(
        ApplicationDepartment.objects.filter(
            application_id=pk_of(application), department_id__in=sorted(headed)
        ).values_list("department_id", flat=True)
    )


def can_share_application(user: Any, application: Any) -> bool:
    """A head of a department taking part in the case may share it (and end its shares)."""
    return bool(user.is_superuser or sharing_department_ids(user, application))


def can_delegate(user: Any, department: Any) -> bool:
    """A department's head delegates its members' tasks (and ends those delegations)."""
    return is_head(user, department)


# --------------------------------------------------------------------------------------------
# Tasks


def task_visible_q(user: Any) -> Q:
    """The filter over ``workflow.CaseTask`` of the tasks ``user`` may see: their departments'
    tasks; a supervisor's region's tasks (read-only); the tasks their delegations pass on;
    superusers all."""
    if not is_user(user):
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
    centres = user_service_centre_ids(user)
    if centres:
        # 一窗受理: the acceptance of a case entered at the user's centre, where the item
        # allows window acceptance (``accepts_at_window``).
        q |= Q(
            kind=TaskKind.ACCEPTANCE,
            application__channel=Channel.WINDOW,
            application__centre_id__in=sorted(centres),
            application__item__window_acceptance=True,
        )
    if delegations_held(user):
        q |= covered_tasks_q(user)
    return q


def task_visible(user: Any, task: Any) -> bool:
    if not is_user(user):
        return False
    return CaseTask.objects.filter(task_visible_q(user), pk=pk_of(task)).exists()


def task_actionable_q(user: Any) -> Q:
    """The filter over ``workflow.CaseTask`` of the tasks ``user`` may take and complete: their
    department's tasks at a stage they hold (a head at every stage); acceptance also by the
    lead department's clerks (受理 at the window); and what their delegations pass on."""
    q = _none_q()
    for department_id, stages in sorted(user_stage_departments(user).items()):
        q |= Q(department_id=department_id, stage__in=sorted(stages))
    clerk_departments = user_department_ids(user, roles=(Role.CLERK,))
    if clerk_departments:
        q |= Q(department_id__in=sorted(clerk_departments), kind=TaskKind.ACCEPTANCE)
    if delegations_held(user):
        q |= covered_tasks_q(user) & ~Q(kind=TaskKind.APPEAL_REVIEW)
    regions = user_supervised_region_ids(user)
    if regions:
        q |= Q(kind=TaskKind.APPEAL_REVIEW, region_id__in=sorted(regions))
    return q


def can_act_on_task(user: Any, task: Any) -> bool:
    """Whether ``user`` may claim and complete ``task`` (before viewflow is touched: viewflow's
    assign/execute check nothing themselves). Supervisors never act."""
    if not is_user(user):
        return False
    if task.kind == TaskKind.APPEAL_REVIEW:
        return can_review_appeal(user, task)
    if _may_act(staff_grants(user), task):
        return True
    if task.kind == TaskKind.ACCEPTANCE and accepts_at_window(user, task.application):
        return True
    return acts_by_delegation(user, task)


def accepts_at_window(user: Any, application: Any) -> bool:
    """A window clerk accepts on the spot (一窗受理) a case entered at their centre when the
    item allows window acceptance; the lead department's clerks accept by the staff rule."""
    return bool(
        is_user(user)
        and application.channel == Channel.WINDOW
        and application.centre_id
        and application.centre_id in user_service_centre_ids(user)
        and application.item.window_acceptance
    )


def can_review_appeal(user: Any, task: Any) -> bool:
    """An appeal against a rating (申诉, ``appeal_review``) is decided by a supervisor of the
    case's region (or a region above it): their one task kind. No department role, head or
    delegation gives it."""
    return bool(
        is_user(user)
        and task.kind == TaskKind.APPEAL_REVIEW
        and task.region_id in user_supervised_region_ids(user)
    )


def acts_by_delegation(user: Any, task: Any) -> bool:
    """Whether the user may act on the task only through a delegation they hold."""
    for c in delegations_held(user):
        if c.department_id != task.department_id:
            continue
        if task.stage in c.stages or (c.acceptance and task.kind == TaskKind.ACCEPTANCE):
            return True
    return False


def may_act_without_delegation(user: Any, task: Any) -> bool:
    """The staff rule alone (the user's own roles), e.g. for what returns when a delegation
    ends."""
    return is_user(user) and _may_act(staff_grants(user), task)


def task_actor_candidates(task: Any) -> list[Any]:
    """Who may act on ``task`` (whom a head may give it to): the active staff of its department
    whose roles let them act at its stage, and the delegates standing in for them today. The
    same rule as :func:`can_act_on_task`, for every colleague at once (four queries)."""
    staff = department_staff_ids(task.department_id)
    roles = grants_of_users(staff, department=task.department_id)
    able = sorted(uid for uid, grants in roles.items() if _may_act(grants, task))
    ids = set(able)
    if able:
        running = dict(
            Delegation.objects.active(today=timezone.localdate())
            .filter(department_id=task.department_id, from_user_id__in=able)
            .values_list("pk", "to_user_id")
        )
        if running:
            app_label, codename = DELEGATION_PERMISSION
            ids |= set(
                UserObjectPermission.objects.filter(
                    permission__codename=codename,
                    permission__content_type__app_label=app_label,
                    object_pk__in=[str(pk) for pk in running],
                    user_id__in=sorted(set(running.values())),
                ).values_list("user_id", flat=True)
            )
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username"))


# --------------------------------------------------------------------------------------------
# Supervision (the deadline board)


def can_supervise(user: Any) -> bool:
    """Supervisors, department heads and superusers open the supervision board."""
    if not is_staff_member(user):
        return False
    return bool(user.is_superuser or has_role(user, Role.HEAD) or is_supervisor(user))


def supervised_department_ids(user: Any) -> frozenset[int] | None:
    """The departments the user watches on the board; None means all (a superuser): a head
    their own department(s), a supervisor every department of their region and below."""
    if not can_supervise(user):
        return frozenset()
    if user.is_superuser:
        return None
    ids = set(user_department_ids(user, roles=[Role.HEAD]))
    regions = user_supervised_region_ids(user)
    if regions:
        ids |= set(
            Department.objects.filter(region_id__in=sorted(regions)).values_list("pk", flat=True)
        )
    return frozenset(ids)


def can_act_on_some_task(user: Any) -> bool:
    """Whether there is any task kind the user may take and complete: a review stage they hold
    somewhere (reviewers at their stage, heads at every stage), or acceptance as a clerk. The
    back office shows the inbox links (my tasks, queue, done) only to such users; supervisors
    and catalogue administrators act on no task today. Mirrors :func:`task_actionable_q`: a task
    kind that adds actors (appeal reviews decided by supervisors) extends both."""
    if not is_user(user):
        return False
    return bool(user_stage_departments(user) or user_department_ids(user, roles=(Role.CLERK,)))


# --------------------------------------------------------------------------------------------
# Ratings (好差评, the evaluations app)


def can_rate(user: Any, application: Any) -> bool:
    """The applicant's side rates a case (the person, a current handler of the enterprise, the
    clerk who entered a walk-in case); a link's holder rates through the signed link instead."""
    return can_act_as_applicant(user, application)


def can_moderate_ratings(user: Any) -> bool:
    """Who reviews comments before they are published and sees the ratings' drill-down: the
    supervision board's users (heads for their departments, supervisors for their regions)."""
    return can_supervise(user)


def rating_department_ids(user: Any) -> frozenset[int] | None:
    """The departments whose ratings the user sees in the back office (None: all)."""
    return supervised_department_ids(user)
