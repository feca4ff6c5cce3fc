"""The citizen's rating pages (好差评): rate a case in the site (logged in), rate by the signed
SMS link (no login), answer on a 差评's fix, and the public results per department and city.
Thin: the services (``evaluations.services``, ``evaluations.handling``) decide."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from departments.models import Department
from evaluations import handling, services
from evaluations.choices import BAD_REASONS, Level
from evaluations.models import Rating
from evaluations.rating_forms import RatingForm
from onestop.errors import DomainError, Invalid, NotFound
from onestop.forms import add_service_errors
from permits.models import Application
from portal.ratings.forms import FixAnswerForm
from stats import ratings as rating_model
from workflow import access

STATUS_BY_CODE = {"not_found": 404, "expired": 410, "conflict": 409}


def _own_case(request: HttpRequest, number: str) -> Application:
    app = (
        Application.objects.select_related("item", "lead_department").filter(number=number).first()
    )
    if app is None or not access.can_rate(request.user, app):
        raise Http404
    return app


def _context(form, **extra) -> dict:
    return {"form": form, "bad_reasons": BAD_REASONS, "levels": list(Level), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_case(request, number)
    if not services.is_rateable(app):
        messages.info(request, _("This case cannot be rated now, or it has been rated already."))
        return redirect("portal:case_detail", number=app.number)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(
                actor=request.user,
                application=app,
                level=form.cleaned_data["level"],
                tags=form.tag_list(),
                comment=form.cleaned_data["comment"],
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("portal:case_detail", number=app.number)
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
            return redirect("portal:case_detail", number=app.number)
    return render(request, "portal/ratings/rate.html", _context(form, application=app))


@require_http_methods(["GET", "POST"])
def rate_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of the SMS link: no login; a forged, expired or used link says so plainly."""
    try:
        invitation = services.link_invitation(token)
    except DomainError as exc:
        return render(
            request,
            "portal/ratings/link_refused.html",
            {"message": exc.message, "code": exc.code},
            status=STATUS_BY_CODE.get(exc.code, 400),
        )
    visit = services.subject_summary(invitation)
    app = invitation.application if visit is None else None
    form = RatingForm(request.POST or None, onsite=invitation.subject_kind != "case")
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit_by_link(
                token=token,
                level=form.cleaned_data["level"],
                tags=form.tag_list(),
                comment=form.cleaned_data["comment"],
            )
            done = True
        except Invalid as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            return render(
                request,
                "portal/ratings/link_refused.html",
                {"message": exc.message, "code": exc.code},
                status=STATUS_BY_CODE.get(exc.code, 400),
            )
    return render(
        request,
        "portal/ratings/rate.html",
        _context(form, application=app, by_link=True, done=done, visit=visit),
    )


@login_required
@require_POST
def fix_answer(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_case(request, number)
    form = FixAnswerForm(request.POST)
    if form.is_valid():
        try:
            handling.fix_confirm(
                actor=request.user, application=app, answer=form.cleaned_data["answer"]
            )
            messages.success(request, _("Thank you: your answer on the fix was recorded."))
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return redirect("portal:case_detail", number=app.number)


def _period(request: HttpRequest) -> tuple[date, date, int]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2019), today.year)
    return date(year, 1, 1), date(year, 12, 31), year


def results(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """好差评结果公开: the city's figures, or one department's, month by month (public)."""
    start, end, year = _period(request)
    department = None
    if code is not None:
        department = get_object_or_404(Department, code=code)
    department_id = department.pk if department else None
    result = rating_model.published_figures(start=start, end=end, department_id=department_id)
    return render(
        request,
        "portal/ratings/results.html",
        {
            "figures": result,
            "department": department,
            "year": year,
            "years": list(range(timezone.localdate().year, 2019, -1)),
            # an EXISTS per department on the ratings' department index, not a join of all
            "departments": Department.objects.filter(
                Exists(Rating.objects.filter(department_id=OuterRef("pk")))
            )
            .order_by("code")
            .only("code", "name"),
        },
    )
