"""The 12345 operator's intake page for a call (``/office/hotline/``): find the caller's earlier
cases by phone number (masked), link a repeated call to an open one (重复件合并), or enter the
call as a new case and register it at once. Keyboard first: the phone field has the focus,
Enter searches, every control is reachable with Tab and has an access key."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from onestop.errors import DomainError
from onestop.pii import unseal
from permits.choices import RequestKind, Urgency
from permits.models import ServiceItem, ServiceModel
from permits.validators import mask_phone
from workflow import access, selectors, services
from workflow.exceptions import NotFound
from workflow.intake import services as intake
from workflow.intake.phones import normalise_phone


class CallForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Callback number"), max_length=20)
    called_at = forms.DateTimeField(label=gettext_lazy("Call time"))
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Urgency.choices)
    item = forms.ChoiceField(label=gettext_lazy("Service item"))
    request_kind = forms.ChoiceField(
        label=gettext_lazy("Request kind"), choices=RequestKind.choices
    )
    said = forms.CharField(label=gettext_lazy("What the caller said"), widget=forms.Textarea)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.code, i.name) for i in items]


class LinkForm(forms.Form):
    number = forms.CharField(max_length=20)
    phone = forms.CharField(max_length=20)
    urgency = forms.ChoiceField(choices=Urgency.choices, required=False)
    note = forms.CharField(required=False, max_length=2000)


def _operator(request: HttpRequest) -> None:
    if not access.can_enter_cases(request.user):
        raise PermissionDenied


def _items():
    return list(
        ServiceItem.objects.accepting()
        .filter(service_model=ServiceModel.PROCESS_CENTRED)
        .order_by("code")
    )


def _said_field(item: ServiceItem) -> str | None:
    """The item's form field that takes what the caller said: its first long-text field, else
    its first text field."""
    fields = (item.current_version.snapshot or {}).get("form_fields") or []
    for wanted in ("textarea", "text"):
        for field in fields:
            if field.get("type") == wanted:
                return field["name"]
    return None


def _earlier(request: HttpRequest, phone: str) -> list[dict]:
    if not phone:
        return []
    rows = selectors.application_list_for_user(user=request.user, filters={"caller_phone": phone})[
        :20
    ]
    return [
        {
            "app": app,
            "phone": mask_phone(unseal((app.caller or {}).get("phone", "")) or phone),
            "open": app.status in intake.OPEN_STATUSES,
            "calls": intake.repeated_calls(app),
        }
        for app in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def hotline_intake(request: HttpRequest) -> HttpResponse:
    _operator(request)
    items = _items()
    phone = normalise_phone(request.GET.get("phone") or request.POST.get("phone"))
    if request.method == "POST":
        form = CallForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            item = next(i for i in items if i.code == data["item"])
            field = _said_field(item)
            caller = {
                "phone": data["phone"],
                "called_at": data["called_at"].isoformat(),
                "urgency": data["urgency"],
                "note": data["said"],
            }
            try:
                app = services.application_create(
                    actor=request.user,
                    item=item,
                    form={field: data["said"]} if field else {},
                    channel="hotline",
                    caller=caller,
                    request_kind=data["request_kind"],
                )
                services.application_submit(actor=request.user, application=app)
            except DomainError as exc:
                form.add_error(None, str(exc.message or _("The case could not be entered.")))
            else:
                messages.success(
                    request, _("Case %(number)s entered and registered.") % {"number": app.number}
                )
                return redirect(
                    f"{reverse('intake:hotline')}?phone={normalise_phone(data['phone'])}"
                )
    else:
        form = CallForm(
            items=items,
            initial={
                "phone": phone,
                "called_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                "urgency": Urgency.NORMAL,
                "request_kind": RequestKind.COMPLAINT,
            },
        )
    return render(
        request,
        "workflow/intake/hotline.html",
        {
            "form": form,
            "phone": phone,
            "earlier": _earlier(request, phone),
            # A caller rating their case by phone: the ratings app's page for operators.
            "phoned_ratings": access.can_record_phoned_ratings(request.user),
        },
    )


@login_required
@require_POST
def hotline_link(request: HttpRequest) -> HttpResponse:
    _operator(request)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The call could not be linked."))
        return redirect("intake:hotline")
    data = form.cleaned_data
    try:
        app = selectors.application_get_for_user(
            user=request.user, number=data["number"], detail=False
        )
        intake.call_link(
            actor=request.user,
            application=app,
            caller={"phone": data["phone"], "urgency": data.get("urgency") or "normal"},
            note=data.get("note", ""),
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message or _("The call could not be linked.")))
    else:
        messages.success(
            request, _("The call is linked to case %(number)s.") % {"number": app.number}
        )
    return redirect(f"{reverse('intake:hotline')}?phone={normalise_phone(data['phone'])}")
