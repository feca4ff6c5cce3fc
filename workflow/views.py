"""The staff back office: the inbox (my tasks, my departments' queue, done by me) and the task
page with the decision form of the task's kind.

Thin views: validate input, call one ``workflow`` service or selector, render. A task or case
the user may not see answers 404 (the selectors decide, through ``workflow.access``). A task
that someone else handled meanwhile answers a clear "already handled" page, never an error page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from departments.models import Region
from onestop.forms import add_service_errors
from onestop.paging import page_with_capped_count, page_with_count
from permits.exceptions import Conflict, NotFound, PermitsError
from permits.models import ItemDepartment
from permits.public_pages_version import public_pages_version
from permits.uploads import file_response
from workflow import access, personal_data, selectors, services
from workflow.documents.services import documents_for_page
from workflow.forms import InboxFilterForm, ReassignForm, TaskDecisionForm
from workflow.models import TaskKind, TaskStatus
from workflow.steps.registry import decision_label
from workflow.tolerance.services import missing_required, open_tolerance, tolerance_outstanding

SCOPES = {
    "mine": "workflow:inbox",
    "queue": "workflow:queue",
    "done": "workflow:done",
}
PAGE_SIZE = 50
# The filter lists in the cache: the version stamp in the key ends them; the timeout only
# frees the memory of stamps gone by.
FILTER_OPTIONS_TIMEOUT = 24 * 3600


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        access.not_found()


def _filter_options(user: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Items the user's departments take part in, and the regions: two small queries, kept in
    the shared cache under the public pages' version stamp (``permits.public_pages_version``: any
    change of items, their departments, departments or regions makes a new stamp), so the
    inbox reads them from Redis, not from PostgreSQL, on every page."""
    departments = sorted(access.user_department_ids(user))
    version = public_pages_version()
    if version is None:
        return _filter_options_read(departments)
    key = f"inbox:filters:{version}:{','.join(map(str, departments))}"
    found = cache.get(key)
    if found is None:
        found = _filter_options_read(departments)
        cache.set(key, found, timeout=FILTER_OPTIONS_TIMEOUT)
    items, regions = found
    return [tuple(row) for row in items], [tuple(row) for row in regions]


