"""The work calendar (工作日历) and the time-limit arithmetic of DESIGN.md §4.

Rules:
- A limit of N working days starts on the working day after the clock starts and ends at
  23:59:59 Asia/Shanghai on the Nth working day (行政许可法 第八十二条: working days, statutory
  holidays not counted). A limit of N calendar days counts every day, with the same rule: the
  day the clock starts is not counted and the limit ends at 23:59:59 on the Nth day.
- A day is a working day when it is Monday–Friday and not a holiday row, or when it is an
  adjusted working day row (调休). Rows always count; a year whose arrangement has not been
  entered (no complete ``CalendarYear``) therefore falls back to Monday–Friday.

Reads are cached per process, one year (one query for its rows) at a time, and dropped when a
calendar row is saved or deleted — in this process at once, in the others through a version
key in Django's cache, checked at most every ``CALENDAR_VERSION_CHECK_SECONDS``.
"""

from __future__ import annotations

import contextlib
import threading
import time as _time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from workflow.models import CalendarDay, CalendarDayKind, CalendarSource, CalendarYear

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"
# Urgent hotline and complaint cases: hours counted around the clock from the start (§4).
HOUR = "hour"
UNITS = (WORKING_DAY, CALENDAR_DAY, HOUR)

_VERSION_KEY = "workflow:calendar:version"


@dataclass(frozen=True)
class YearArrangement:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    complete: bool

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


class _Cache:
    """Per-process cache of year arrangements."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._years: dict[int, YearArrangement] = {}
        self._version: object = None
        self._checked_at = 0.0

    def clear(self) -> None:
        with self._lock:
            self._years.clear()
            self._checked_at = 0.0

    def _check_shared_version(self) -> None:
        interval = getattr(settings, "CALENDAR_VERSION_CHECK_SECONDS", 10)
        now = _time.monotonic()
        if now - self._checked_at < interval:
            return
        self._checked_at = now
        try:
            version = cache.get(_VERSION_KEY)
        except Exception:  # a cache outage must never stop the clocks
            return
        if version != self._version:
            self._years.clear()
            self._version = version

    def year(self, year: int) -> YearArrangement:
        with self._lock:
            self._check_shared_version()
            found = self._years.get(year)
        if found is not None:
            return found
        loaded = _load_year(year)
        with self._lock:
            self._years[year] = loaded
        return loaded


_cache = _Cache()


def _load_year(year: int) -> YearArrangement:
    rows = CalendarDay.objects.filter(
        date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
    ).values_list("date", "kind")
    holidays, workdays = set(), set()
    for d, kind in rows:
        (workdays if kind == CalendarDayKind.ADJUSTED_WORKDAY else holidays).add(d)
    complete = CalendarYear.objects.filter(year=year, complete=True).exists()
    return YearArrangement(year, frozenset(holidays), frozenset(workdays), complete)


def invalidate_local() -> None:
    """Drop this process's cached arrangements (tests call it between tests)."""
    _cache.clear()


def invalidate() -> None:
    """Drop the cached arrangements here and (after commit) in every other process."""
    _cache.clear()

    def _bump() -> None:
        _cache.clear()
        with contextlib.suppress(Exception):  # a cache outage must never stop a write
            cache.set(_VERSION_KEY, _time.time_ns(), None)

    transaction.on_commit(_bump)


def year_arrangement(year: int) -> YearArrangement:
    return _cache.year(year)


# --- Reads -----------------------------------------------------------------------------------


def local_date(moment: datetime | date) -> date:
    """The Asia/Shanghai calendar date of a moment (dates pass through)."""
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI).date()
    return moment


def end_of_day(d: date) -> datetime:
    """23:59:59 Asia/Shanghai on ``d``."""
    return datetime.combine(d, END_OF_DAY, tzinfo=SHANGHAI)


def is_working_day(d: date | datetime) -> bool:
    d = local_date(d)
    return year_arrangement(d.year).is_working_day(d)


def add_working_days(d: date, n: int) -> date:
    """The Nth working day after ``d`` (``d`` itself is not counted); ``n`` = 0 gives ``d``.
    A negative ``n`` counts back: the |n|th working day before ``d``."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = d
    arrangement = year_arrangement(current.year)
    while remaining:
        current += timedelta(days=step)
        if current.year != arrangement.year:
            arrangement = year_arrangement(current.year)
        if arrangement.is_working_day(current):
            remaining -= 1
    return current


def add_time_limit(*, start: datetime, days: int, unit: str = WORKING_DAY) -> datetime:
    """When a limit of ``days`` working or calendar days that starts at ``start`` ends:
    23:59:59 Asia/Shanghai on the Nth (working) day after the day of ``start``. With unit
    ``hour``, ``days`` counts hours: the limit ends that many hours after ``start``, nights,
    weekends and holidays included."""
    if unit not in UNITS:
        raise ValueError(f"unknown time limit unit {unit!r}")
    if days < 0:
        raise ValueError("a time limit cannot be negative")
    if unit == HOUR:
        return start + timedelta(hours=days)
    first = local_date(start)
    if unit == CALENDAR_DAY:
        return end_of_day(first + timedelta(days=days))
    return end_of_day(add_working_days(first, days))


def subtract_working_days(moment: datetime, days: int) -> datetime:
    """End of the day ``days`` working days before the day of ``moment``: the yellow threshold
    of a clock due at ``moment`` is ``subtract_working_days(due, 1)`` by default."""
    return end_of_day(add_working_days(local_date(moment), -days))


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days ``d`` with ``a < d <= b`` (by Asia/Shanghai date); negative when ``b`` is
    before ``a``."""
    start, end = local_date(a), local_date(b)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    arrangement = year_arrangement(current.year)
    while current < end:
        current += timedelta(days=1)
        if current.year != arrangement.year:
            arrangement = year_arrangement(current.year)
        if arrangement.is_working_day(current):
            count += 1
    return count


