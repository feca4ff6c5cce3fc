"""The public pages of the case app: the progress query (进度查询) and certificate verification
(证照核验). No login; masked data only; the query is throttled like the API's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from permits import selectors as permits_selectors
from portal.cases import presenters
from portal.cases.forms import TrackForm, VerifyForm
from portal.cases.views import _posted
from workflow.tracking import TrackThrottle, track_lookup


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """进度查询: the number and the last four characters of the ID number (or the query code of
    an anonymous case). Masked data only; throttled like the API's track endpoint."""
    form = TrackForm(_posted(request))
    result = None
    status = 200
    if request.method == "POST":
        # The API's throttle: one counter per client for the page and the API together.
        if not TrackThrottle().allow_request(request, None):
            form.add_error(None, _("Too many queries. Please wait a minute and try again."))
            status = 429
        elif form.is_valid():
            found = track_lookup(
                number=form.cleaned_data["number"],
                id_last4=form.cleaned_data["id_last4"] or None,
                query_code=form.cleaned_data["query_code"] or None,
            )
            result = found.application
            if found.retry_after:
                form.add_error(
                    None,
                    _(
                        "Too many wrong check values for this number. Please try again in "
                        "%(minutes)s minute(s)."
                    )
                    % {"minutes": max(1, -(-found.retry_after // 60))},
                )
                status = 429
            elif result is None:
                form.add_error(
                    None,
                    _(
                        "No application matches this number and check value. Please check "
                        "both and try again."
                    ),
                )
                status = 404
        else:
            status = 400
    return render(
        request,
        "portal/cases/track.html",
        {
            "form": form,
            "result": result,
            "departments": (
                presenters.department_rows(result.participations.all()) if result else []
            ),
            "tone": presenters.STATUS_TONE.get(result.status, "grey") if result else "grey",
        },
        status=status,
    )


def verify(request: HttpRequest) -> HttpResponse:
    """证照核验: whether a certificate number with its verification code is genuine and valid."""
    form = VerifyForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = permits_selectors.certificate_verify(
            number=form.cleaned_data["number"], code=form.cleaned_data["code"]
        )
    return render(
        request,
        "portal/cases/verify.html",
        {"form": form, "result": result, "checked": form.is_bound and form.is_valid()},
    )
