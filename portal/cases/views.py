"""Applying online (the wizard), "my cases" with the progress view, the public progress query
and certificate verification.

Thin views: validate input, call one ``workflow`` service or selector, render. Cases are never
moved here; who may see what is decided by the selectors (``workflow.access``): a foreign
case or material answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from onestop.forms import add_service_errors
from permits.exceptions import NotFound, PermitsError
from permits.formspec import FormDataInvalid, build_form, open_form_data
from permits.models import ApplicationStatus, ServiceItem
from permits.uploads import file_response
from portal.cases import presenters
from portal.cases.forms import (
    SELF,
    ApplicantForm,
    CaseFilterForm,
    DeclarationForm,
    MaterialUploadForm,
    WithdrawForm,
)
from workflow import access, personal_data, selectors, services
from workflow.deadlines.clock_page import may_use_clock
from workflow.documents.services import documents_for_page
from workflow.exceptions import MissingMaterials
from workflow.labels import INTERNAL_EVENTS
from workflow.models import CaseTask, TaskKind
from workflow.spec import version_spec

WIZARD_STEPS = (
    ("applicant", gettext_lazy("Applicant")),
    ("form", gettext_lazy("Fill in the form")),
    ("materials", gettext_lazy("Upload materials")),
    ("review", gettext_lazy("Review and declare")),
    ("done", gettext_lazy("Submit")),
)


def _steps(current: str, application: Any = None) -> list[dict[str, Any]]:
    names = WIZARD_STEPS
    order = [code for code, _label in names]
    reached = order.index(current)
    urls = {}
    if application is not None and application.is_editable:
        urls = {
            "form": reverse("portal:apply_form", args=[application.number]),
            "materials": reverse("portal:apply_materials", args=[application.number]),
            "review": reverse("portal:apply_review", args=[application.number]),
        }
    return [
        {
            "code": code,
            "label": label,
            "number": index + 1,
            "state": "done" if index < reached else ("current" if index == reached else "todo"),
            "url": urls.get(code, "") if code != current else "",
        }
        for index, (code, label) in enumerate(names)
    ]


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form (even an empty POST is a submission), else None."""
    return request.POST if request.method == "POST" else None


def _error_message(exc: PermitsError) -> str:
    return str(exc.message)


def _get_case(request: HttpRequest, number: str, *, detail: bool = False) -> Any:
    """The user's case (own, or an enterprise's within the handler's scope) or 404."""
    try:
        return selectors.application_get_for_user(user=request.user, number=number, detail=detail)
    except NotFound as exc:
        raise Http404 from exc


def _get_material(request: HttpRequest, application: Any, material_id: int) -> Any:
    try:
        return selectors.material_get_for_user(
            user=request.user, number=application.number, material_id=material_id
        )
    except NotFound as exc:
        raise Http404 from exc


def _editable_case(request: HttpRequest, number: str) -> Any:
    application = _get_case(request, number)
    if not application.is_editable or not _may_edit(request, application):
        raise _NotEditable(application)
    return application


def _may_edit(request: HttpRequest, application: Any) -> bool:
    return access.can_act_as_applicant(request.user, application)


def _may_withdraw(request: HttpRequest, application: Any) -> bool:
    return application.can_transition_to(ApplicationStatus.WITHDRAWN) and _may_edit(
        request, application
    )


class _NotEditable(Exception):
    def __init__(self, application: Any) -> None:
        self.application = application


def _to_case_page(request: HttpRequest, application: Any) -> HttpResponse:
    messages.info(request, _("This application can no longer be changed."))
    return redirect("portal:case_detail", number=application.number)


def _snapshot(application: Any) -> dict[str, Any]:
    return application.item_version.snapshot or {}


