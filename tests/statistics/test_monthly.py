"""The monthly roll-ups (``MonthlyFigure``, ``MonthlyConcluded``; docs/statistics.md, "Monthly
roll-ups"): always the sums of their daily rows — after the feed, a late event, a duplicate,
a rebuild of one month or of everything — and the board's figures the same whether a period's
whole months are read from them or from the daily rows."""

from collections import Counter
from dataclasses import asdict
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.choices import EventAction as A
from stats import feed, figures, ingest, monthly
from stats.concluded import SUMS
from stats.counters import COUNTERS
from stats.models import (
    ConcludedFigure,
    DailyFigure,
    MonthlyConcluded,
    MonthlyFigure,
)
from tests.statistics import worked
from tests.statistics.feeding import committed, feed_now
from tests.statistics.test_pages import _more_cases
from tests.workflow import factories as f
from workflow.deadlines.calendar import SHANGHAI
from workflow.services.events import event_append

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(work_calendar, django_capture_on_commit_callbacks):
    return worked.build(django_capture_on_commit_callbacks)


def _summed(model, key: tuple[str, ...], columns) -> dict[tuple, dict]:
    """``model``'s rows summed per month (its ``day`` column truncated), in Python."""
    out: dict[tuple, Counter] = {}
    for row in model.objects.values():
        k = (row["day"].replace(day=1), *(row[c] for c in key[1:]))
        s = out.setdefault(k, Counter())
        for c in columns:
            s[c] += row[c]
    return {k: {c: v[c] for c in columns} for k, v in out.items() if any(v.values())}


def _months(model, key: tuple[str, ...], columns) -> dict[tuple, dict]:
    return {
        tuple(row[c] for c in key): {c: row[c] for c in columns} for row in model.objects.values()
    }


def _counters_match() -> dict:
    months = _months(MonthlyFigure, monthly.COUNTER_KEY, COUNTERS)
    assert months == _summed(DailyFigure, monthly.COUNTER_KEY, COUNTERS)
    return months


def _concluded_match() -> dict:
    months = _months(MonthlyConcluded, monthly.CONCLUDED_KEY, SUMS)
    assert months == _summed(ConcludedFigure, monthly.CONCLUDED_KEY, SUMS)
    return months


def _ev(capture, app, action, when, department=None, **data):
    with committed(capture):  # the feed runs in the background: drain it as the worker would
        return event_append(
            application=app, actor=None, action=action, department=department, at=when, data=data
        )


def test_the_roll_ups_have_the_roll_up_columns():
    assert tuple(SUMS) == monthly.CONCLUDED_SUMS
    monthly_counters = {f.name for f in MonthlyFigure._meta.fields}
    assert set(COUNTERS) <= monthly_counters


def test_after_the_feed_the_months_are_the_sums_of_the_days(world):
    counters, concluded = _counters_match(), _concluded_match()
    nov = date(2026, 11, 1)
    assert sum(v["applications"] for k, v in counters.items() if k[0] == nov) == 5
    assert sum(v["red"] for v in counters.values()) == 1  # the late red card
    assert sum(v["cases"] for k, v in concluded.items() if k[0] == nov) == 4
    assert {k[0] for k in counters} == {nov}


def test_a_late_event_and_a_duplicate(world, django_capture_on_commit_callbacks):
    c1, c3 = world.cases[0], world.cases[2]
    # a red card of 30 October recorded now lands in October's row
    late = _ev(django_capture_on_commit_callbacks, c3, A.TASK_OVERDUE,
               datetime(2026, 10, 30, 23, 0, tzinfo=SHANGHAI), world.d2)  # fmt: skip
    # a supplement of case 1 recorded after its approval moves it to another handling time
    _ev(django_capture_on_commit_callbacks, c1, A.PAUSED, worked.at(3, 12), reason="supplement")
    resumed = _ev(django_capture_on_commit_callbacks, c1, A.RESUMED, worked.at(4, 12))
    counters, concluded = _counters_match(), _concluded_match()
    october = [v["red"] for k, v in counters.items() if k[0] == date(2026, 10, 1)]
    assert october == [1]
    nov_a = (date(2026, 11, 1), world.item_a.region_id, world.d1.pk, world.item_a.pk)
    assert (*nov_a, 5) not in concluded  # case 1's old handling time: its row is gone
    assert concluded[(*nov_a, 4)]["supplement"] == 1
    # delivered again: nothing changes
    ingest.ingest_events([late.pk, resumed.pk])
    feed.case_changed_received(None, event_id=late.pk)  # the signal again: queued again
    feed_now()
    ingest.refresh_facts([c1.pk])
    assert _counters_match() == counters
    assert _concluded_match() == concluded


