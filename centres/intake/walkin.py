"""Walk-in intake pages (前台综合受理): the clerk finds the item, enters the applicant and the
item's form for them, uploads the materials and marks the originals checked, submits, and —
where they may — accepts on the spot (with tolerated materials under the applicant's
commitment). Every write is the same ``workflow.services`` call the API's ``"channel":
"window"`` path makes, so the case is the same case an online one is.

A called queue ticket may lead here (``?ticket=A017``, linked from the queue desk): it is carried
along and shown, and the case entered is recorded on the ticket (``queue.ticket_link_case``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from centres.selectors import intake_quick_items
from centres.services import queue
from onestop.forms import add_service_errors
from permits import selectors as permits_selectors
from permits.exceptions import NotFound, PermitsError
from permits.formspec import FormDataInvalid, build_form
from permits.models import ApplicationStatus, Channel, ServiceItem
from workflow import access, selectors, services
from workflow.documents.services import documents_for_page
from workflow.models import CaseTask, TaskKind, TaskStatus
from workflow.spec import version_spec
from workflow.tolerance.services import missing_required

from .forms import ItemSearchForm, WalkInApplicantForm, WindowAcceptForm


def _clerk_only(request: HttpRequest) -> None:
    if not access.can_enter_cases(request.user):
        raise Http404


def _ticket(request: HttpRequest) -> str:
    return (request.GET.get("ticket") or request.POST.get("ticket") or "").strip()[:20]


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Find the item the applicant came for."""
    _clerk_only(request)
    form = ItemSearchForm(request.GET or None)
    items = []
    if form.is_valid() and form.cleaned_data["q"]:
        items = list(permits_selectors.item_search(search=form.cleaned_data["q"])[:20])
    return render(
        request,
        "centres/intake/start.html",
        {
            "form": form,
            "items": items,
            "ticket": _ticket(request),
            "quick_items": []
            if items
            else intake_quick_items(user=request.user, now=timezone.now()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, code: str) -> HttpResponse:
    """Enter the applicant and fill the item's form for them: creates the window draft."""
    _clerk_only(request)
    try:
        item = permits_selectors.item_get_visible(code=code)
    except ServiceItem.DoesNotExist as exc:
        raise Http404 from exc
    fields = (item.current_version.snapshot or {}).get("form_fields") or []
    post = request.POST if request.method == "POST" else None
    applicant_form = WalkInApplicantForm(post)
    form = build_form(fields, data=post, prefix="form")
    status = 200
    if post is not None:
        if applicant_form.is_valid() and form.is_valid():
            try:
                app = services.application_create(
                    actor=request.user,
                    item=item,
                    form=form.cleaned_data,
                    channel=Channel.WINDOW,
                    applicant=applicant_form.applicant(),
                )
            except FormDataInvalid as exc:
                add_service_errors(form, exc)
            except PermitsError as exc:
                add_service_errors(applicant_form, exc)
            else:
                url = reverse("centres:intake:case", args=[app.number])
                ticket = _ticket(request)
                if ticket and queue.ticket_link_case(
                    code=ticket, actor=request.user, application=app
                ):
                    messages.info(
                        request,
                        _("Ticket %(ticket)s is recorded with case %(number)s.")
                        % {"ticket": ticket, "number": app.number},
                    )
                return redirect(f"{url}?ticket={ticket}" if ticket else url)
        status = 400
    return render(
        request,
        "centres/intake/new.html",
        {"item": item, "applicant_form": applicant_form, "form": form, "ticket": _ticket(request)},
        status=status,
    )


def _acceptance_task(app) -> CaseTask | None:
    return CaseTask.objects.filter(
        application=app,
        kind=TaskKind.ACCEPTANCE,
        status__in=[TaskStatus.OPEN, TaskStatus.ASSIGNED],
    ).first()


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, number: str) -> HttpResponse:
    """Materials (upload, original checked), then submit and — where the clerk may — accept at
    the window in the same request; at the end the printable notices."""
    _clerk_only(request)
    try:
        app = selectors.application_get_for_user(user=request.user, number=number, detail=False)
    except NotFound as exc:
        raise Http404 from exc
    spec = version_spec(app.item_version)
    tolerable = [(str(m.id), m.name) for m in spec.materials if m.tolerable]
    accept_form = WindowAcceptForm(
        request.POST if request.POST.get("action") == "submit" else None, tolerable=tolerable
    )
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "upload":
                material = services.material_upload(
                    actor=request.user,
                    application=app,
                    requirement_id=request.POST.get("requirement"),
                    uploaded_file=request.FILES.get("file"),
                )
                if request.POST.get("original_checked"):
                    services.material_original_checked(actor=request.user, material=material)
                return redirect(request.get_full_path())
            if action == "original":
                material = app.materials.current().get(pk=int(request.POST.get("material", 0)))
                services.material_original_checked(actor=request.user, material=material)
                return redirect(request.get_full_path())
            if action == "submit" and accept_form.is_valid():
                return _submit(request, app, accept_form)
        except PermitsError as exc:
            errors.append(str(exc.message))
            for name, messages_ in (exc.fields or {}).items():
                for message in messages_ if isinstance(messages_, list) else [messages_]:
                    errors.append(
                        f"{message}" if name in ("tolerated", "materials") else f"{name}: {message}"
                    )
        except (ValueError, app.materials.model.DoesNotExist):
            errors.append(_("No such material."))
        app.refresh_from_db()
    task = _acceptance_task(app)
    return render(
        request,
        "centres/intake/case.html",
        {
            "application": app,
            "requirements": _requirement_rows(app, spec),
            "missing": missing_required(app),
            "accept_form": accept_form,
            "may_accept": app.status == ApplicationStatus.DRAFT
            or (task is not None and access.can_act_on_task(request.user, task)),
            "errors": errors,
            "documents": documents_for_page(request.user, app),
            "ticket": _ticket(request),
        },
        status=400 if errors else 200,
    )


def _requirement_rows(app, spec) -> list[dict]:
    current = list(app.materials.current().order_by("uploaded_at"))
    return [
        {
            "spec": m,
            "materials": [x for x in current if x.requirement_id == m.id],
        }
        for m in spec.materials
        if not m.generated_online
    ]


def _submit(request: HttpRequest, app, accept_form: WindowAcceptForm) -> HttpResponse:
    """Submit; then accept at once where the clerk may (same request: a refused acceptance
    leaves the case submitted, for the lead department to accept)."""
    if app.status == ApplicationStatus.DRAFT:
        services.application_submit(actor=request.user, application=app)
    app.refresh_from_db()
    task = _acceptance_task(app)
    accepted = False
    if (
        accept_form.cleaned_data.get("accept")
        and task
        and access.can_act_on_task(request.user, task)
    ):
        services.task_complete(
            task=task, actor=request.user, decision="approve", **accept_form.payload()
        )
        accepted = True
    messages.success(
        request,
        _("Accepted at the window: %(number)s.") % {"number": app.number}
        if accepted
        else _("Submitted: %(number)s waits for the lead department's acceptance.")
        % {"number": app.number},
    )
    return redirect("centres:intake:case", number=app.number)
