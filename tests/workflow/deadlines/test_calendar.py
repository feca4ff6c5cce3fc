"""Worked examples of the clock rules of DESIGN.md §4 on the 2026 national arrangement.

2026 as chinese-calendar 1.11.0 has it (checked in ``test_seeded_2026_matches_the_package``):
- Spring Festival: holidays Sun 15 Feb – Mon 23 Feb; adjusted working days Sat 14 Feb, Sat 28 Feb.
- Mid-autumn: holidays Fri 25 – Sun 27 Sep; National Day: holidays Thu 1 – Wed 7 Oct;
  adjusted working days Sun 20 Sep and Sat 10 Oct.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from workflow.deadlines import calendar
from workflow.deadlines.calendar import (
    add_time_limit,
    add_working_days,
    is_working_day,
    missing_years,
    subtract_working_days,
    working_days_between,
    working_days_left,
    working_days_used,
)
from workflow.models import CalendarDay, CalendarYear

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
pytestmark = pytest.mark.django_db


def sh(y, m, d, hh=10, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def test_seeded_2026_matches_the_package(work_calendar):
    from chinese_calendar import constants

    holidays = {d for d in constants.holidays if d.year == 2026}
    workdays = {d for d in constants.workdays if d.year == 2026}
    assert (
        set(
            CalendarDay.objects.filter(date__year=2026, kind="holiday").values_list(
                "date", flat=True
            )
        )
        == holidays
    )
    assert (
        set(
            CalendarDay.objects.filter(date__year=2026, kind="adjusted_workday").values_list(
                "date", flat=True
            )
        )
        == workdays
    )
    # The lines of the module docstring, checked against the package's data.
    assert {date(2026, 2, d) for d in range(15, 24)} <= holidays
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= workdays
    assert {date(2026, 10, d) for d in range(1, 8)} <= holidays
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= workdays
    assert CalendarYear.objects.get(year=2026).complete


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday, adjusted working day
        (date(2026, 2, 16), False),  # Monday inside the Spring Festival
        (date(2026, 2, 21), False),  # Saturday inside the Spring Festival
        (date(2026, 2, 24), True),  # first day back
        (date(2026, 2, 28), True),  # Saturday, adjusted working day
        (date(2026, 3, 1), False),  # an ordinary Sunday
        (date(2026, 9, 20), True),  # Sunday, adjusted working day before National Day
        (date(2026, 10, 5), False),  # Monday inside National Day
        (date(2026, 10, 10), True),  # Saturday, adjusted working day after National Day
        (date(2026, 1, 4), True),  # Sunday, New Year adjusted working day
    ],
)
def test_is_working_day_2026(work_calendar, day, working):
    assert is_working_day(day) is working


def test_five_working_days_across_the_spring_festival(work_calendar):
    # Accepted Fri 13 Feb 10:00. Day 1 = Sat 14 Feb (adjusted), 15–23 Feb are holidays,
    # day 2 = Tue 24, 3 = Wed 25, 4 = Thu 26, 5 = Fri 27 Feb → due 27 Feb 23:59:59.
    assert add_time_limit(start=sh(2026, 2, 13), days=5, unit="working_day") == eod(2026, 2, 27)
    # Day 6 is the adjusted Saturday 28 Feb; day 7 the Monday after.
    assert add_time_limit(start=sh(2026, 2, 13), days=6, unit="working_day") == eod(2026, 2, 28)
    assert add_time_limit(start=sh(2026, 2, 13), days=7, unit="working_day") == eod(2026, 3, 2)


def test_clock_started_on_a_holiday_or_adjusted_day_counts_from_the_next_working_day(
    work_calendar,
):
    # Submitted online on Wed 18 Feb (a holiday): day 1 is Tue 24 Feb.
    assert add_time_limit(start=sh(2026, 2, 18), days=1, unit="working_day") == eod(2026, 2, 24)
    # Started on the adjusted Saturday 14 Feb: the day itself is not counted either.
    assert add_time_limit(start=sh(2026, 2, 14), days=1, unit="working_day") == eod(2026, 2, 24)


def test_the_start_day_is_the_shanghai_date_not_the_utc_date(work_calendar):
    # 17:30 UTC on Fri 13 Feb is 01:30 on Sat 14 Feb in Shanghai: the clock starts on the 14th.
    start = datetime(2026, 2, 13, 17, 30, tzinfo=UTC)
    assert add_time_limit(start=start, days=1, unit="working_day") == eod(2026, 2, 24)
    # The answer is stored as UTC: 23:59:59 +08:00 is 15:59:59 UTC.
    assert add_time_limit(start=start, days=1).astimezone(UTC) == datetime(
        2026, 2, 24, 15, 59, 59, tzinfo=UTC
    )


def test_working_days_across_mid_autumn_and_national_day(work_calendar):
    # Started Wed 30 Sep: 1–7 Oct are holidays; Thu 8 = 1, Fri 9 = 2, Sat 10 (adjusted) = 3.
    assert add_time_limit(start=sh(2026, 9, 30), days=3) == eod(2026, 10, 10)
    # Started Fri 18 Sep: Sat 19 is a weekend, Sun 20 (adjusted) = 1, Mon 21 = 2.
    assert add_time_limit(start=sh(2026, 9, 18), days=2) == eod(2026, 9, 21)
    # 20 working days from Thu 24 Sep: 28, 29, 30 Sep; 8, 9, 10, 12–16, 19–23, 26–29 Oct.
    assert add_time_limit(start=sh(2026, 9, 24), days=20) == eod(2026, 10, 29)


def test_calendar_day_limits_count_every_day(work_calendar):
    # 10 calendar days from Fri 13 Feb: holidays count; the start day does not → 23 Feb.
    assert add_time_limit(start=sh(2026, 2, 13), days=10, unit="calendar_day") == eod(2026, 2, 23)
    # 7 calendar days from Wed 30 Sep end on the last day of National Day.
    assert add_time_limit(start=sh(2026, 9, 30), days=7, unit="calendar_day") == eod(2026, 10, 7)
    # The same end-of-day rule: started at 23:00, one calendar day is the next day's end.
    assert add_time_limit(start=sh(2026, 3, 2, 23), days=1, unit="calendar_day") == eod(2026, 3, 3)


def test_unknown_unit_and_negative_days_are_refused(work_calendar):
    with pytest.raises(ValueError):
        add_time_limit(start=sh(2026, 3, 2), days=1, unit="fortnight")
    with pytest.raises(ValueError):
        add_time_limit(start=sh(2026, 3, 2), days=-1)


def test_2027_falls_back_to_monday_to_friday_until_an_admin_enters_it(work_calendar, admin_user):
    with time_travel(2026, 11, 26):
        assert missing_years() == [2027]
    # Before: Wed 30 Dec 2026 + 5 working days = Thu 31 Dec, Fri 1 Jan 2027 (a weekday, the
    # arrangement being unknown), Mon 4, Tue 5, Wed 6 Jan.
    assert add_time_limit(start=sh(2026, 12, 30), days=5) == eod(2027, 1, 6)
    # Fri 5 Feb 2027 + 3: Mon 8, Tue 9, Wed 10 Feb.
    assert add_time_limit(start=sh(2027, 2, 5), days=3) == eod(2027, 2, 10)

    # An administrator enters 2027: New Year's Day, a Spring Festival week, an adjusted Saturday.
    calendar.calendar_day_set(actor=admin_user, day=date(2027, 1, 1), kind="holiday", name="元旦")
    for d in range(8, 13):
        calendar.calendar_day_set(
            actor=admin_user, day=date(2027, 2, d), kind="holiday", name="春节"
        )
    calendar.calendar_day_set(
        actor=admin_user, day=date(2027, 2, 20), kind="adjusted_workday", name="春节调休上班"
    )
    calendar.calendar_year_mark(actor=admin_user, year=2027, complete=True)

    # After: 1 Jan is a holiday → Thu 31 Dec, Mon 4, Tue 5, Wed 6, Thu 7 Jan.
    assert add_time_limit(start=sh(2026, 12, 30), days=5) == eod(2027, 1, 7)
    # 8–12 Feb are holidays → Mon 15, Tue 16, Wed 17 Feb.
    assert add_time_limit(start=sh(2027, 2, 5), days=3) == eod(2027, 2, 17)
    # 7 working days from Fri 5 Feb: 15–19 Feb, then the adjusted Sat 20 (6), Mon 22 (7).
    assert add_time_limit(start=sh(2027, 2, 5), days=7) == eod(2027, 2, 22)
    with time_travel(2026, 11, 26):
        assert missing_years() == []


def test_removing_a_day_takes_effect_at_once(work_calendar, admin_user):
    calendar.calendar_day_set(actor=admin_user, day=date(2027, 3, 1), kind="holiday", name="停电")
    assert not is_working_day(date(2027, 3, 1))
    assert calendar.calendar_day_remove(actor=admin_user, day=date(2027, 3, 1))
    assert is_working_day(date(2027, 3, 1))


def test_a_model_edit_outside_the_services_also_invalidates(work_calendar):
    # Django admin saves the model directly.
    assert is_working_day(date(2027, 4, 5))
    CalendarDay.objects.create(date=date(2027, 4, 5), kind="holiday", name="清明")
    assert not is_working_day(date(2027, 4, 5))


def test_working_days_between_used_and_left(work_calendar):
    # (13 Feb, 27 Feb] holds 14, 24, 25, 26, 27 Feb.
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == -5
    assert working_days_between(date(2026, 2, 15), date(2026, 2, 23)) == 0

    start, due = sh(2026, 2, 13), eod(2026, 2, 27)  # a 5-working-day clock
    # Tue 24 Feb: 14 Feb is spent; 24–27 Feb are left. Used + left = the limit.
    assert working_days_used(start=start, now=sh(2026, 2, 24)) == 1
    assert working_days_left(due=due, now=sh(2026, 2, 24)) == 4
    # On the start day nothing is spent and all five are left.
    assert working_days_used(start=start, now=sh(2026, 2, 13, 18)) == 0
    assert working_days_left(due=due, now=sh(2026, 2, 13, 18), start=start) == 5
    # Without the start, today (a working day) would be counted too.
    assert working_days_left(due=due, now=sh(2026, 2, 13, 18)) == 6
    # The due day itself: one working day left (the default yellow threshold).
    assert working_days_left(due=due, now=sh(2026, 2, 27, 23, 59, 59)) == 1
    # Overdue on the adjusted Saturday 28 Feb: one working day late; two on Mon 2 Mar.
    assert working_days_left(due=due, now=sh(2026, 2, 28, 0, 0, 1)) == -1
    assert working_days_left(due=due, now=sh(2026, 3, 2)) == -2


def test_yellow_threshold_is_due_minus_working_days(work_calendar):
    # Due Fri 27 Feb: one working day before is Thu 26 → yellow from 26 Feb 23:59:59.
    assert subtract_working_days(eod(2026, 2, 27), 1) == eod(2026, 2, 26)
    # Due Tue 24 Feb: the working day before is the adjusted Saturday 14 Feb, so the task is
    # yellow through the whole holiday.
    assert subtract_working_days(eod(2026, 2, 24), 1) == eod(2026, 2, 14)
    assert add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)


def test_seed_calendar_is_idempotent_and_keeps_admin_rows(work_calendar, admin_user):
    call_command("seed_calendar")  # every year the package knows (a flushed table has fewer)
    before = CalendarDay.objects.count()
    calendar.calendar_day_set(
        actor=admin_user, day=date(2026, 10, 1), kind="holiday", name="国庆节（本地）"
    )
    call_command("seed_calendar")
    call_command("seed_calendar", "--year", "2026")
    assert CalendarDay.objects.count() == before
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节（本地）"
    assert CalendarYear.objects.filter(year=2026).count() == 1


def test_seed_fills_an_emptied_table(db):
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    result = calendar.calendar_seed(years=[2026])
    assert result.created == CalendarDay.objects.filter(date__year=2026).count() > 30
    assert result.years_marked == 1
    assert calendar.calendar_seed(years=[2026]).created == 0


def test_a_year_is_loaded_once(work_calendar, django_assert_max_num_queries):
    calendar.invalidate_local()
    with django_assert_max_num_queries(2):  # the year's rows, and whether it is complete
        add_time_limit(start=sh(2026, 2, 13), days=60)
    with django_assert_max_num_queries(0):
        add_time_limit(start=sh(2026, 3, 2), days=100)
        working_days_between(date(2026, 1, 1), date(2026, 12, 31))


def time_travel(y, m, d):
    import time_machine

    return time_machine.travel(timezone.make_aware(datetime(y, m, d, 12)), tick=False)