def test_a_rebuild_of_one_month_or_everything_sums_the_months_again(
    world, django_capture_on_commit_callbacks
):
    late = worked._case(9, world.item_b, channel="window")
    _ev(django_capture_on_commit_callbacks, late, A.SUBMITTED,
        datetime(2026, 10, 29, 9, tzinfo=SHANGHAI))  # fmt: skip
    _ev(django_capture_on_commit_callbacks, late, A.ACCEPTED,
        datetime(2026, 10, 29, 10, tzinfo=SHANGHAI))  # fmt: skip
    _ev(django_capture_on_commit_callbacks, late, A.APPROVED,
        datetime(2026, 12, 2, 10, tzinfo=SHANGHAI), world.d1)  # fmt: skip
    counters, concluded = _counters_match(), _concluded_match()
    assert {k[0] for k in counters} == {date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)}
    # the months' rows spoilt: a rebuild of November makes November's again (and only them)
    MonthlyFigure.objects.filter(month__in=[date(2026, 10, 1), date(2026, 11, 1)]).update(
        applications=99
    )
    MonthlyConcluded.objects.update(cases=77)
    ingest.rebuild(start=date(2026, 11, 9), end=date(2026, 11, 20))
    nov = {k: v for k, v in _months(MonthlyFigure, monthly.COUNTER_KEY, COUNTERS).items()}
    assert {v["applications"] for k, v in nov.items() if k[0] == date(2026, 10, 1)} == {99}
    assert nov == {
        **counters,
        **{k: {**v, "applications": 99} for k, v in counters.items() if k[0].month == 10},
    }
    assert {
        k: v for k, v in _months(MonthlyConcluded, monthly.CONCLUDED_KEY, SUMS).items()
        if k[0].month == 11
    } == {k: v for k, v in concluded.items() if k[0].month == 11}  # fmt: skip
    for first, last in ((date(2026, 10, 1), date(2026, 10, 31)), (None, None)):
        ingest.rebuild(start=first, end=last)
        assert _counters_match() == counters, (first, last)
    assert _concluded_match() == concluded


def test_split_cuts_a_period_into_ragged_days_and_whole_months():
    d = date
    assert monthly.split(d(2026, 11, 1), d(2026, 11, 30)) == ([], (d(2026, 11, 1), d(2026, 11, 1)))
    assert monthly.split(d(2026, 11, 3), d(2026, 11, 20)) == ([(d(2026, 11, 3), d(2026, 11, 20))],
                                                              None)  # fmt: skip
    assert monthly.split(d(2025, 12, 1), d(2026, 12, 4)) == (
        [(d(2026, 12, 1), d(2026, 12, 4))],
        (d(2025, 12, 1), d(2026, 11, 1)),
    )
    assert monthly.split(d(2026, 1, 15), d(2026, 3, 31)) == (
        [(d(2026, 1, 15), d(2026, 1, 31))],
        (d(2026, 2, 1), d(2026, 3, 1)),
    )
    assert monthly.split(d(2026, 2, 1), d(2026, 2, 28)) == ([], (d(2026, 2, 1), d(2026, 2, 1)))


@pytest.mark.parametrize(
    "start, end",
    [
        (date(2026, 11, 1), date(2026, 11, 30)),  # a whole month: the roll-ups alone
        (date(2026, 10, 15), date(2026, 12, 4)),  # ragged ends and a whole month
        (date(2026, 11, 5), date(2026, 11, 19)),  # days alone
    ],
)
def test_the_figures_are_the_same_read_from_the_months_or_the_days(world, monkeypatch, start, end):
    scope = figures.Scope.for_user(f.user(is_superuser=True))

    def everything():
        grouped = figures.compute_many(scope, start=start, end=end)
        by_month = figures.compute(scope, start=date(2025, 12, 1), end=end, by="month")
        return (
            {by: {k: asdict(v) for k, v in g.items()} for by, g in grouped.items()},
            {k: asdict(v) for k, v in by_month.items()},
        )

    rolled = everything()
    assert rolled[0][None][None]["volumes"]["applications"] == (
        5 if start <= date(2026, 11, 2) else 3
    )
    monkeypatch.setattr(monthly, "split", lambda a, b: ([(a, b)], None))  # days only
    assert everything() == rolled


def test_the_board_costs_the_same_queries_for_any_period_and_any_number_of_cases(
    world, client, django_capture_on_commit_callbacks
):
    sup = f.supervisor(world.d1.region, world.d1)
    client.force_login(sup)

    def count(query: str) -> int:
        url = f"{reverse('statistics:board')}?{query}"
        client.get(url)  # warm the per-user caches
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    periods = (
        "start=2026-11-01&end=2026-11-30",  # whole months only
        "start=2026-10-15&end=2026-12-04",  # ragged ends, whole months in between
        "start=2026-11-05&end=2026-11-19",  # days only
        "",  # this month (the page's default)
    )
    small = [count(p) for p in periods]
    assert len(set(small)) == 1, small
    _more_cases(world, django_capture_on_commit_callbacks, 25)
    assert [count(p) for p in periods] == small
