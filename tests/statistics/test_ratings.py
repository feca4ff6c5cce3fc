"""The ratings' read model (``stats.ratings``): kept by the ratings' services through
``evaluations.signals.ratings_changed``, it gives the statistics pages the same figures as the
ratings themselves (``evaluations.figures``: counted ratings only, 差评 rectified on time), a
duplicate signal changes nothing, a rebuild equals the incremental rows, and the board reads it
in the same number of queries whatever the number of ratings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Role
from evaluations import figures as rating_figures
from evaluations.models import Rating
from evaluations.signals import ratings_changed_send
from stats import figures, ratings
from stats.models import MonthlyRating, RatingFigure
from tests.evaluations.helpers import client, rate
from tests.workflow import factories as f
from tests.workflow.journey import (
    accept,
    approve_department,
    build_world,
    decide,
    open_task,
    submitted_case,
)
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = "2026-11-02 09:00:00+08:00"  # a Monday; a rectification is due on Monday 23 November
NOV = (date(2026, 11, 1), date(2026, 11, 30))
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _finished(world):
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app)
    app.refresh_from_db()
    return app


def _complete(task, user, decision, **fields):
    response = client(user).post(
        f"/api/v1/tasks/{task.pk}/complete/", {"decision": decision, **fields}, format="json"
    )
    assert response.status_code == 200, response.content
    return response


def _callback_and(task, user, decision, **fields):
    _complete(task, user, "callback", revisit="已电话回访", called_on="2026-11-02",
              callback_person="李四")  # fmt: skip
    return _complete(task, user, decision, **fields)


def _snapshot():
    def rows(model, key):
        return [
            tuple(sorted((k, str(v)) for k, v in model_to_dict(r).items() if k != "id"))
            for r in model.objects.order_by(*key)
        ]

    key = ["region_id", "department_id", "item_id", "channel", "subject_kind", "level"]
    return rows(RatingFigure, ["day", *key]), rows(MonthlyRating, ["month", *key])


@pytest.fixture
def known(work_calendar, frozen):
    """Through the ratings' services, on Monday 2 November 2026: a 5; a 2 rectified the same
    day (on time); a 1 rectified on 24 November (late); a 1 appealed and set aside. Rows
    written outside the services (an import), then announced: a 4 in October, a system default
    3 and a set-aside 1 in November (both not counted)."""
    world = build_world(1)
    lead = world.lead_staff["undertake"]
    five, on_time, late, aside = (_finished(world) for _ in range(4))
    assert rate(world.citizen, five, 5).status_code == 201
    assert rate(world.citizen, on_time, 2, tags=["overdue"]).status_code == 201
    _callback_and(open_task(on_time, kind="rectification"), lead, "done", opinion="已整改")
    assert rate(world.citizen, late, 1, tags=["bad_attitude"]).status_code == 201
    assert rate(world.citizen, aside, 1, tags=["bad_attitude"]).status_code == 201
    _complete(open_task(aside, kind="rectification"), lead, "appeal", opinion="与服务无关",
              revisit="已回访", evidence=["录音"])  # fmt: skip
    supervisor = f.supervisor(aside.region, world.lead)
    _complete(open_task(aside, kind="appeal_review"), supervisor, "overturn", opinion="经核实")
    frozen.move_to("2026-11-24 10:00:00+08:00")
    _callback_and(open_task(late, kind="rectification"), lead, "done", opinion="已整改")
    base = Rating.objects.get(application=five)
    imported = Rating.objects.bulk_create(
        [
            Rating(
                subject_kind="case",
                subject_id=10_000 + n,
                department=world.lead,
                department_ids=[world.lead.pk],
                region=world.lead.region,
                item_id=base.item_id,
                channel="online",
                level=level,
                source="site",
                rated_at=datetime(2026, month, day, 23, 30, tzinfo=SHANGHAI),
                **extra,
            )
            for n, (level, month, day, extra) in enumerate(
                [
                    (4, 10, 31, {}),  # 23:30 local on 31 October: October's, not November's
                    (3, 11, 5, {"is_default": True}),
                    (1, 11, 5, {"set_aside": True}),
                ]
            )
        ]
    )
    ratings_changed_send([r.pk for r in imported])
    return world


def _raw(start, end):
    return rating_figures.figures(start=start, end=end, comments=0)


def _same(month, raw) -> None:
    assert (month.total, month.by_level, month.level_sum, month.bad) == (
        raw.total,
        raw.by_level,
        raw.level_sum,
        raw.bad,
    )
    assert month.bad_rectified_on_time == raw.bad_rectified_on_time
    assert month.satisfaction_rate == raw.satisfaction_rate
    assert month.on_time_share == raw.on_time_share


def test_the_read_model_gives_the_ratings_own_figures(known):
    scope = figures.Scope(department_ids=None)
    nov = figures.overall(scope, start=NOV[0], end=NOV[1]).ratings
    # counted: the 5, the 2 and the late 1 (not the set-aside ones, not the default)
    assert (nov.total, nov.bad, nov.bad_rectified_on_time) == (3, 2, 1)
    assert nov.by_level == {5: 1, 4: 0, 3: 0, 2: 1, 1: 1}
    assert nov.on_time_share == 50.0 and nov.satisfaction_rate == 33.3
    _same(nov, _raw(*NOV).overall)
    # any period: whole months (the roll-ups), ragged days, both
    for start, end in (YEAR, (date(2026, 10, 31), date(2026, 11, 2)), (date(2026, 10, 15), NOV[1])):
        _same(figures.overall(scope, start=start, end=end).ratings, _raw(start, end).overall)
    by_month = figures.compute(scope, start=date(2026, 1, 1), end=date(2026, 12, 4), by="month")
    for raw in _raw(*YEAR).months:
        _same(by_month[raw.month].ratings, raw)
    assert by_month[date(2026, 10, 1)].ratings.total == 1
    dept = figures.compute(scope, start=NOV[0], end=NOV[1], by="department")[known.lead.pk]
    _same(dept.ratings, _raw(*NOV).overall)
    # a head of another department sees none of them
    other = f.staff(f.department(name="公安局"), role=Role.HEAD)
    assert figures.overall(figures.Scope.for_user(other), start=NOV[0], end=NOV[1]).ratings is None


def test_a_signal_sent_twice_changes_nothing_and_a_rebuild_equals_the_incremental_rows(known):
    incremental = _snapshot()
    assert incremental[0] and incremental[1]
    ratings_changed_send(Rating.objects.values_list("pk", flat=True))
    ratings_changed_send(Rating.objects.values_list("pk", flat=True))
    assert _snapshot() == incremental
    assert ratings.rebuild() == len(incremental[0])
    assert _snapshot() == incremental
    # part of a month: its days counted again, its month summed again from all its days
    ratings.rebuild(start=date(2026, 11, 3), end=date(2026, 11, 24))
    assert _snapshot() == incremental
    RatingFigure.objects.all().delete()
    MonthlyRating.objects.all().delete()
    ratings.rebuild(start=date(2026, 10, 1), end=date(2026, 11, 30))
    assert _snapshot() == incremental


def test_setting_a_rating_aside_takes_it_out_of_the_read_model(known):
    scope = figures.Scope(department_ids=None)
    five = Rating.objects.get(level=5)
    Rating.objects.filter(pk=five.pk).update(set_aside=True)
    assert figures.overall(scope, start=NOV[0], end=NOV[1]).ratings.total == 3  # not told yet
    ratings_changed_send([five.pk])
    assert figures.overall(scope, start=NOV[0], end=NOV[1]).ratings.total == 2
    _same(figures.overall(scope, start=NOV[0], end=NOV[1]).ratings, _raw(*NOV).overall)


def test_the_rebuild_command_rebuilds_the_ratings_too(known, capsys):
    from django.core.management import call_command

    incremental = _snapshot()
    RatingFigure.objects.all().delete()
    MonthlyRating.objects.all().delete()
    call_command("statistics_rebuild", "--from=2026-10-01", "--to=2026-11-30")
    assert "rating rows" in capsys.readouterr().out
    assert _snapshot() == incremental


def test_a_refresh_costs_the_same_statements_for_one_rating_or_many(known):
    ids = list(Rating.objects.values_list("pk", flat=True))

    def count(some):
        with CaptureQueriesContext(connection) as q:
            ratings.refresh(some)
        return len(q)

    assert count(ids[:1]) == count(ids) <= 8


def test_the_board_reads_the_ratings_in_the_same_queries_whatever_their_number(known, client):
    supervisor = f.supervisor(known.lead.region, known.lead)
    client.force_login(supervisor)
    periods = ("start=2026-11-01&end=2026-11-30", "start=2026-10-15&end=2026-12-04", "")

    def counts():
        out = []
        for query in periods:
            url = f"{reverse('statistics:board')}?{query}"
            client.get(url)  # warm the per-user caches
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q))
        return out

    small = counts()
    assert len(set(small)) == 1, small
    base = Rating.objects.filter(is_default=False).first()
    more = Rating.objects.bulk_create(
        [
            Rating(
                subject_kind="case",
                subject_id=20_000 + n,
                department=known.lead,
                department_ids=[known.lead.pk],
                region=known.lead.region,
                item_id=base.item_id,
                channel="window",
                level=1 + n % 5,
                source="site",
                rated_at=datetime(2026, 9, 1, 10, tzinfo=SHANGHAI) + timedelta(days=3 * n),
            )
            for n in range(30)
        ]
    )
    ratings_changed_send([r.pk for r in more])
    assert counts() == small


def test_the_public_results_page_reads_the_read_model_with_the_ratings_own_figures(known, client):
    """好差评结果公开: month by month, by level, channel and rated object, as
    ``evaluations.figures.figures`` counts them from the ratings."""
    raw = _raw(*YEAR)
    months, overall = ratings.months(start=YEAR[0], end=YEAR[1])
    assert [m.month for m in months] == [m.month for m in raw.months]
    for month, expected in zip([*months, overall], [*raw.months, raw.overall], strict=True):
        _same(month, expected)
        assert month.by_channel == expected.by_channel and month.by_kind == expected.by_kind
    own, _overall = ratings.months(start=YEAR[0], end=YEAR[1], department_id=known.lead.pk)
    assert [m.total for m in own] == [m.total for m in raw.months]
    html = client.get("/ratings/?year=2026").content.decode()
    assert 'data-testid="rating-total">4<' in html  # the 4 of October and November's three
