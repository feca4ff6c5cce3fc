"""办件公示: the public list of recently completed cases and the per-department monthly figures.

Read from the case rows directly (``permits.Application``), on the reporting database
(``onestop.reporting``), each in ONE query whatever the number of cases. Nothing personal
leaves here: the queries select only the columns below, so a person applicant's name and ID
number are never even read; for an enterprise its registered name is public information and is
shown. Process-centred cases (complaints, petitions, hotline requests) are not published.

``department_month_figures`` is the one function the monthly figures come from, so it can later
read the statistics read models instead of the cases without touching the pages or open data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from onestop.reporting import reporting_alias
from permits.models import Application, Decision, ServiceModel

LOCAL = ZoneInfo(settings.TIME_ZONE)


def _published_cases(using: str):
    return (
        Application.objects.using(using)
        .filter(
            decision__in=(Decision.APPROVED, Decision.DENIED),
            decided_at__isnull=False,
            anonymous=False,
        )
        .exclude(item__service_model=ServiceModel.PROCESS_CENTRED)
    )


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
    """Per lead department and month (Asia/Shanghai) of decision, in [start, end): cases
    completed, approved, denied and decided on time (by the promised due; a case without a due
    counts as on time, as on the supervision board). One grouped query."""
    rows = (
        _published_cases(using or reporting_alias())
        .filter(decided_at__gte=start, decided_at__lt=end)
        .annotate(month=TruncMonth("decided_at", tzinfo=LOCAL))
        .values(
            "month",
            "lead_department__code",
            "lead_department__name",
            "lead_department__region__code",
        )
        .annotate(
            completed=Count("pk"),
            approved=Count("pk", filter=Q(decision=Decision.APPROVED)),
            denied=Count("pk", filter=Q(decision=Decision.DENIED)),
            on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(decided_at__lte=F("due_at"))),
        )
        .order_by("-month", "lead_department__code")
    )
    out = []
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = timezone.localtime(month, LOCAL) if timezone.is_aware(month) else month
        out.append(
            DepartmentMonth(
                month=f"{month:%Y-%m}",
                region_code=row["lead_department__region__code"] or "",
                department_code=row["lead_department__code"] or "",
                department_name=row["lead_department__name"] or "",
                completed=row["completed"],
                approved=row["approved"],
                denied=row["denied"],
                on_time=row["on_time"],
            )
        )
    return out


def recent_months(months: int = 12, *, now: dt.datetime | None = None):
    """[start, end) of the last ``months`` calendar months, this one included."""
    now = timezone.localtime(now or timezone.now(), LOCAL)
    end = add_months(month_start(now.year, now.month), 1)
    return add_months(end, -months), end
