"""Each figure from the worked example (docs/statistics.md, tests/statistics/worked.py), fed by
the real after-commit signal; an event delivered twice counts once and a late event lands in
its own day; a rebuild from the events equals the incremental result."""

from datetime import date

import pytest
from django.forms.models import model_to_dict

from departments.models import Role
from evaluations.models import Rating, Rectification
from evaluations.signals import ratings_changed_send
from stats import feed, figures, ingest
from stats.models import CaseFact, ConcludedFigure, CountedEvent, DailyFigure
from tests.statistics import worked
from tests.statistics.feeding import feed_now
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def world(work_calendar, django_capture_on_commit_callbacks):
    return worked.build(django_capture_on_commit_callbacks)


def _city(world):
    admin = f.user(is_superuser=True, is_staff=True)
    return figures.Scope.for_user(admin)


def test_each_figure_of_the_worked_example(world):
    fig = figures.overall(_city(world), start=NOV[0], end=NOV[1])
    # volumes
    assert fig.volumes["applications"] == 5
    assert fig.by_channel == {"online": 3, "window": 2, "hotline": 0, "api": 0}
    assert fig.volumes["accepted"] == 4
    assert fig.volumes["not_accepted"] == 1
    assert fig.volumes["supplements"] == 1
    assert fig.volumes["approved"] == 3
    assert fig.volumes["denied"] == 1
    # 三率一数 and 网上可办率: item A fully online with no visit, item B pre-reviewed online
    assert fig.items == 2
    assert fig.full_online_rate == 50.0
    assert fig.online_capable_rate == 100.0
    assert fig.one_visit_share == 100.0
    assert fig.zero_visit_share == 50.0
    assert fig.online_application_rate == 60.0  # 3 of 5 applied online
    assert fig.concluded == 4
    assert fig.online_completion_rate == 50.0  # cases 1 and 3
    assert fig.average_visits == 0.5  # 0 + 1 + 0 + 1 over 4
    # time: handling days 5, 10 (12 − 2 in the supplement), 8 (11 − 3 in expert review), 0
    facts = {c.number: c for c in CaseFact.objects.all()}
    c1, c2, c3, c4, c5 = (facts[c.number] for c in world.cases)
    assert (c1.gross_days, c1.handling_days) == (5, 5)
    assert (c2.gross_days, c2.supplement_days, c2.handling_days) == (12, 2, 10)
    assert (c3.gross_days, c3.special_days, c3.handling_days) == (11, 3, 8)
    assert (c4.gross_days, c4.handling_days, c4.instant) == (0, 0, True)
    assert c5.outcome == "not_accepted" and c5.handling_days is None
    assert fig.average_days == 5.8  # 23 / 4
    assert fig.p90_days == 10  # nearest rank: the 4th of 4
    assert fig.on_time_rate == 75.0  # case 3 denied on the 24th, due the 23rd
    assert (c1.on_time, c2.on_time, c3.on_time, c4.on_time) == (True, True, False, True)
    assert fig.supplement_share == 7.1  # 2 of 28 working days
    assert fig.special_share == 10.7  # 3 of 28
    assert fig.lost_share == 17.9  # 5 of 28
    assert fig.limit_reduction == 56.0  # (20 − 10 + 5 − 1) / (20 + 5)
    assert fig.instant_share == 25.0
    # parallel licensing: 市自然资源局 2 days, 市生态环境局 4 days, elapsed 4
    assert (c1.parallel_sum_days, c1.parallel_elapsed_days) == (6, 4)
    assert fig.parallel_cases == 1
    assert fig.parallel_saved_days == 2
    assert fig.parallel_gain == 33.3
    # supervision: the deemed approval and the late red card
    assert fig.volumes["deemed"] == 1
    assert fig.volumes["red"] == 1
    assert fig.volumes["special_procedures"] == 1