# --- ① start: who applies ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """``/items/<code>/apply/``: choose who applies and create the draft (or resume one)."""
    item = get_object_or_404(
        ServiceItem.objects.visible().select_related("lead_department"), code=code
    )
    person = access.user_person(request.user)
    options: list[tuple[str, str]] = []
    enterprises = {}
    if person is not None:
        options.append((SELF, _("Myself (%(name)s)") % {"name": person.masked_name}))
    for handler in access.user_handlerships(request.user):
        if access.can_act_for_enterprise(request.user, handler.enterprise_id, item.code):
            enterprise = handler.enterprise
            enterprises[enterprise.pk] = enterprise
            options.append(
                (
                    f"enterprise:{enterprise.pk}",
                    _("%(name)s (credit code %(code)s), as its handler")
                    % {"name": enterprise.name, "code": enterprise.credit_code},
                )
            )
    drafts = selectors.application_list_for_user(
        user=request.user, filters={"item": item.code, "status": ApplicationStatus.DRAFT}
    )[:10]
    form = ApplicantForm(_posted(request), options=options)
    closed_reason = ""
    if not item.accepts_applications or item.current_version_id is None:
        closed_reason = _("This service currently takes no new applications.")
    elif not services.item_applies_online(item):
        # refused before anything is filled in, not at submission (issue 14 item 8)
        closed_reason = _(
            "Online applications for this kind of service are not open yet; please contact the "
            "department or visit the service centre."
        )
    elif not options:
        closed_reason = _(
            "Your account is not linked to a person yet, and you handle no enterprise for this "
            "service. Complete your real-name details first."
        )
    if request.method == "POST" and not closed_reason and form.is_valid():
        try:
            enterprise = enterprises.get(form.enterprise_id())
            fields = (item.current_version.snapshot or {}).get("form_fields") or []
            application = services.application_create(
                actor=request.user,
                item=item,
                on_behalf_of=enterprise,
                # Asked once: what the verified profile already says (issue 14 item 11).
                form=presenters.prefill(fields, person=person, enterprise=enterprise),
            )
        except PermitsError as exc:
            form.add_error(None, _error_message(exc))
        else:
            messages.success(
                request,
                _("Draft %(number)s created. It is saved at every step.")
                % {"number": application.number},
            )
            return redirect("portal:apply_form", number=application.number)
    return render(
        request,
        "portal/cases/apply_start.html",
        {
            "item": item,
            "form": form,
            "drafts": drafts,
            "closed_reason": closed_reason,
            "steps": _steps("applicant"),
        },
    )


# --- ② the form ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply_form(request: HttpRequest, number: str) -> HttpResponse:
    try:
        application = _editable_case(request, number)
    except _NotEditable as exc:
        return _to_case_page(request, exc.application)
    fields = _snapshot(application).get("form_fields") or []
    if request.method == "POST":
        save_only = "save" in request.POST
        form = build_form(fields, data=request.POST, partial=save_only)
        if form.is_valid():
            try:
                services.application_update_form(
                    actor=request.user, application=application, form=form.cleaned_data
                )
            except PermitsError as exc:
                add_service_errors(form, exc)
            else:
                if save_only:
                    messages.success(request, _("Draft saved."))
                    return redirect("portal:apply_form", number=application.number)
                return redirect("portal:apply_materials", number=application.number)
    else:
        form = build_form(fields, stored=open_form_data(application.form_data))
    return render(
        request,
        "portal/cases/apply_form.html",
        {"application": application, "form": form, "steps": _steps("form", application)},
    )


# --- ③ materials -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply_materials(request: HttpRequest, number: str) -> HttpResponse:
    try:
        application = _editable_case(request, number)
    except _NotEditable as exc:
        return _to_case_page(request, exc.application)
    upload_errors: dict[int, list[str]] = {}
    if request.method == "POST":
        form = MaterialUploadForm(request.POST, request.FILES)
        if form.is_valid():
            replaced = _material_to_replace(request, application, form.cleaned_data["requirement"])
            try:
                if replaced is not None:
                    # One service, one transaction: the new file is in and the old one
                    # flagged deleted (never erased), or neither.
                    material = services.material_replace(
                        actor=request.user,
                        material=replaced,
                        uploaded_file=form.cleaned_data["file"],
                    )
                else:
                    material = services.material_upload(
                        actor=request.user,
                        application=application,
                        requirement_id=form.cleaned_data["requirement"],
                        uploaded_file=form.cleaned_data["file"],
                    )
            except PermitsError as exc:
                upload_errors[form.cleaned_data["requirement"]] = [_error_message(exc)]
            else:
                messages.success(
                    request,
                    _("Uploaded %(name)s.") % {"name": material.original_name},
                )
                return redirect(
                    reverse("portal:apply_materials", args=[application.number])
                    + f"#requirement-{form.cleaned_data['requirement']}"
                )
        else:
            requirement = form.data.get("requirement", "")
            key = int(requirement) if _is_id(requirement) else 0
            upload_errors[key] = [str(e) for errors in form.errors.values() for e in errors]
    return _render_materials(request, application, upload_errors=upload_errors)


