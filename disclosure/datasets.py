"""The published open datasets (docs/open-data.md): what each one is, its columns and where its
rows come from. ``opendata`` turns a dataset into its JSON document and CSV file; the pages,
the downloads and ``GET /api/v1/open-data/`` all list ``DATASETS``.

Every producer reads the reporting database (``onestop.reporting``) in one or two queries
whatever the amount of data, and selects only the public columns below: aggregates per
department, item or month, and the 办件公示 list whose person applicants are never even read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure import publication
from onestop.reporting import reporting_alias

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@dataclass(frozen=True)
class Period:
    """[start, end) and how it is written: months ("YYYY-MM") or days ("YYYY-MM-DD")."""

    start: dt.datetime
    end: dt.datetime
    first: str
    last: str

    @property
    def iso(self) -> str:
        """ISO 8601 interval of the first and last month or day included ("2026-01/2026-12")."""
        return f"{self.first}/{self.last}"


def months_period(months: int = 12) -> Period:
    start, end = publication.recent_months(months)
    return Period(start, end, f"{start:%Y-%m}", f"{publication.add_months(end, -1):%Y-%m}")


def cases_period(_months: int = 12) -> Period:
    """办件公示 covers the last ``DISCLOSURE_CASES_DAYS`` days, whatever ``months`` says."""
    end = timezone.localtime(timezone.now(), publication.LOCAL)
    start = end - dt.timedelta(days=settings.DISCLOSURE_CASES_DAYS)
    return Period(start, end, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any  # lazy text
    description: Any
    columns: tuple[tuple[str, Any], ...]  # (column, meaning)
    rows: Callable[[Period], list[dict[str, Any]]]
    period: Callable[[int], Period] = months_period
    monthly: bool = True  # ?months=N applies

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _meaning in self.columns)

    @property
    def schema_file(self) -> Path:
        return SCHEMA_DIR / f"{self.name}.schema.json"


# --- producers -------------------------------------------------------------------------------


def department_monthly_rows(period: Period) -> list[dict[str, Any]]:
    rows = publication.department_month_figures(start=period.start, end=period.end)
    return [
        {
            "month": r.month,
            "region_code": r.region_code,
            "department_code": r.department_code,
            "department_name": r.department_name,
            "completed": r.completed,
            "approved": r.approved,
            "denied": r.denied,
            "on_time": r.on_time,
            "on_time_share": r.on_time_share,
        }
        for r in rows
    ]


ITEM_COUNTERS = (
    "applications",
    "accepted",
    "not_accepted",
    "supplements",
    "approved",
    "denied",
    "withdrawn",
    "terminated",
)


def item_monthly_rows(period: Period) -> list[dict[str, Any]]:
    """Per service item and month of the event, the statistics' daily counters summed (one
    grouped query on ``stats.DailyFigure``) and the items' codes and lead departments (one
    query). Process-centred matters are left out, as everywhere in 办件公示."""
    from permits.choices import ServiceModel
    from permits.models import ServiceItem
    from stats.models import DailyFigure

    alias = reporting_alias()
    sums = (
        DailyFigure.objects.using(alias)
        .filter(day__gte=period.start.date(), day__lt=period.end.date(), item_id__gt=0)
        .exclude(service_model=ServiceModel.PROCESS_CENTRED)
        .annotate(month=TruncMonth("day"))
        .values("month", "item_id")
        .annotate(**{c: Sum(c) for c in ITEM_COUNTERS})
        .order_by()
    )
    sums = list(sums)
    items = {
        row["pk"]: row
        for row in ServiceItem.objects.using(alias)
        .filter(pk__in=sorted({r["item_id"] for r in sums}))
        .values("pk", "code", "name", "lead_department__code", "lead_department__name")
    }
    out = []
    for row in sums:
        item = items.get(row["item_id"])
        if item is None:
            continue
        out.append(
            {
                "month": f"{row['month']:%Y-%m}",
                "item_code": item["code"],
                "item_name": item["name"],
                "department_code": item["lead_department__code"] or "",
                "department_name": item["lead_department__name"] or "",
                **{c: row[c] or 0 for c in ITEM_COUNTERS},
            }
        )
    out.sort(key=lambda r: r["item_code"])
    out.sort(key=lambda r: r["month"], reverse=True)  # newest month first, items by code
    return out


def cases_rows(period: Period) -> list[dict[str, Any]]:
    return [
        {
            "number": c.number,
            "item_name": c.item,
            "department_name": c.department,
            "result": c.result,
            "submitted_on": c.submitted_on.isoformat() if c.submitted_on else None,
            "decided_on": c.decided_on.isoformat(),
            "applicant_kind": c.applicant_kind,
            "applicant_name": c.applicant if c.applicant_kind == "enterprise" else "",
        }
        for c in publication.completed_cases()
    ]


def ratings_monthly_rows(period: Period) -> list[dict[str, Any]]:
    from evaluations.figures import department_months

    rows = department_months(
        start=period.start.date(),
        end=(period.end - dt.timedelta(days=1)).date(),
        using=reporting_alias(),
    )
    return [
        {
            "month": f"{m.month:%Y-%m}",
            "region_code": m.region_code,
            "department_code": m.department_code,
            "department_name": m.department_name,
            "ratings": m.total,
            "level_5": m.by_level[5],
            "level_4": m.by_level[4],
            "level_3": m.by_level[3],
            "level_2": m.by_level[2],
            "level_1": m.by_level[1],
            "satisfaction_rate": m.satisfaction_rate,
            "average_score": m.average_score,
            "bad": m.bad,
            "bad_rectified_on_time": m.bad_rectified_on_time,
            "rectified_on_time_share": m.on_time_share,
        }
        for m in rows
    ]


# --- the registry ----------------------------------------------------------------------------

_MONTH = ("month", _("Month, YYYY-MM (Beijing time)"))
_REGION = ("region_code", _("Division code (GB/T 2260) of the department's region"))
_DEPT_CODE = ("department_code", _("The department's code in the platform"))
_DEPT_NAME = ("department_name", _("The department's official name"))

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            name="department-monthly",
            title=_("Cases completed per department and month"),
            description=_(
                "One row per lead department and calendar month of the decision: cases "
                "completed, approved, denied, decided on time and the on-time share. "
                "Complaints, petitions and hotline requests are not counted."
            ),
            columns=(
                _MONTH,
                _REGION,
                _DEPT_CODE,
                _DEPT_NAME,
                ("completed", _("Cases decided in the month")),
                ("approved", _("Of which approved")),
                ("denied", _("Of which denied")),
                ("on_time", _("Of which decided by the promised due")),
                ("on_time_share", _("on_time / completed in percent (empty when none)")),
            ),
            rows=department_monthly_rows,
        ),
        Dataset(
            name="item-monthly",
            title=_("Case figures per service item and month"),
            description=_(
                "One row per service item and month: applications, accepted, not accepted, "
                "supplements requested, approved, denied, withdrawn and terminated, counted "
                "from the case events on the day they happened. Complaints, petitions and "
                "hotline requests are not counted."
            ),
            columns=(
                _MONTH,
                ("item_code", _("The service item's code in the catalogue")),
                ("item_name", _("The service item's name")),
                ("department_code", _("The item's lead department: code")),
                ("department_name", _("The item's lead department: name")),
                ("applications", _("Applications submitted")),
                ("accepted", _("Accepted")),
                ("not_accepted", _("Not accepted")),
                ("supplements", _("Supplements requested (补正)")),
                ("approved", _("Approved")),
                ("denied", _("Denied")),
                ("withdrawn", _("Withdrawn by the applicant")),
                ("terminated", _("Terminated")),
            ),
            rows=item_monthly_rows,
        ),
        Dataset(
            name="cases",
            title=_("Recently completed cases (办件公示)"),
            description=_(
                "The cases decided in the last days, newest first, as on the case publication "
                "page: number, item, department, result and dates. A person applicant is never "
                "named; an enterprise by its registered name."
            ),
            columns=(
                ("number", _("The case number")),
                ("item_name", _("The service item")),
                ("department_name", _("The lead department")),
                ("result", _("approved or denied")),
                ("submitted_on", _("Date submitted (Beijing time)")),
                ("decided_on", _("Date decided (Beijing time)")),
                ("applicant_kind", _("person or enterprise")),
                ("applicant_name", _("The enterprise's registered name; empty for a person")),
            ),
            rows=cases_rows,
            period=cases_period,
            monthly=False,
        ),
        Dataset(
            name="ratings-monthly",
            title=_("Ratings (好差评) per department and month"),
            description=_(
                "One row per answerable department and month of the rating: ratings by level, "
                "satisfaction rate, average score, 差评 and those rectified on time. System "
                "defaults and ratings set aside on appeal are not counted."
            ),
            columns=(
                _MONTH,
                _REGION,
                _DEPT_CODE,
                _DEPT_NAME,
                ("ratings", _("Ratings made in the month")),
                ("level_5", _("Very satisfied (5)")),
                ("level_4", _("Satisfied (4)")),
                ("level_3", _("Basically satisfied (3)")),
                ("level_2", _("Unsatisfied (2)")),
                ("level_1", _("Very unsatisfied (1)")),
                ("satisfaction_rate", _("Levels 3 to 5 over all ratings, in percent")),
                ("average_score", _("Average score out of 10 (level × 2)")),
                ("bad", _("差评: levels 1 and 2")),
                ("bad_rectified_on_time", _("Of which rectified on time")),
                ("rectified_on_time_share", _("bad_rectified_on_time / bad in percent")),
            ),
            rows=ratings_monthly_rows,
        ),
    )
}
