"""The back office's page of window visits' 差评 (``/office/ratings/visits/``): heads of the
visit's department record the callback, then the fix or an appeal; supervisors of the region
read them and decide the appeals (``evaluations.visit_handling``). Anyone else: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.errors import DomainError, NotFound
from workflow import access

from . import visit_handling
from .choices import ALL_TAGS
from .moderation import mask_comment


def _error(exc: DomainError) -> str:
    parts = [str(m) for msgs in (getattr(exc, "fields", None) or {}).values() for m in msgs]
    return " ".join(parts) or str(exc.message)


def _row(r, user, now) -> dict:
    rating = r.rating
    staff = rating.staff
    data = rating.subject_data or {}
    return {
        "r": r,
        "rating": rating,
        "ticket": data.get("ticket") or "",
        "window": data.get("window") or "",
        "centre": data.get("centre_name") or "",
        "clerk": (staff.get_full_name() or staff.get_username()) if staff else "",
        "reasons": [str(ALL_TAGS.get(t, t)) for t in (rating.reasons or [])],
        "comment": mask_comment(rating.comment),  # phones and ID numbers masked
        "overdue": bool(r.due_at and r.due_at < now),
        "can_handle": access.can_handle_visit_rectification(user, r),
        "can_decide": access.can_decide_visit_appeal(user, r),
    }


@login_required
@require_http_methods(["GET", "POST"])
def visit_rectifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_see_visit_rectifications(user):
        raise Http404
    if request.method == "POST":
        post = request.POST
        try:
            rectification_id = int(post.get("rectification") or 0)
        except ValueError:
            rectification_id = 0
        step = post.get("step")
        try:
            if step == "callback":
                visit_handling.callback(actor=user, rectification_id=rectification_id, data=post)
                messages.success(request, _("The callback was recorded."))
            elif step == "fix":
                visit_handling.fix(actor=user, rectification_id=rectification_id, data=post)
                messages.success(request, _("The fix was recorded."))
            elif step == "appeal":
                visit_handling.appeal(actor=user, rectification_id=rectification_id, data=post)
                messages.success(request, _("The appeal was sent to the supervisors."))
            elif step == "decide":
                visit_handling.appeal_decide(
                    actor=user,
                    rectification_id=rectification_id,
                    decision=post.get("decision") or "",
                    opinion=post.get("opinion") or "",
                )
                messages.success(request, _("The appeal was decided."))
            else:
                raise Http404
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, _error(exc))
        return redirect("evaluations:visit_rectifications")
    now = timezone.now()
    rows = [
        _row(r, user, now)
        for r in visit_handling.visible_rectifications(user).filter(
            status__in=visit_handling.OPEN_STATUSES
        )[:100]
    ]
    return render(
        request,
        "evaluations/visit_rectifications.html",
        {"rows": rows, "today": timezone.localdate(now)},
    )