def _is_id(value: Any) -> bool:
    """Plain ASCII digits only: ``"²".isdigit()`` is True but ``int("²")`` raises (a 500)."""
    value = str(value)
    return value.isascii() and value.isdigit()


def _material_to_replace(request: HttpRequest, application: Any, requirement_id: int) -> Any:
    raw = request.POST.get("replace", "")
    if not _is_id(raw):
        return None
    material = _get_material(request, application, int(raw))
    return material if material.requirement_id == requirement_id else None


def _open_notice(application: Any) -> Any:
    if hasattr(application, "open_notice"):
        return application.open_notice
    return application.supplement_notices.filter(answered_at__isnull=True).first()


def _render_materials(
    request: HttpRequest, application: Any, *, upload_errors: dict[int, list[str]]
) -> HttpResponse:
    notice = _open_notice(application)
    rows = presenters.requirement_rows(
        _snapshot(application),
        application.materials.current().order_by("uploaded_at", "pk"),
        notice_requests=notice.requests if notice else (),
    )
    for row in rows:
        row.errors = upload_errors.get(row.id, [])
    status = 400 if upload_errors else 200
    return render(
        request,
        "portal/cases/apply_materials.html",
        {
            "application": application,
            "rows": rows,
            "notice": notice,
            "notice_rows": presenters.notice_rows(
                notice,
                _snapshot(application),
                application.participations.select_related("department") if notice else (),
            ),
            "general_errors": upload_errors.get(0, []),
            "steps": _steps("materials", application),
        },
        status=status,
    )


