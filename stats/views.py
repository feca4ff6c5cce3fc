"""The statistics pages under ``/office/statistics/`` (heads, supervisors, superusers: who may
open them and what they see is ``workflow.access``'s answer): the board (figures, trends, the
divisions, the parallel-licensing gain, the ranking), the 绩效评估 scorecard, the drill-down to
the cases; every table exports as CSV or xlsx (``?export=<table>&format=csv|xlsx``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop import tabular
from onestop.inputpolicy import BadQueryParameter, query_int
from workflow import access, personal_data

from . import drill, feed, figures, scorecard
from .figures import Figures, Scope
from .tables import Table, figures_table, group_table, month_label

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
ITEMS_SHOWN = 30


@dataclass
class Filters:
    start: date
    end: date
    department_id: int | None
    region_id: int | None
    item_id: int | None

    def query(self) -> str:
        parts = [f"start={self.start:%Y-%m-%d}", f"end={self.end:%Y-%m-%d}"]
        for name, value in (
            ("department", self.department_id),
            ("region", self.region_id),
            ("item", self.item_id),
        ):
            if value:
                parts.append(f"{name}={value}")
        return "&".join(parts)


def _require(request: HttpRequest) -> None:
    if not access.can_supervise(request.user):
        raise PermissionDenied


def _date(request: HttpRequest, name: str, default: date) -> date:
    try:
        value = date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default
    if not FIRST_DAY <= value <= LAST_DAY:
        raise BadQueryParameter(name)
    return value


def _filters(request: HttpRequest) -> Filters:
    today = timezone.localdate()
    end = _date(request, "end", today)
    start = _date(request, "start", end.replace(day=1))
    if start > end:
        start, end = end, start
    return Filters(
        start=start,
        end=end,
        department_id=query_int(request.GET, "department", minimum=0) or None,
        region_id=query_int(request.GET, "region", minimum=0) or None,
        item_id=query_int(request.GET, "item", minimum=0) or None,
    )


def _scope(request: HttpRequest, filters: Filters) -> Scope:
    return Scope.for_user(
        request.user,
        department_id=filters.department_id,
        region_id=filters.region_id,
        item_id=filters.item_id,
    )


def _export(request: HttpRequest, table: Table, stem: str) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise BadQueryParameter("format")
    name = f"statistics-{table.key}-{stem}.{fmt}"
    personal_data.exported(request, what=name)
    if fmt == "xlsx":
        body = tabular.write_xlsx(table.rows, table.header, title=table.key)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = tabular.write_csv(table.rows, table.header)
        kind = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pick(request: HttpRequest, tables: list[Table], stem: str) -> HttpResponse | None:
    wanted = request.GET.get("export")
    if not wanted:
        return None
    for table in tables:
        if table.key == wanted:
            return _export(request, table, stem)
    raise Http404


def _months_back(end: date, n: int = 12) -> date:
    year, month = end.year, end.month - (n - 1)
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _chart(table: Table, *, label_col: int = 0, series: list[tuple[str, int]]) -> dict[str, Any]:
    """The data a chart draws: its labels and series, read from the table shown beside it."""
    return {
        "labels": [str(r[label_col]) for r in table.rows],
        "series": [
            {"name": table.header[col], "data": [r[col] for r in table.rows]}
            for _name, col in series
        ],
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _require(request)
    filters = _filters(request)
    scope = _scope(request, filters)
    start, end = filters.start, filters.end
    grouped = figures.compute_many(scope, start=start, end=end)
    overall = grouped[None].get(None) or Figures()
    by_department, by_region, by_item = grouped["department"], grouped["region"], grouped["item"]
    trend_start = _months_back(end)
    by_month = figures.compute(scope, start=trend_start, end=end, by="month")
    names = drill.names(department_ids=by_department, region_ids=by_region, item_ids=by_item)

    def groups(data: dict, kind: str, limit: int | None = None):
        rows = [(pk, names[kind].get(pk, "—"), fig) for pk, fig in data.items() if pk is not None]
        rows.sort(key=lambda r: (-r[2].volumes["applications"], r[1]))
        return rows[:limit] if limit else rows

    months = []
    current = trend_start
    while current <= end:
        months.append((current, month_label(current), by_month.get(current) or Figures()))
        current = (current + timedelta(days=32)).replace(day=1)
    tables = [
        figures_table(overall),
        group_table("months", _("Month by month"), _("Month"), months),
        group_table(
            "departments",
            _("By department"),
            _("Department"),
            groups(by_department, "department"),
            "department",
        ),
        group_table(
            "regions", _("By division"), _("Division"), groups(by_region, "region"), "region"
        ),
        group_table(
            "items",
            _("By item (the most applied for)"),
            _("Item"),
            groups(by_item, "item", ITEMS_SHOWN),
            "item",
        ),
        _parallel_table(groups(by_department, "department")),
    ]
    ranked, indicators = scorecard.scorecard(
        request.user, by="department", year=end.year, month=end.month, scope=scope
    )
    ranking = scorecard_table(ranked, indicators, key="ranking")
    tables.append(ranking)
    exported = _pick(request, tables, f"{start:%Y%m%d}-{end:%Y%m%d}")
    if exported is not None:
        return exported
    by_key = {t.key: t for t in tables}
    charts = {
        "trend": _chart(by_key["months"], series=[("applications", 1), ("online", 2)]),
        "divisions": [
            {"name": row[0], "applications": row[1], "on_time": row[17]}
            for row in by_key["regions"].rows
        ],
        "parallel": _chart(by_key["parallel"], series=[("elapsed", 2), ("own", 3)]),
        "ranking": _chart(ranking, label_col=1, series=[("total", 2)]),
    }
    return render(
        request,
        "stats/board.html",
        {
            "filters": filters,
            "query": filters.query(),
            "overall": overall,
            "tables": by_key,
            "charts": charts,
            "department_choices": _department_choices(request.user),
            "fed": feed.fed_up_to(),
        },
    )


def _department_choices(user) -> list[tuple[int, str]]:
    from workflow.deadlines.supervision import department_choices

    return department_choices(user)


def _parallel_table(groups) -> Table:
    table = Table(
        "parallel",
        _("Parallel licensing: elapsed against the departments' own times"),
        [
            _("Lead department"),
            _("Parallel cases"),
            _("Elapsed (working days)"),
            _("Own times summed (working days)"),
            _("Saved %"),
        ],
    )
    for pk, name, fig in groups:
        if fig.parallel_cases:
            table.rows.append(
                [
                    name,
                    fig.parallel_cases,
                    fig.parallel_elapsed_sum,
                    fig.parallel_own_sum,
                    fig.parallel_gain,
                ]
            )
            table.links.append(f"department={pk}")
    return table


def scorecard_table(rows, indicators, *, key: str = "scorecard") -> Table:
    table = Table(
        key,
        _("Scorecard (绩效评估)"),
        [
            _("Rank"),
            _("Name"),
            _("Total"),
            *(f"{ind.get_indicator_display()} ×{ind.weight}" for ind in indicators),
        ],
    )
    for row in rows:
        table.rows.append([row.rank, row.name, row.total, *(s.score for s in row.scores)])
        table.links.append("")
    return table


@login_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    _require(request)
    today = timezone.localdate()
    year = query_int(request.GET, "year", minimum=2000) or today.year
    if year > 2100:
        raise BadQueryParameter("year")
    period = request.GET.get("period", "month")
    if period not in ("month", "year"):
        raise BadQueryParameter("period")
    month = None
    if period == "month":
        month = query_int(request.GET, "month", minimum=1) or today.month
        if month > 12:
            raise BadQueryParameter("month")
    by = request.GET.get("by", "department")
    if by not in ("department", "region"):
        raise BadQueryParameter("by")
    rows, indicators = scorecard.scorecard(request.user, by=by, year=year, month=month)
    table = scorecard_table(rows, indicators)
    detail = Table(
        "values",
        _("The figures behind the scores"),
        [_("Name"), *(str(ind.get_indicator_display()) for ind in indicators)],
    )
    for row in rows:
        detail.rows.append([row.name, *(s.value for s in row.scores)])
        detail.links.append("")
    stem = f"{year}-{month:02d}" if month else str(year)
    exported = _pick(request, [table, detail], f"{by}-{stem}")
    if exported is not None:
        return exported
    return render(
        request,
        "stats/scorecard.html",
        {
            "rows": rows,
            "indicators": indicators,
            "table": table,
            "detail": detail,
            "chart": _chart(table, label_col=1, series=[("total", 2)]),
            "year": year,
            "month": month,
            "period": period,
            "by": by,
            "months": range(1, 13),
            "query": f"period={period}&year={year}&by={by}" + (f"&month={month}" if month else ""),
            "weight_total": sum(ind.weight for ind in indicators),
            "red_card_points": scorecard.RED_CARD_POINTS,
        },
    )


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    _require(request)
    filters = _filters(request)
    what = request.GET.get("what", "concluded")
    if what not in drill.DRILLS:
        raise BadQueryParameter("what")
    facts = drill.drill_cases(
        _scope(request, filters), start=filters.start, end=filters.end, what=what
    )
    names = drill.names(
        department_ids=[c.department_id for c in facts], item_ids=[c.item_id for c in facts]
    )
    table = Table(
        "cases",
        _("The cases behind the figure"),
        [
            _("Application"),
            _("Item"),
            _("Department"),
            _("Channel"),
            _("Outcome"),
            _("Concluded on"),
            _("Handling (working days)"),
            _("Supplement days"),
            _("Special procedure days"),
            _("On time"),
        ],
    )
    for c in facts:
        table.rows.append(
            [
                c.number,
                names["item"].get(c.item_id, "—"),
                names["department"].get(c.department_id, "—"),
                c.channel,
                c.get_outcome_display(),
                c.concluded_on,
                c.handling_days,
                c.supplement_days,
                c.special_days,
                "" if c.on_time is None else (_("Yes") if c.on_time else _("No")),
            ]
        )
        table.links.append(c.number)
    exported = _pick(request, [table], f"{what}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}")
    if exported is not None:
        return exported
    return render(
        request,
        "stats/cases.html",
        {
            "filters": filters,
            "query": filters.query() + f"&what={what}",
            "table": table,
            "what": what,
            "limit": len(facts),
        },
    )
