"""办件公示: the public list of recently completed cases and the per-department monthly figures.

On the reporting database (``onestop.reporting``), each in ONE query whatever the number of
cases: the list from the case rows (``permits.Application``, the latest decisions through the
``app_published`` index), the figures from their read model (``DepartmentMonthFigure``, kept
by ``disclosure.month_figures``). Nothing personal leaves here: the queries select only the
columns below, so a person applicant's name and ID number are never even read; for an
enterprise its registered name is public information and is shown. Process-centred cases
(complaints, petitions, hotline requests) are not published.

``department_month_figures`` is the one function the monthly figures come from (the page and
the open data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from disclosure.models import DepartmentMonthFigure
from onestop.reporting import reporting_alias
from permits.models import Application, Decision, ServiceModel

LOCAL = ZoneInfo(settings.TIME_ZONE)


def published(cases):
    """The published decisions among ``cases`` (a queryset of Application): approved or denied
    with a decision time, not anonymous, not process-centred. The one rule the list, the figures'
    read model (``disclosure.month_figures``, whose SQL states the same) and its tests share."""
    return cases.filter(
        decision__in=(Decision.APPROVED, Decision.DENIED),
        decided_at__isnull=False,
        anonymous=False,
    ).exclude(item__service_model=ServiceModel.PROCESS_CENTRED)


def _published_cases(using: str):
    return published(Application.objects.using(using))


@dataclass(frozen=True)
class PublishedCase:
    number: str
    item: str
    department: str
    result: str  # "approved" / "denied"
    submitted_on: dt.date | None
    decided_on: dt.date
    applicant: str  # the enterprise's name; "" for a person (nothing personal is shown)
    applicant_kind: str  # "enterprise" / "person"

    @property
    def result_label(self) -> str:
        return str(Decision(self.result).label)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment, LOCAL).date() if moment else None


def completed_cases(
    *, limit: int | None = None, days: int | None = None, using: str | None = None
) -> list[PublishedCase]:
    """The latest decided cases (newest first), at most ``limit``, decided in the last ``days``."""
    limit = limit or settings.DISCLOSURE_CASES_SHOWN
    days = days or settings.DISCLOSURE_CASES_DAYS
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        _published_cases(using or reporting_alias())
        .filter(decided_at__gte=since)
        .order_by("-decided_at", "-pk")
        .values(
            "number",
            "item__name",
            "lead_department__name",
            "decision",
            "submitted_at",
            "decided_at",
            "applicant_enterprise__name",
            "applicant_enterprise_id",
        )[:limit]
    )
    return [
        PublishedCase(
            number=row["number"],
            item=row["item__name"],
            department=row["lead_department__name"] or "",
            result=row["decision"],
            submitted_on=_local_date(row["submitted_at"]),
            decided_on=_local_date(row["decided_at"]),
            applicant=row["applicant_enterprise__name"] or "",
            applicant_kind="enterprise" if row["applicant_enterprise_id"] else "person",
        )
        for row in rows
    ]


@dataclass(frozen=True)
class DepartmentMonth:
    month: str  # "YYYY-MM"
    region_code: str
    department_code: str
    department_name: str
    completed: int
    approved: int
    denied: int
    on_time: int

    @property
    def on_time_share(self) -> float | None:
        """Percent of the completed cases decided by their promised due, one decimal."""
        return round(100 * self.on_time / self.completed, 1) if self.completed else None


def month_start(year: int, month: int) -> dt.datetime:
    return dt.datetime(year, month, 1, tzinfo=LOCAL)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def department_month_figures(
    *, start: dt.datetime, end: dt.datetime, using: str | None = None
) -> list[DepartmentMonth]:
    """Per lead department and month (Asia/Shanghai) of decision, the months starting in
    [start, end) (the pages pass month boundaries): cases completed, approved, denied and
    decided on time (by the promised due; a case without a due counts as on time, as on the
    supervision board). Read from the read model ``DepartmentMonthFigure``
    (``disclosure.month_figures``), one query whatever the number of cases; newest month
    first, departments by code."""
    rows = (
        DepartmentMonthFigure.objects.using(using or reporting_alias())
        .filter(month__gte=_local_day(start), month__lt=_local_day(end), completed__gt=0)
        .order_by("-month", "department__code", "department_id")
        .values(
            "month",
            "department__code",
            "department__name",
            "department__region__code",
            "completed",
            "approved",
            "denied",
            "on_time",
        )
    )
    return [
        DepartmentMonth(
            month=f"{row['month']:%Y-%m}",
            region_code=row["department__region__code"] or "",
            department_code=row["department__code"] or "",
            department_name=row["department__name"] or "",
            completed=row["completed"],
            approved=row["approved"],
            denied=row["denied"],
            on_time=row["on_time"],
        )
        for row in rows
    ]


def _local_day(moment: dt.datetime) -> dt.date:
    """The first local day from ``moment`` on (a month row counts when its first day does)."""
    local = timezone.localtime(moment, LOCAL) if timezone.is_aware(moment) else moment
    day = local.date()
    return day if local.time() == dt.time.min else day + dt.timedelta(days=1)


def recent_months(months: int = 12, *, now: dt.datetime | None = None):
    """[start, end) of the last ``months`` calendar months, this one included."""
    now = timezone.localtime(now or timezone.now(), LOCAL)
    end = add_months(month_start(now.year, now.month), 1)
    return add_months(end, -months), end
