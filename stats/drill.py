"""The drill-down from a figure to the cases behind it, and the names the figures' ids stand
for (read from the case facts and the catalogue; no personal data)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from departments.models import Department, Region
from permits.models import ServiceItem

from .db import reporting_alias
from .figures import Scope
from .models import CONCLUDED, CaseFact

# --- Drill-down to the cases -----------------------------------------------------------------

DRILLS = {
    "concluded": Q(outcome__in=CONCLUDED),
    "late": Q(outcome__in=CONCLUDED, on_time=False),
    "supplemented": Q(outcome__in=CONCLUDED, supplemented=True),
    "special": Q(outcome__in=CONCLUDED, special_days__gt=0),
    "instant": Q(outcome__in=CONCLUDED, instant=True),
    "online": Q(outcome__in=CONCLUDED, online_completed=True),
    "parallel": Q(outcome__in=CONCLUDED, parallel_sum_days__isnull=False),
}


def drill_cases(scope: Scope, *, start: date, end: date, what: str, limit: int = 500):
    """The concluded cases behind a figure (the case facts, newest first; no personal data:
    number, item, department, dates and times). ``what``: one of ``DRILLS``."""
    condition = DRILLS.get(what, DRILLS["concluded"])
    qs = scope.apply(
        CaseFact.objects.using(reporting_alias()).filter(
            condition, concluded_on__gte=start, concluded_on__lte=end
        )
    )
    return list(qs.order_by("-concluded_at", "-application_id")[:limit])


def names(*, department_ids=(), region_ids=(), item_ids=()) -> dict[str, dict[int, str]]:
    """Names for the ids the figures are keyed by (three small queries; None and 0 are no id)."""
    alias = reporting_alias()

    def ids(values) -> list[int]:
        return sorted({v for v in values if v})

    return {
        "department": dict(
            Department.objects.using(alias)
            .filter(pk__in=ids(department_ids))
            .values_list("pk", "name")
        ),
        "region": dict(
            Region.objects.using(alias).filter(pk__in=ids(region_ids)).values_list("pk", "name")
        ),
        "item": dict(
            ServiceItem.objects.using(alias).filter(pk__in=ids(item_ids)).values_list("pk", "name")
        ),
    }
