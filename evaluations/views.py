"""The back office's comment review (评价内容审核): heads and supervisors publish or refuse the
comments of the ratings they supervise (``evaluations.moderation``)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.errors import DomainError, NotFound
from workflow import access

from . import export, moderation


@login_required
@require_http_methods(["GET", "POST"])
def moderation_queue(request: HttpRequest) -> HttpResponse:
    try:
        queue = moderation.moderation_queue(user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "POST":
        try:
            rating_id = int(request.POST.get("rating") or 0)
        except ValueError:
            rating_id = 0
        try:
            moderation.comment_review(
                actor=request.user,
                rating_id=rating_id,
                publish=request.POST.get("publish") == "1",
                text=request.POST.get("text"),
            )
            messages.success(request, _("The comment was reviewed."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("evaluations:moderation")
    rows = [
        {
            "rating": r,
            "masked": moderation.mask_comment(r.comment, names=moderation._staff_names(r)),
        }
        for r in queue[:50]
    ]
    return render(request, "evaluations/moderation.html", {"rows": rows})


@login_required
@require_http_methods(["GET"])
def ratings_download(request: HttpRequest) -> HttpResponse:
    """The board panel's download: the ratings of a period (cases and window visits) that the
    user supervises (heads: their departments; supervisors: their region), as CSV or xlsx, in
    the export's fields (personal data masked, cells neutralised against formula injection).
    ``?from=&to=`` (dates, at most a year), ``format=csv|xlsx``."""
    from audit.records import record as audit_record

    if not access.can_moderate_ratings(request.user):
        raise Http404
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        end = date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return HttpResponse(_("Give dates as YYYY-MM-DD."), status=400)
    if end < start or (end - start).days > 366:
        return HttpResponse(_("The period runs forwards and at most a year."), status=400)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    scope = access.rating_department_ids(request.user)
    data = export.spreadsheet(start, end, fmt=fmt, department_ids=scope)
    audit_record(
        "data",
        "ratings.download",
        request=request,
        detail={"from": start.isoformat(), "to": end.isoformat(), "format": fmt},
    )
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ratings-{start}-{end}.{fmt}"'
    return response
