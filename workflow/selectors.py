"""Reads of cases and tasks, permission-aware (``workflow.access``) and with a constant
number of queries however many rows there are. Case selectors live here (the catalogue's are in
``permits.selectors``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects

from onestop import keyset
from onestop.pii import lookup_hashes
from permits.models import (
    Application,
    ApplicationDepartment,
    Event,
    Material,
    SupplementNotice,
)
from workflow import access
from workflow.exceptions import NotFound
from workflow.intake.phones import normalise_phone
from workflow.models import ACTIVE_TASK_STATUSES, CaseTask, TaskStatus


def _participations_prefetch() -> Prefetch:
    return Prefetch(
        "participations",
        queryset=ApplicationDepartment.objects.select_related("department").order_by(
            "round", "position", "pk"
        ),
    )


def _application_filters_q(filters: Mapping[str, Any]) -> Q:
    q = Q()
    status = filters.get("status")
    if status:
        q &= Q(status__in=[s for s in str(status).split(",") if s])
    if filters.get("item"):
        q &= Q(item__code=str(filters["item"]).strip().upper())
    if filters.get("caller_phone"):
        q &= _caller_phone_q(filters["caller_phone"])
    return q


def application_list_for_user(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Application]:
    """The cases ``user`` may see, newest first; ``filters``: ``status`` (one or a
    comma-separated list), ``item`` (item code). Each row comes with its item, lead department
    and case-department rows (for the progress view)."""
    qs = Application.objects.filter(access.application_visible_q(user)).filter(
        _application_filters_q(filters or {})
    )
    return (
        qs.select_related("item", "lead_department", "certificate")
        .prefetch_related(_participations_prefetch())
        .order_by("-created_at", "-pk")
    )


# The columns the API's case summary (``workflow.api.summary_rows``) reads, and the sort key.
_SUMMARY_COLUMNS = (
    "pk",
    "number",
    "item__code",
    "item__name",
    "status",
    "channel",
    "lead_department__code",
    "lead_department__name",
    "created_at",
    "submitted_at",
    "due_at",
    "legal_due_at",
    "paused",
    "request_kind",
    "urgency",
    "caller",
)
_SUMMARY_ROW_COLUMNS = (
    "application_id",
    "department__code",
    "department__name",
    "role",
    "round",
    "stage",
    "stages",
    "status",
    "due_at",
    "opinion",
    "outcome",
    "instructions",
    "may_return",
)


def application_summaries_for_user(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[Application]:
    """The API's case list: the cases of :func:`application_list_for_user` as plain dicts of
    the columns the summary shows (``_SUMMARY_COLUMNS``: no form, no hand-over data, no model
    instances), for keyset paging (``onestop.keyset``: ordered ``-created_at, -pk`` on the
    index of that name). Their case-department rows: :func:`application_summary_departments`."""
    qs = Application.objects.filter(access.application_visible_q(user)).filter(
        _application_filters_q(filters or {})
    )
    return qs.order_by("-created_at", "-pk").values(*_SUMMARY_COLUMNS)


def application_summary_departments(application_ids: list[int]) -> dict[int, list[dict]]:
    """The case-department rows of the cases ``application_ids`` (a page of
    :func:`application_summaries_for_user`, already access-checked), as plain dicts of
    ``_SUMMARY_ROW_COLUMNS`` per case id, in the order of the case's progress view. One
    query."""
    rows: dict[int, list[dict]] = {pk: [] for pk in application_ids}
    if not application_ids:
        return rows
    for row in (
        ApplicationDepartment.objects.filter(application_id__in=application_ids)
        .order_by("application_id", "round", "position", "pk")
        .values(*_SUMMARY_ROW_COLUMNS)
    ):
        rows[row["application_id"]].append(row)
    return rows


def application_count_for_user(
    *, user, filters: Mapping[str, Any] | None = None, cap: int | None = None
) -> tuple[int, bool]:
    """How many cases :func:`application_summaries_for_user` lists, up to ``cap`` (API.md's
    10,000, ``onestop.keyset.COUNT_CAP``; then ``capped``): each part of the access rule
    (``access.application_visible_parts``) read through its own index, their union counted in
    one query."""
    cap = keyset.COUNT_CAP if cap is None else cap
    where = _application_filters_q(filters or {})
    if not where:
        # No filter on the case's columns: each part's ids from its own table (the departments'
        # from their rows' index alone: a million-case department's capped count reads 10,001
        # index entries, not as many cases joined to them).
        ids = access.application_visible_id_sets(user)
        if ids is not None:
            return keyset.capped_union_count_of_ids(ids, cap)
    parts = access.application_visible_parts(user)
    if parts is None:  # a superuser: every case
        parts = [Q()]
    return keyset.capped_union_count(
        [Application.objects.filter(part, where) for part in parts], cap
    )


def _caller_phone_q(raw: Any):
    """Cases of one phone number: the hotline caller's, or the applicant's own phone."""
    phone = normalise_phone(raw)
    if not phone:
        return Q(pk__in=[])
    # Both phones are encrypted at rest: they are matched through their lookup hashes.
    hashes = lookup_hashes(phone)
    return Q(caller_phone_hash__in=hashes) | Q(applicant_person__phone_hash__in=hashes)


_DETAIL_RELATED = (
    "item",
    "item_version",
    "lead_department",
    "applicant_person",
    "applicant_enterprise",
    "handler",
    "certificate",
)


def application_get_for_user(*, user, number: str, detail: bool = True) -> Application:
    """One case by number, or ``NotFound`` — the same whether it is missing or foreign."""
    app = (
        Application.objects.for_number(number)
        .select_related(*_DETAIL_RELATED)
        .annotate(open_notice_pk=_open_notice_pk("pk"))
        .first()
    )
    if app is None:
        raise NotFound()
    return _viewed(user, app, detail=detail)


def application_get_for_handover(*, user, number: str) -> Application:
    """A case to hand over (统一窗口出件): one the user may see, or a decided online case that
    the clerks of its region's centre may hand over though they do not see it yet
    (``access.can_hand_over``); ``NotFound`` otherwise."""
    try:
        return application_get_for_user(user=user, number=number, detail=False)
    except NotFound:
        app = Application.objects.for_number(number).select_related(*_DETAIL_RELATED).first()
        if app is None or not access.can_hand_over(user, app):
            raise
        return app


def _viewed(user, app: Application, *, detail: bool) -> Application:
    """The access check on a loaded case, then (``detail``) the rows its detail shows. The
    department rows are read first: they answer the check for the departments' staff without
    a further query (``access.can_view_application``)."""
    if detail:
        app.participation_rows = list(
            ApplicationDepartment.objects.filter(application=app)
            .select_related("department")
            .order_by("round", "position", "pk")
        )
    if not access.can_view_application(user, app):
        raise NotFound()
    if detail:
        app.material_rows = list(Material.objects.current().filter(application=app))
        app.event_rows = list(
            Event.objects.filter(application=app)
            .select_related("actor", "department")
            .order_by("at", "pk")
        )
        # The case's query said whether a notice is open (the usual answer, none, costs nothing).
        known = getattr(app, "open_notice_pk", _UNKNOWN)
        app.open_notice = (
            None
            if known is None
            else app.supplement_notices.filter(answered_at__isnull=True).order_by("pk").first()
        )
    return app


_UNKNOWN = object()


def _open_notice_pk(application_ref: str) -> Subquery:
    """The first unanswered supplement notice of the outer query's case (or NULL)."""
    return Subquery(
        SupplementNotice.objects.filter(
            application_id=OuterRef(application_ref), answered_at__isnull=True
        )
        .order_by("pk")
        .values("pk")[:1]
    )