@login_required
@require_POST
def material_delete(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    try:
        application = _editable_case(request, number)
    except _NotEditable as exc:
        return _to_case_page(request, exc.application)
    material = _get_material(request, application, material_id)
    try:
        services.material_delete(actor=request.user, material=material)
    except PermitsError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": material.original_name})
    return redirect("portal:apply_materials", number=application.number)


@login_required
@xframe_options_sameorigin
def material_file(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    """Download (or, with ``?inline=1``, preview) one material of a case the user may see."""
    application = _get_case(request, number)
    material = _get_material(request, application, material_id)
    personal_data.material_downloaded(request, application, material)
    return file_response(
        name=material.file.name,
        display_name=material.original_name,
        file_type=presenters.material_type(material),
        inline=request.GET.get("inline") == "1",
        storage=material.file.storage,
    )


# --- ④ review and declaration, ⑤ done ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply_review(request: HttpRequest, number: str) -> HttpResponse:
    try:
        application = _editable_case(request, number)
    except _NotEditable as exc:
        return _to_case_page(request, exc.application)
    snapshot = _snapshot(application)
    form = DeclarationForm(_posted(request))
    form_errors: dict[str, list[str]] = {}
    missing: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(actor=request.user, application=application)
        except MissingMaterials as exc:
            missing = list(exc.missing)
            form.add_error(None, _error_message(exc))
        except FormDataInvalid as exc:
            form_errors = exc.errors
            form.add_error(None, _error_message(exc))
        except PermitsError as exc:
            form.add_error(None, _error_message(exc))
        else:
            return redirect("portal:apply_done", number=application.number)
    rows = presenters.requirement_rows(
        snapshot, application.materials.current().order_by("uploaded_at", "pk")
    )
    notice = _open_notice(application)
    return render(
        request,
        "portal/cases/apply_review.html",
        {
            "application": application,
            "form": form,
            "form_rows": personal_data.form_rows(request, application),
            "form_errors": form_errors,
            "rows": rows,
            "missing_key": [r for r in rows if r.is_key and r.missing] or missing,
            "notice": notice,
            "notice_rows": presenters.notice_rows(
                notice,
                snapshot,
                application.participations.select_related("department") if notice else (),
            ),
            "steps": _steps("review", application),
        },
        status=400 if form.errors else 200,
    )


@login_required
def apply_done(request: HttpRequest, number: str) -> HttpResponse:
    application = _get_case(request, number)
    if application.status == ApplicationStatus.DRAFT:
        return redirect("portal:apply_review", number=application.number)
    # The acceptance limit the task was given, not a fixed "5 working days" (issue 14 item 4).
    acceptance = (
        CaseTask.objects.filter(application=application, kind=TaskKind.ACCEPTANCE)
        .order_by("-pk")
        .values_list("due_at", flat=True)
        .first()
    )
    return render(
        request,
        "portal/cases/apply_done.html",
        {
            "application": application,
            "steps": _steps("done", application),
            "acceptance_days": version_spec(application.item_version).acceptance_days,
            "acceptance_due": acceptance,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    application = _get_case(request, number)
    if not _may_withdraw(request, application):
        messages.info(request, _("This application can no longer be withdrawn."))
        return redirect("portal:case_detail", number=application.number)
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except PermitsError as exc:
            form.add_error(None, _error_message(exc))
        else:
            messages.success(
                request, _("Application %(number)s withdrawn.") % {"number": application.number}
            )
            return redirect("portal:case_detail", number=application.number)
    return render(
        request,
        "portal/cases/withdraw.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


# --- 我的办件 (my cases) ----------------------------------------------------------------------


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, statuses=list(ApplicationStatus.choices))
    filters: dict[str, Any] = {}
    if form.is_valid() and form.cleaned_data.get("status"):
        filters["status"] = form.cleaned_data["status"]
    cases = selectors.application_list_for_user(user=request.user, filters=filters).select_related(
        "applicant_person", "applicant_enterprise"
    )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    rows = [
        {
            "application": application,
            "tone": presenters.STATUS_TONE.get(application.status, "grey"),
            "departments": presenters.department_rows(application.participations.all()),
            "subject": presenters.case_subject(application),
        }
        for application in page.object_list
    ]
    return render(
        request,
        "portal/cases/my_cases.html",
        {
            "form": form,
            "rows": rows,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One case: status, the per-department progress, the one-time notice of a supplement,
    the timeline, the result (certificate or the notice with reasons and remedies)."""
    application = _get_case(request, number, detail=True)
    snapshot = _snapshot(application)
    notice = _open_notice(application)
    certificate = (
        getattr(application, "certificate", None)
        if application.status in ("approved", "closed")
        else None
    )
    return render(
        request,
        "portal/cases/case_detail.html",
        {
            "application": application,
            "tone": presenters.STATUS_TONE.get(application.status, "grey"),
            "departments": presenters.department_rows(application.participation_rows),
            "form_rows": personal_data.form_rows(request, application),
            "rows": presenters.requirement_rows(
                snapshot,
                application.material_rows,
                notice_requests=notice.requests if notice else (),
            ),
            "notice": notice,
            "notice_rows": presenters.notice_rows(notice, snapshot, application.participation_rows),
            "events": [
                {"event": e, "label": presenters.event_label(e.action)}
                for e in application.event_rows
                if e.action not in INTERNAL_EVENTS
            ],
            "inspections": list(application.tasks.filter(kind="inspection").order_by("pk")),
            "certificate": certificate,
            "collection": presenters.collection(application, certificate),
            "may_edit": application.is_editable and _may_edit(request, application),
            "may_withdraw": _may_withdraw(request, application),
            "documents": documents_for_page(request.user, application),
            # Staff reading the case: the clock page (pause, extend) when it offers them
            # something (issue 14 item 12).
            "may_use_clock": may_use_clock(
                request.user, application, application.participation_rows
            ),
        },
    )
