"""The back office's comment review (评价内容审核): heads and supervisors publish or refuse the
comments of the ratings they supervise (``evaluations.moderation``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.errors import DomainError, NotFound

from . import moderation


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
