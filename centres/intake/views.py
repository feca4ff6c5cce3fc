"""The clerk's hand-over page (统一窗口出件): who may hand the case over is
``workflow.access`` (through the service); a case the clerk may not see answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.forms import add_service_errors
from permits.exceptions import NotFound, PermitsError
from workflow import access, selectors, services
from workflow.documents.services import documents_for_page

from .forms import HandoverForm


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, number: str) -> HttpResponse:
    try:
        application = selectors.application_get_for_handover(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    if not access.can_hand_over(request.user, application):
        raise Http404
    form = HandoverForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.payload()
            method = data.pop("method")
            try:
                services.application_handover(
                    actor=request.user, application=application, method=method, **data
                )
            except PermitsError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Handed over: %(number)s is closed.") % {"number": number}
                )
                return redirect("centres:intake:handover", number=number)
        status = 400
    return render(
        request,
        "centres/intake/handover.html",
        {
            "application": application,
            "form": form,
            "may_hand_over": application.status in ("approved", "denied"),
            "documents": documents_for_page(request.user, application),
        },
        status=status,
    )
