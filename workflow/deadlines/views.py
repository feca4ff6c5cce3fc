"""Back-office pages of the deadlines: the work calendar (administrators) and the supervision
board (heads and supervisors)."""

from __future__ import annotations

import calendar as pycal
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.inputpolicy import BadQueryParameter, query_int
from workflow.access import is_admin
from workflow.deadlines import calendar as work_calendar
from workflow.deadlines.forms import CalendarDayForm, CalendarYearForm
from workflow.models import CalendarDay, CalendarDayKind, CalendarYear


def _year_param(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    return year


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """An object id from the POST body: None when absent, and 404 (as for an unknown id) when
    it is not a plain number, so "abc" or "²" cannot reach ``int()`` and answer 500."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        from workflow.access import not_found

        not_found()
    return int(raw)


def _require_admin(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('deadlines:calendar')}?year={year}")


@login_required
def calendar_year(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    year = _year_param(request)
    rows = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    by_date = {row.date: row for row in rows}
    arrangement = work_calendar.year_arrangement(year)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for d in week:
                row = by_date.get(d)
                cells.append(
                    {
                        "date": d,
                        "in_month": d.month == month,
                        "working": arrangement.is_working_day(d) if d.year == year else None,
                        "kind": row.kind if row else "",
                        "name": row.name if row else "",
                    }
                )
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    marker = CalendarYear.objects.filter(year=year).first()
    known = work_calendar.known_package_years()
    return render(
        request,
        "workflow/calendar.html",
        {
            "year": year,
            "weekday_names": [WEEKDAYS_ABBR[i] for i in range(7)],
            "rows": rows,
            "months": months,
            "marker": marker,
            "complete": bool(marker and marker.complete),
            "seedable": year in known,
            "day_form": CalendarDayForm(initial={"date": date(year, 1, 1)}),
            "year_form": CalendarYearForm(initial={"note": marker.note if marker else ""}),
            "holiday_count": sum(1 for r in rows if r.kind == CalendarDayKind.HOLIDAY),
            "workday_count": sum(1 for r in rows if r.kind == CalendarDayKind.ADJUSTED_WORKDAY),
            "working_days": sum(
                1
                for m in range(1, 13)
                for d in range(1, pycal.monthrange(year, m)[1] + 1)
                if arrangement.is_working_day(date(year, m, d))
            ),
        },
    )


@login_required
@require_POST
def calendar_day_add(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = CalendarDayForm(request.POST)
    year = _year_param(request)
    if form.is_valid():
        day = form.cleaned_data["date"]
        work_calendar.calendar_day_set(
            actor=request.user,
            day=day,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
        )
        messages.success(request, _("%(date)s saved.") % {"date": day.isoformat()})
        return _back(day.year)
    messages.error(request, _("Please enter a valid date and kind."))
    return _back(year)


@login_required
@require_POST
def calendar_day_remove(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    year = _year_param(request)
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("Please enter a valid date and kind."))
        return _back(year)
    if work_calendar.calendar_day_remove(actor=request.user, day=day):
        messages.success(request, _("%(date)s removed.") % {"date": day.isoformat()})
    return _back(day.year)


@login_required
@require_POST
def calendar_year_mark(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    year = _year_param(request)
    form = CalendarYearForm(request.POST)
    form.is_valid()
    complete = bool(form.cleaned_data.get("complete"))
    work_calendar.calendar_year_mark(
        actor=request.user, year=year, complete=complete, note=form.cleaned_data.get("note", "")
    )
    if complete:
        messages.success(
            request, _("The %(year)s arrangement is marked complete.") % {"year": year}
        )
    else:
        messages.warning(
            request, _("The %(year)s arrangement is marked incomplete.") % {"year": year}
        )
    return _back(year)


@login_required
@require_POST
def calendar_year_seed(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    year = _year_param(request)
    result = work_calendar.calendar_seed(years=[year])
    messages.success(
        request,
        _("%(count)s day(s) entered from the national arrangement.") % {"count": result.created},
    )
    return _back(year)


# --- Supervision board (电子监察) --------------------------------------------------------------


BOARD_FIRST_DAY = date(2000, 1, 1)
BOARD_LAST_DAY = date(2100, 12, 31)


def _board_filters(request: HttpRequest):
    from datetime import timedelta

    from workflow.deadlines.supervision import WARNING_FILTERS, BoardFilters, department_choices

    today = timezone.localdate()

    def parse(name: str, default: date) -> date:
        # Unreadable dates fall back to the default; readable ones far outside the board's
        # years answer 400 (date.min minus a day, or date.max plus one, raised: a 500).
        try:
            value = date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return default
        if not BOARD_FIRST_DAY <= value <= BOARD_LAST_DAY:
            raise BadQueryParameter(name)
        return value

    end = parse("end", today)
    start = parse("start", end - timedelta(days=29))
    if start > end:
        start, end = end, start

    def as_int(name: str) -> int | None:
        # Plain digits within the id columns' range; anything else answers 400.
        return query_int(request.GET, name, minimum=0) or None

    allowed = {pk for pk, _name in department_choices(request.user)}
    department_id = as_int("department")
    if department_id not in allowed:
        department_id = None
    warning = request.GET.get("warning", "")
    if warning not in WARNING_FILTERS:
        warning = ""
    return BoardFilters(
        start=start,
        end=end,
        department_id=department_id,
        item_id=as_int("item"),
        warning=warning,
    )


@login_required
def supervision_board(request: HttpRequest) -> HttpResponse:
    from workflow.deadlines import supervision

    if not supervision.can_supervise(request.user):
        raise PermissionDenied
    filters = _board_filters(request)
    export = request.GET.get("export")
    if export in ("overdue", "departments", "items"):
        return _board_csv(request, filters, export)
    from workflow.deadlines.board import render_panels

    return render(
        request,
        "workflow/supervision.html",
        {
            "filters": filters,
            "departments": supervision.department_choices(request.user),
            "panels": render_panels(request, filters),
        },
    )


def _holder(task) -> str:
    if task.assignee is None:
        return _("Unclaimed")
    return task.assignee.get_full_name() or task.assignee.get_username()


def _board_csv(request: HttpRequest, filters, export: str) -> HttpResponse:
    import csv

    from workflow import personal_data
    from workflow.deadlines import supervision

    personal_data.exported(request, what=f"supervision-{export}-{filters.start}-{filters.end}.csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="supervision-{export}-{filters.start}-{filters.end}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    writer = csv.writer(response)
    if export == "overdue":
        writer.writerow(
            [
                _("Application"),
                _("Item"),
                _("Department"),
                _("Task"),
                _("Held by"),
                _("Due"),
                _("Warning"),
            ]
        )
        for task in supervision.overdue_tasks(request.user, filters, limit=10000):
            writer.writerow(
                [
                    task.application.number,
                    task.item.name,
                    task.department.name,
                    task.get_kind_display(),
                    _holder(task),
                    timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
                    if task.due_at
                    else "",
                    task.get_warning_display(),
                ]
            )
    else:
        by = "department" if export == "departments" else "item"
        writer.writerow(
            [
                _("Department") if by == "department" else _("Item"),
                _("Tasks completed"),
                _("Cases handled"),
                _("Cases concluded"),
                _("On time"),
                _("On-time rate (%)"),
                _("Average handling time (days)"),
                _("Red cards"),
            ]
        )
        for row in supervision.performance(request.user, filters, by=by):
            writer.writerow(
                [
                    row["name"],
                    row["done"],
                    row["cases"],
                    row["concluded"],
                    row["on_time"],
                    row["on_time_rate"],
                    row["avg_days"],
                    "" if row["red_cards"] is None else row["red_cards"],
                ]
            )
    return response


# --- A case's clocks: special procedures and extensions (staff) ------------------------------


def _case_for_clock(request: HttpRequest, number: str):
    from permits.models import Application
    from workflow.access import can_view_application, is_staff_member, not_found

    application = (
        Application.objects.select_related("item", "lead_department")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if (
        application is None
        or not is_staff_member(request.user)
        or not can_view_application(request.user, application)
    ):
        not_found()
    return application


@login_required
def case_clock(request: HttpRequest, number: str) -> HttpResponse:
    """The clocks of one case: due dates, pauses and extensions, and the forms to start or end
    a special procedure (第四十五条) and to record an extension (第四十二条)."""
    from permits.models import ApplicationDepartment
    from workflow.deadlines.clock_page import clock_offer
    from workflow.models import (
        ACTIVE_TASK_STATUSES,
        SPECIAL_PROCEDURES,
        CaseTask,
        ClockExtension,
        ClockPause,
        PauseReason,
    )

    application = _case_for_clock(request, number)
    tasks = list(
        CaseTask.objects.filter(application=application, status__in=ACTIVE_TASK_STATUSES)
        .select_related("department", "assignee")
        .order_by("pk")
    )
    participations = list(
        ApplicationDepartment.objects.filter(application=application).select_related("department")
    )
    offer = clock_offer(request.user, application, tasks=tasks, participations=participations)
    return render(
        request,
        "workflow/case_clock.html",
        {
            "application": application,
            "tasks": tasks,
            "actionable": offer.actionable,
            "participations": participations,
            "head_of": offer.head_of,
            "lead_head": offer.lead_head,
            "procedures": [
                (v, PauseReason(v).label) for v in PauseReason.values if v in SPECIAL_PROCEDURES
            ],
            "pauses": list(
                ClockPause.objects.filter(application=application).order_by("-started_at")
            ),
            "extensions": list(
                ClockExtension.objects.filter(application=application)
                .select_related("approved_by", "participation__department")
                .order_by("created_at")
            ),
        },
    )


def _clock_act(request: HttpRequest, number: str, act) -> HttpResponse:
    from workflow.deadlines.clocks import ClockError

    application = _case_for_clock(request, number)
    try:
        act(application)
    except ClockError as exc:
        if exc.code == "not_found":
            from workflow.access import not_found

            not_found()
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("deadlines:case_clock", number=application.number)


@login_required
@require_POST
def case_clock_pause(request: HttpRequest, number: str) -> HttpResponse:
    from workflow.deadlines import clocks

    def act(application):
        ids = [int(v) for v in request.POST.getlist("tasks") if v.isascii() and v.isdigit()]
        clocks.clock_pause_special(
            actor=request.user,
            application=application,
            procedure=request.POST.get("procedure", ""),
            tasks=ids or None,
            note=request.POST.get("note", "")[:300],
        )

    return _clock_act(request, number, act)


@login_required
@require_POST
def case_clock_resume(request: HttpRequest, number: str) -> HttpResponse:
    from workflow.deadlines import clocks
    from workflow.deadlines.clocks import ClockError
    from workflow.models import ClockPause

    def act(application):
        pause = ClockPause.objects.filter(
            pk=_posted_id(request, "pause") or 0, application=application, whole_case=False
        ).first()
        if pause is None:
            raise ClockError(_("Not found."), code="not_found")
        clocks.clock_resume_special(
            actor=request.user, pause=pause, note=request.POST.get("note", "")[:300]
        )

    return _clock_act(request, number, act)


@login_required
@require_POST
def case_clock_extend(request: HttpRequest, number: str) -> HttpResponse:
    from workflow.deadlines import clocks

    def act(application):
        clocks.clock_extend(
            actor=request.user,
            application=application,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            participation=_posted_id(request, "participation"),
            approver_title=request.POST.get("approver_title", ""),
        )

    return _clock_act(request, number, act)