def test_a_late_event_lands_in_its_own_day_and_a_duplicate_counts_once(
    world, django_capture_on_commit_callbacks
):
    red = DailyFigure.objects.get(red=1)
    assert red.day == date(2026, 11, 20)
    assert red.department_id == world.d2.pk
    # the denial delivered again (twice) changes nothing
    again = ingest.ingest_events([world.denied_event.pk, world.denied_event.pk])
    assert (again.counted, again.duplicates) == (0, 1)
    feed.case_changed_received(None, event_id=world.denied_event.pk)  # queued again
    assert feed_now() == 0  # and drained: a duplicate counts once
    fig = figures.overall(_city(world), start=NOV[0], end=NOV[1])
    assert fig.volumes["denied"] == 1
    assert CountedEvent.objects.count() == sum(len(c.events.all()) for c in world.cases)


def _snapshot():
    def rows(model, key):
        return sorted(
            (tuple(sorted((k, str(v)) for k, v in model_to_dict(r).items() if k != "id")))
            for r in model.objects.order_by(*key)
        )

    return (
        rows(DailyFigure, ["day", "department_id", "item_id", "channel"]),
        rows(CaseFact, ["application_id"]),
        sorted(CountedEvent.objects.values_list("event_id", flat=True)),
        rows(ConcludedFigure, ["day", "department_id", "item_id", "handling_days"]),
    )


def test_a_rebuild_equals_the_incremental_result(world):
    incremental = _snapshot()
    assert incremental[0] and incremental[1]
    done = ingest.rebuild()
    assert done.events == len(incremental[2])
    assert _snapshot() == incremental
    # a rebuild of part of the period too
    ingest.rebuild(start=date(2026, 11, 9), end=date(2026, 11, 20))
    assert _snapshot() == incremental


def test_grouped_by_department_region_item_and_month(world):
    scope = _city(world)
    by_dept = figures.compute(scope, start=NOV[0], end=NOV[1], by="department")
    assert by_dept[world.d1.pk].volumes["applications"] == 5
    assert by_dept[world.d2.pk].volumes["red"] == 1
    assert by_dept[world.d3.pk].volumes["deemed"] == 1
    by_item = figures.compute(scope, start=NOV[0], end=NOV[1], by="item")
    assert by_item[world.item_a.pk].concluded == 3
    assert by_item[world.item_b.pk].instant_share == 100.0
    by_month = figures.compute(scope, start=date(2026, 10, 1), end=NOV[1], by="month")
    assert by_month[date(2026, 11, 1)].volumes["applications"] == 5
    assert by_month[date(2026, 11, 1)].items == 2


def test_satisfaction_comes_from_the_ratings_figures(world):
    rows = [
        Rating(
            subject_kind="case",
            subject_id=n,
            department=world.d1,
            department_ids=[world.d1.pk],
            region=world.d1.region,
            channel="online",
            level=level,
            source="site",
            rated_at=worked.at(20),
        )
        for n, level in enumerate([5, 4, 3, 1], start=1)
    ]
    Rating.objects.bulk_create(rows)
    bad = Rating.objects.get(level=1)
    Rectification.objects.create(rating=bad, department=world.d1, status="done", on_time=True)
    # rows written outside the ratings' services: announced as the services do (stats.ratings)
    ratings_changed_send(Rating.objects.values_list("pk", flat=True))
    fig = figures.overall(_city(world), start=NOV[0], end=NOV[1])
    assert fig.rating_count == 4
    assert fig.satisfaction_rate == 75.0
    assert fig.rectified_on_time == 100.0


def test_a_head_sees_only_their_department(world):
    head = f.staff(world.d2, role=Role.HEAD)
    scope = figures.Scope.for_user(head)
    assert scope.department_ids == frozenset({world.d2.pk})
    fig = figures.overall(scope, start=NOV[0], end=NOV[1])
    assert fig.volumes["applications"] == 0  # the lead department's cases are not theirs
    assert fig.volumes["red"] == 1
    # asking for another department gives nothing
    assert figures.Scope.for_user(head, department_id=world.d1.pk).department_ids == frozenset()
    nobody = f.user()
    assert figures.Scope.for_user(nobody).department_ids == frozenset()
