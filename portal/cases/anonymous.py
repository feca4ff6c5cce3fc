"""The anonymous complaint page (匿名投诉): a process-centred item that allows it is filed with
its form only, no account; the query code is shown once on the answer page (never stored in
clear, never sent again) and the case is then followed on the tracking page (number + code)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from onestop.forms import add_service_errors
from permits.exceptions import PermitsError
from permits.formspec import build_form
from permits.models import ServiceItem, ServiceModel
from workflow.intake.services import anonymous_file


def _item(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.accepting()
        .select_related("current_version")
        .filter(code=code.upper(), service_model=ServiceModel.PROCESS_CENTRED)
        .first()
    )
    if item is None or item.current_version is None or not item.allows_anonymous:
        raise Http404
    return item


@never_cache
@require_http_methods(["GET", "POST"])
def anonymous_apply(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    fields = (item.current_version.snapshot or {}).get("form_fields") or []
    if request.method == "POST":
        form = build_form(fields, data=request.POST)
        if form.is_valid():
            try:
                app, query_code = anonymous_file(item=item, form=form.cleaned_data)
            except PermitsError as exc:
                add_service_errors(form, exc)
            else:
                return render(
                    request,
                    "portal/cases/anonymous_done.html",
                    {"item": item, "number": app.number, "query_code": query_code},
                )
    else:
        form = build_form(fields)
    return render(request, "portal/cases/anonymous_form.html", {"item": item, "form": form})