def _filter_options_read(
    departments: list[int],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    items = list(
        ItemDepartment.objects.filter(department_id__in=departments)
        .order_by("item__code")
        .values_list("item__code", "item__name")
        .distinct()
    )
    regions = list(Region.objects.order_by("position", "code").values_list("code", "name"))
    return items, regions


def _task_filters(form: InboxFilterForm) -> dict[str, Any]:
    filters: dict[str, Any] = form.filters()
    due = filters.pop("due", "")
    if due:
        today = timezone.localdate()
        end_of = {"overdue": today - dt.timedelta(days=1), "today": today}.get(
            due, today + dt.timedelta(days=7)
        )
        filters["due_before"] = timezone.make_aware(dt.datetime.combine(end_of, dt.time.max))
        if due == "overdue":
            filters["due_before"] = timezone.now()
    return filters


def _inbox(request: HttpRequest, scope: str, paginate=page_with_count) -> HttpResponse:
    _staff_only(request)
    items, regions = _filter_options(request.user)
    form = InboxFilterForm(request.GET or None, items=items, regions=regions)
    tasks = selectors.task_list_for_user(
        user=request.user, scope=scope, filters=_task_filters(form)
    )
    page = paginate(tasks, PAGE_SIZE, request.GET.get("page"))
    for task in page.object_list:
        # Supervisors see their region's queue read-only: no claim button for them.
        # (No query per row: access caches the user's grants.)
        task.may_claim = task.status == TaskStatus.OPEN and access.can_act_on_task(
            request.user, task
        )
    return render(
        request,
        "workflow/inbox.html",
        {
            "scope": scope,
            "form": form,
            "page_obj": page,
            "tasks": page.object_list,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "tabs": [
                {
                    "scope": "mine",
                    "label": _("My tasks (assigned to me)"),
                    "url": reverse("workflow:inbox"),
                },
                {
                    "scope": "queue",
                    "label": _("Department queue (unclaimed)"),
                    "url": reverse("workflow:queue"),
                },
                {"scope": "done", "label": _("Done (by me)"), "url": reverse("workflow:done")},
            ],
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, "mine")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    # The department queue can hold tens of thousands of open tasks: its count stops at 10,000.
    return _inbox(request, "queue", paginate=page_with_capped_count)


@login_required
def done(request: HttpRequest) -> HttpResponse:
    return _inbox(request, "done")


def _task(request: HttpRequest, task_id: int) -> Any:
    try:
        return selectors.task_get_for_user(user=request.user, task_id=task_id)
    except NotFound as exc:
        raise Http404 from exc


def _case(request: HttpRequest, task: Any) -> Any:
    """The task's case with everything the task page shows (or 404)."""
    try:
        return selectors.application_get_for_user(
            user=request.user, number=task.application.number, detail=True
        )
    except NotFound as exc:
        raise Http404 from exc


def _back(request: HttpRequest, default: str = "workflow:queue") -> str:
    target = request.POST.get("next", "")
    if target.startswith("/office/") and not target.startswith("//"):
        return target
    return reverse(default)


def _stale(request: HttpRequest, task: Any, message: str = "") -> HttpResponse:
    """The task was handled (or taken) by someone else: say so plainly, with the way back."""
    return render(
        request,
        "workflow/task_stale.html",
        {"task": task, "message": message},
        status=409,
    )


@login_required
@require_POST
def task_claim(request: HttpRequest, task_id: int) -> HttpResponse:
    _staff_only(request)
    task = _task(request, task_id)
    try:
        services.task_claim(actor=request.user, task=task)
    except Conflict as exc:
        return _stale(request, task, str(exc.message))
    except PermitsError as exc:
        messages.error(request, str(exc.message))
        return redirect(_back(request))
    messages.success(request, _("Task claimed: it is now in “My tasks”."))
    return redirect("workflow:task_detail", task_id=task.pk)


@login_required
@require_POST
def task_release(request: HttpRequest, task_id: int) -> HttpResponse:
    _staff_only(request)
    task = _task(request, task_id)
    try:
        services.task_release(actor=request.user, task=task)
    except Conflict as exc:
        return _stale(request, task, str(exc.message))
    except PermitsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Task released back to the department queue."))
    return redirect(_back(request, "workflow:inbox"))


def _reassign_candidates(task: Any, head: Any = None) -> list[tuple[str, str]]:
    """Who a head may give the task to: whoever ``workflow.access`` says may act on it, named
    with the department and stage they would act in, the head himself left out (issue 14
    item 12)."""
    from django.utils.translation import pgettext

    from workflow.labels import stage_label

    where = task.department.name + (f" · {stage_label(task.stage)}" if task.stage else "")
    opening, closing = pgettext("punctuation", " ("), pgettext("punctuation", ")")
    return [
        (str(user.pk), f"{user.get_full_name() or user.username}{opening}{where}{closing}")
        for user in access.task_actor_candidates(task)
        if head is None or user.pk != head.pk
    ]


@login_required
@require_POST
def task_reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    _staff_only(request)
    task = _task(request, task_id)
    form = ReassignForm(request.POST, candidates=_reassign_candidates(task, request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a colleague to give the task to."))
        return redirect("workflow:task_detail", task_id=task.pk)
    try:
        colleague = get_user_model().objects.get(pk=int(form.cleaned_data["user"]))
        services.task_reassign(actor=request.user, task=task, user=colleague)
    except Conflict as exc:
        return _stale(request, task, str(exc.message))
    except PermitsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Task reassigned."))
    return redirect("workflow:task_detail", task_id=task.pk)


def _decision_form(application: Any, task: Any, data: Any = None) -> TaskDecisionForm:
    snapshot = application.item_version.snapshot or {}
    current = {m.requirement_id: m.pk for m in application.material_rows if m.requirement_id}
    return TaskDecisionForm(
        data,
        kind=task.kind,
        requirements=snapshot.get("materials") or [],
        current_materials=current,
        application=application,
        prefix="d",
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    """The task with its case: form data, materials, every department's status and opinion,
    the timeline, and (when the user may act) the decision form."""
    _staff_only(request)
    task = _task(request, task_id)
    application = _case(request, task)
    actionable = task.is_active and access.can_act_on_task(request.user, task)
    form = None
    status = 200
    if request.method == "POST":
        if not task.is_active:
            return _stale(request, task)
        form = _decision_form(application, task, request.POST)
        if not actionable:
            messages.error(request, _("This task is not yours to decide."))
            return redirect("workflow:task_detail", task_id=task.pk)
        if form.is_valid():
            try:
                services.task_complete(actor=request.user, task=task, **form.payload())
            except Conflict as exc:
                return _stale(request, task, str(exc.message))
            except PermitsError as exc:
                add_service_errors(form, exc)
            else:
                # Name the decision taken, not only the task's kind: asking for a 补正 on the
                # acceptance task once flashed "已办理：…，受理。" (issue 14 item 6).
                messages.success(
                    request,
                    _("Done: %(number)s, %(kind)s: %(decision)s.")
                    % {
                        "number": task.application.number,
                        "kind": task.get_kind_display(),
                        "decision": decision_label(task.kind, form.cleaned_data["decision"]),
                    },
                )
                return redirect("workflow:inbox")
        status = 400
    elif actionable:
        form = _decision_form(application, task)
    is_head = access.is_head(request.user, task.department_id)
    missing = missing_required(application) if task.kind == TaskKind.ACCEPTANCE else []
    return render(
        request,
        "workflow/task_detail.html",
        {
            "task": task,
            "application": application,
            "form": form,
            "actionable": actionable,
            "may_claim": actionable and task.status == TaskStatus.OPEN,
            "may_release": task.status == TaskStatus.ASSIGNED
            and (task.assignee_id == request.user.pk or is_head),
            "reassign_form": ReassignForm(candidates=_reassign_candidates(task, request.user))
            if is_head and task.is_active
            else None,
            "form_rows": personal_data.form_rows(request, application),
            "materials": application.material_rows,
            "participations": application.participation_rows,
            "events": application.event_rows,
            "notice": application.open_notice,
            "is_decision": task.kind == TaskKind.DECISION,
            # The clock page (pause for a special procedure, extension) for those who may use
            # it: whoever acts on the task, and the department's head (issue 14 item 12).
            "may_use_clock": task.is_active and (actionable or is_head),
            "missing_required": missing if task.is_active else [],
            "tolerance": open_tolerance(application),
            "tolerance_outstanding": tolerance_outstanding(application),
            "documents": documents_for_page(request.user, application),
        },
        status=status,
    )


@login_required
def task_material_file(request: HttpRequest, task_id: int, material_id: int) -> HttpResponse:
    """A material of the task's case, for staff who may see the case (404 otherwise)."""
    _staff_only(request)
    task = _task(request, task_id)
    try:
        material = selectors.material_get_for_user(
            user=request.user, number=task.application.number, material_id=material_id
        )
    except NotFound as exc:
        raise Http404 from exc
    personal_data.material_downloaded(request, task.application, material)
    name = material.stored_name or material.file.name
    return file_response(
        name=material.file.name,
        display_name=material.original_name,
        file_type=name.rsplit(".", 1)[-1].lower(),
        inline=request.GET.get("inline") == "1",
        storage=material.file.storage,
    )
