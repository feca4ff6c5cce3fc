"""The back office's pages of the exceptional grants (under ``/office/``, namespace ``grants``):

* ``cases/<number>/`` — a case read-only, for staff who may see it (how a colleague a case was
  shared with reads it); for a head of a participating department, its shares and the form to
  share it;
* ``shared/`` — the cases shared with me;
* ``delegations/`` — for heads: their departments' delegations and the form to delegate; for
  everyone: the delegations they act under.

Thin views: a form validates, one service or selector acts; foreign cases answer 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from permits.exceptions import PermitsError
from permits.uploads import file_response
from workflow import access, personal_data, selectors
from workflow.deadlines.clock_page import may_use_clock
from workflow.exceptions import NotFound
from workflow.grants import selectors as grant_selectors
from workflow.grants import services
from workflow.grants.models import CaseShare


class _StyledForm(forms.Form):
    """The site's form controls (Bootstrap classes, a short textarea that fits a phone) and no
    half-width colon after each label."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css} mb-2".strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs.update(rows=3, cols=20)


class ShareForm(_StyledForm):
    user = forms.CharField(
        label=gettext_lazy("Staff member (user name)"),
        max_length=150,
        help_text=gettext_lazy("A staff member of another department."),
    )
    until = forms.DateField(
        label=gettext_lazy("Until (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=gettext_lazy("What to give an opinion on"), widget=forms.Textarea)


class DelegationForm(_StyledForm):
    department = forms.ChoiceField(label=gettext_lazy("Department"))
    from_user = forms.CharField(label=gettext_lazy("Absent member (user name)"), max_length=150)
    to_user = forms.CharField(label=gettext_lazy("Colleague (user name)"), max_length=150)
    until = forms.DateField(
        label=gettext_lazy("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(str(d.pk), d.name) for d in departments]


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        access.not_found()


def _user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _application(request: HttpRequest, number: str, *, detail: bool = False):
    _staff_only(request)
    try:
        return selectors.application_get_for_user(user=request.user, number=number, detail=detail)
    except NotFound as exc:
        raise Http404 from exc


def _fail(request: HttpRequest, exc: PermitsError) -> None:
    messages.error(request, str(exc.message))
    for name, errors in (exc.fields or {}).items():
        for error in errors if isinstance(errors, list) else [errors]:
            messages.error(request, f"{name}: {error}")


@login_required
def case_page(request: HttpRequest, number: str, share_form: ShareForm | None = None):
    application = _application(request, number, detail=True)
    may_share = access.can_share_application(request.user, application)
    shares = (
        list(grant_selectors.shares_of_application(user=request.user, application=application))
        if may_share
        else []
    )
    return render(
        request,
        "workflow/grants/case.html",
        {
            "application": application,
            "form_rows": personal_data.form_rows(request, application),
            "materials": application.material_rows,
            "participations": application.participation_rows,
            "events": application.event_rows,
            "may_share": may_share,
            "shares": shares,
            "share_form": share_form or (ShareForm() if may_share else None),
            # The clock page (pause, extend) when it offers this reader something (issue 14
            # item 12): a head of a department taking part, or who may act on an open task.
            "may_use_clock": may_use_clock(
                request.user, application, application.participation_rows
            ),
        },
        status=400 if share_form is not None else 200,
    )


@login_required
def case_material_file(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    _staff_only(request)
    try:
        material = selectors.material_get_for_user(
            user=request.user, number=number, material_id=material_id
        )
    except NotFound as exc:
        raise Http404 from exc
    personal_data.material_downloaded(request, material.application, material)
    name = material.stored_name or material.file.name
    return file_response(
        name=material.file.name,
        display_name=material.original_name,
        file_type=name.rsplit(".", 1)[-1].lower(),
        inline=request.GET.get("inline") == "1",
        storage=material.file.storage,
    )


@login_required
@require_POST
def case_share(request: HttpRequest, number: str) -> HttpResponse:
    application = _application(request, number)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return case_page(request, number, share_form=form)
    v = form.cleaned_data
    try:
        services.case_share_grant(
            actor=request.user,
            application=application,
            user=_user(v["user"]),
            note=v["note"],
            until=v["until"],
        )
    except PermitsError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The case is shared."))
    return redirect("grants:case", number=application.number)


@login_required
@require_POST
def case_share_end(request: HttpRequest, number: str, share_id: int) -> HttpResponse:
    application = _application(request, number)
    share = CaseShare.objects.filter(pk=share_id, application=application).first()
    if share is None:
        raise Http404
    try:
        services.case_share_end(actor=request.user, share=share)
    except PermitsError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The share has ended."))
    return redirect("grants:case", number=application.number)


@login_required
def shared_with_me(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    ids = sorted(access.shared_application_ids(request.user))
    shares = (
        CaseShare.objects.active(today=timezone.localdate())
        .filter(user_id=request.user.pk, application_id__in=ids)
        .select_related("application__item", "department", "granted_by")
        .order_by("-granted_at")
    )
    return render(request, "workflow/grants/shared.html", {"shares": shares})


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    headed = grant_selectors.headed_departments(request.user)
    form = None
    status = 200
    if headed:
        form = DelegationForm(request.POST or None, departments=headed)
        if request.method == "POST":
            if form.is_valid():
                v = form.cleaned_data
                department = next(d for d in headed if str(d.pk) == v["department"])
                try:
                    services.delegation_grant(
                        actor=request.user,
                        department=department,
                        from_user=_user(v["from_user"]),
                        to_user=_user(v["to_user"]),
                        until=v["until"],
                        note=v["note"],
                    )
                except PermitsError as exc:
                    _fail(request, exc)
                else:
                    messages.success(request, _("The tasks are delegated."))
                    return redirect("grants:delegations")
            status = 400
    elif request.method == "POST":
        access.not_found()
    return render(
        request,
        "workflow/grants/delegations.html",
        {
            "form": form,
            "department_rows": grant_selectors.delegation_list_for_user(
                user=request.user, scope="department"
            ),
            "held_rows": grant_selectors.delegation_list_for_user(user=request.user, scope="held"),
            "mine_rows": grant_selectors.delegation_list_for_user(user=request.user, scope="mine"),
        },
        status=status,
    )


@login_required
@require_POST
def delegation_end(request: HttpRequest, delegation_id: int) -> HttpResponse:
    _staff_only(request)
    try:
        d = grant_selectors.delegation_get_for_user(user=request.user, delegation_id=delegation_id)
    except NotFound as exc:
        raise Http404 from exc
    try:
        services.delegation_end(actor=request.user, delegation=d)
    except PermitsError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The delegation has ended."))
    return redirect("grants:delegations")