def working_days_used(*, start: datetime, now: datetime) -> int:
    """Whole working days of a clock already spent: those after the start day and before
    today. Used + left = the limit while the clock runs."""
    today = local_date(now)
    return max(0, working_days_between(start, today - timedelta(days=1)))


def working_days_left(*, due: datetime, now: datetime, start: datetime | None = None) -> int:
    """Working days left up to the due day, today included when it is a working day (1 on the
    last day); the day the clock started (``start``) is never one of them; at least 1 while the
    due has not passed. Once overdue: minus the working days since the due day (at least 1)."""
    today, due_day = local_date(now), local_date(due)
    if now > due:
        return -max(1, working_days_between(due_day, today))
    since = today - timedelta(days=1)
    if start is not None:
        since = max(since, local_date(start))
    # Not yet due: at least the rest of today is left, whatever the calendar says.
    return max(1, working_days_between(since, due_day))


def calendar_days_between(a: date | datetime, b: date | datetime) -> int:
    return (local_date(b) - local_date(a)).days


def days_between(a: datetime, b: datetime, unit: str) -> int:
    """Days of ``unit`` after the day of ``a`` up to the day of ``b``."""
    if unit == CALENDAR_DAY:
        return calendar_days_between(a, b)
    return working_days_between(a, b)


def missing_years(today: date | None = None) -> list[int]:
    """Years whose arrangement should be entered and is not: the current year, and from
    ``CALENDAR_NEXT_YEAR_WARNING_MONTH`` (default November) on, the next year too."""
    today = today or timezone.localdate()
    years = [today.year]
    if today.month >= getattr(settings, "CALENDAR_NEXT_YEAR_WARNING_MONTH", 11):
        years.append(today.year + 1)
    complete = set(
        CalendarYear.objects.filter(year__in=years, complete=True).values_list("year", flat=True)
    )
    return [y for y in years if y not in complete]


# --- Writes ----------------------------------------------------------------------------------


@dataclass
class SeedResult:
    years: list[int]
    created: int
    years_marked: int


def known_package_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def calendar_seed(*, years: Iterable[int] | None = None) -> SeedResult:
    """Enter the national arrangement from the ``chinese-calendar`` package for ``years``
    (default: every year it knows). Idempotent: days already in the table, including an
    administrator's, are left as they are, and a year already marked keeps its mark."""
    from chinese_calendar import constants

    known = set(known_package_years())
    wanted = sorted(known if years is None else set(years) & known)
    if not wanted:
        return SeedResult([], 0, 0)

    def chinese(english: str) -> str:
        try:
            return constants.Holiday(english).chinese
        except ValueError:
            return english

    rows: dict[date, CalendarDay] = {}
    for source, kind, suffix in (
        (constants.holidays, CalendarDayKind.HOLIDAY, ""),
        (constants.workdays, CalendarDayKind.ADJUSTED_WORKDAY, "调休上班"),
    ):
        for d, english in source.items():
            if d.year in wanted:
                rows[d] = CalendarDay(
                    date=d,
                    kind=kind,
                    name=f"{chinese(english)}{suffix}",
                    source=CalendarSource.SEEDED,
                )
    with transaction.atomic():
        existing = set(
            CalendarDay.objects.filter(date__in=list(rows)).values_list("date", flat=True)
        )
        new = [row for d, row in sorted(rows.items()) if d not in existing]
        CalendarDay.objects.bulk_create(new, ignore_conflicts=True)
        marked_years = set(
            CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True)
        )
        CalendarYear.objects.bulk_create(
            [
                CalendarYear(year=y, complete=True, source=CalendarSource.SEEDED)
                for y in wanted
                if y not in marked_years
            ],
            ignore_conflicts=True,
        )
        invalidate()
    return SeedResult(wanted, len(new), len([y for y in wanted if y not in marked_years]))


def calendar_day_set(*, actor, day: date, kind: str, name: str = "") -> CalendarDay:
    """Enter or change one day (an administrator's act)."""
    with transaction.atomic():
        row, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "source": CalendarSource.ADMIN}
        )
        CalendarYear.objects.get_or_create(year=day.year)
        invalidate()
    return row


def calendar_day_remove(*, actor, day: date) -> bool:
    with transaction.atomic():
        deleted, _ = CalendarDay.objects.filter(date=day).delete()
        invalidate()
    return bool(deleted)


def calendar_year_mark(*, actor, year: int, complete: bool, note: str = "") -> CalendarYear:
    """Mark a year's arrangement complete (or not): the banner and ``/readyz`` follow it."""
    with transaction.atomic():
        row, _ = CalendarYear.objects.get_or_create(year=year)
        row.complete = complete
        row.note = note or row.note
        row.completed_at = timezone.now() if complete else None
        row.completed_by = actor if complete and getattr(actor, "pk", None) else None
        row.save()
        invalidate()
    return row


def readiness() -> str | None:
    """``/readyz`` check "calendar": names the years whose holiday arrangement is missing. It
    reports and does not fail: the service keeps working (on Monday–Friday) meanwhile."""
    missing = missing_years()
    if not missing:
        return None
    return "holiday arrangement missing for " + ", ".join(str(y) for y in missing)