def material_get_for_user(*, user, number: str, material_id: Any) -> Material:
    app = application_get_for_user(user=user, number=number, detail=False)
    try:
        return Material.objects.get(pk=int(material_id), application=app, deleted=False)
    except (Material.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound() from exc


TASK_SCOPES = ("mine", "queue", "done")


def task_list_for_user(
    *, user, scope: str = "mine", filters: Mapping[str, Any] | None = None
) -> QuerySet[CaseTask]:
    """Inbox rows from our indexed ``CaseTask`` table (not viewflow's queue):

    * ``mine``: tasks assigned to the user;
    * ``queue``: open, unclaimed tasks of the user's departments at stages they may act at
      (and, for supervisors, their region's open tasks);
    * ``done``: tasks the user completed.

    ``filters``: ``application`` (number), ``kind``, ``warning``, ``item`` (code), ``region``
    (region code), ``due_before`` (datetime). Sorted by due time (done: latest first).
    """
    filters = filters or {}
    qs = CaseTask.objects.all()
    if scope == "mine":
        qs = qs.filter(assignee_id=user.pk, status=TaskStatus.ASSIGNED)
    elif scope == "queue":
        actionable = access.task_actionable_q(user)
        regions = access.user_supervised_region_ids(user)
        if regions:
            actionable |= Q(region_id__in=sorted(regions))
        qs = qs.filter(actionable, status=TaskStatus.OPEN)
    elif scope == "done":
        qs = qs.filter(completed_by_id=user.pk, status=TaskStatus.DONE)
    else:
        qs = qs.none()
    qs = qs.filter(access.task_visible_q(user))
    if filters.get("application"):
        qs = qs.filter(application__number=str(filters["application"]).strip().upper())
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("warning"):
        qs = qs.filter(warning=filters["warning"])
    if filters.get("item"):
        qs = qs.filter(item__code=str(filters["item"]).strip().upper())
    if filters.get("region"):
        qs = qs.filter(region__code=filters["region"])
    if filters.get("due_before"):
        qs = qs.filter(due_at__lte=filters["due_before"])
    order = ["-completed_at", "-pk"] if scope == "done" else ["due_at", "pk"]
    return qs.select_related(
        "application", "item", "department", "assignee", "participation"
    ).order_by(*order)


def task_get_for_user(*, user, task_id: Any) -> CaseTask:
    """One task the user may see, with its case; ``NotFound`` otherwise."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    task = (
        CaseTask.objects.filter(access.task_visible_q(user), pk=pk)
        .select_related("application", "item", "department", "assignee", "participation")
        .annotate(
            case_process_id=F("application__process__pk"),
            case_flow_class=F("application__process__flow_class"),
        )
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def task_detail_for_user(*, user, task_id: Any) -> tuple[CaseTask, Application]:
    """One task the user may see with its case's detail (the case's own access rule applies
    too): ``NotFound`` otherwise. The task and its case in one query."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    task = (
        CaseTask.objects.filter(access.task_visible_q(user), pk=pk)
        .select_related(
            "item",
            "department",
            "assignee",
            "participation",
            *(f"application__{name}" for name in _DETAIL_RELATED),
        )
        .annotate(open_notice_pk=_open_notice_pk("application_id"))
        .first()
    )
    if task is None:
        raise NotFound()
    task.application.open_notice_pk = task.open_notice_pk
    return task, _viewed(user, task.application, detail=True)


def case_after_task(application: Application) -> Application:
    """The case a service has just moved (the row it held locked), with its department rows
    read afresh, for the answer of the move (``TaskOutcomeSerializer``): one query. The caller
    acted on the case, so it may see it."""
    cache = getattr(application, "_prefetched_objects_cache", None)
    if cache:
        cache.pop("participations", None)
    prefetch_related_objects([application], _participations_prefetch())
    return application


def open_tasks_of(application: Application) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(application=application, status__in=ACTIVE_TASK_STATUSES)
