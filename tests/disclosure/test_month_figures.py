"""办件公示's read model (disclosure.month_figures) against the per-view query it replaced: the
same figures on the same cases, fed through the statistics feed, after a late or repeated
event, after a case changed, after a rebuild; nothing personal in it; the pages' queries
constant; the feed's cost only on decisions."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosure import month_figures, publication
from disclosure.models import DepartmentMonthFigure, PublishedDecision
from permits.models import Application, Decision, ServiceModel
from stats.ingest import ingest_events
from stats.ingest import rebuild as statistics_rebuild
from tests.disclosure.conftest import decided_case, feed_event
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db
LOCAL = publication.LOCAL
START, END = dt.datetime(2025, 1, 1, tzinfo=LOCAL), dt.datetime(2028, 1, 1, tzinfo=LOCAL)


def oracle(start=START, end=END) -> list[tuple]:
    """The per-view query the page ran before the read model (disclosure.publication at
    7a1d31a), kept here as the reference: one GROUP BY over the decided cases."""
    rows = (
        Application.objects.filter(
            decision__in=(Decision.APPROVED, Decision.DENIED),
            decided_at__isnull=False,
            anonymous=False,
        )
        .exclude(item__service_model=ServiceModel.PROCESS_CENTRED)
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
    return [
        (
            f"{timezone.localtime(r['month'], LOCAL):%Y-%m}",
            r["lead_department__region__code"] or "",
            r["lead_department__code"] or "",
            r["lead_department__name"] or "",
            r["completed"],
            r["approved"],
            r["denied"],
            r["on_time"],
        )
        for r in rows
    ]


def read_model(start=START, end=END) -> list[tuple]:
    return [
        (
            r.month,
            r.region_code,
            r.department_code,
            r.department_name,
            r.completed,
            r.approved,
            r.denied,
            r.on_time,
        )
        for r in publication.department_month_figures(start=start, end=end)
    ]


def table() -> set[tuple]:
    return set(
        DepartmentMonthFigure.objects.values_list(
            "month", "department_id", "completed", "approved", "denied", "on_time"
        )
    ) | {("decision",) + d for d in PublishedDecision.objects.values_list(
        "application_id", "month", "department_id", "approved", "on_time"
    )}  # fmt: skip


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


def fed_case(world, **kw) -> Application:
    """A decided case whose decision's event goes through the statistics feed (which sends
    ``events_counted``, which refreshes the figures), as after the decision's commit."""
    app = decided_case(world, feed=False, **kw)
    feed_event(app, app.decision, at=app.decided_at)
    return app


@pytest.fixture
def varied(city_world):
    """Cases of two departments over three months: approved and denied, persons and
    enterprises, by their due, late and without a due, one at 00:30 Beijing time on the first
    of a month (still the previous month in UTC); and cases that are never published: an
    anonymous one, a complaint (process-centred), an undecided one."""
    other = f.department(name="云浮市公安局", reg=city_world["region"])
    other_item = f.published_item(lead=other)
    complaint_item = f.published_item(lead=city_world["lead"], service_model="process_centred")
    w = city_world
    cases = [
        fed_case(w, decided_at=at(2026, 9, 3), due_at=at(2026, 9, 4)),
        fed_case(w, decided_at=at(2026, 9, 30, 23, 59), due_at=at(2026, 9, 29)),
        fed_case(w, decided_at=at(2026, 10, 1, 0, 30), due_at=None),
        fed_case(w, decision="denied", decided_at=at(2026, 10, 8), enterprise=f.enterprise()),
        fed_case(w, decided_at=at(2026, 11, 2), due_at=at(2026, 11, 2), person=f.citizen()[1]),
        fed_case(w, service_item=other_item, decided_at=at(2026, 10, 9), due_at=at(2026, 10, 1)),
        fed_case(w, service_item=other_item, decision="denied", decided_at=at(2026, 11, 20)),
        fed_case(w, service_item=complaint_item, decided_at=at(2026, 11, 3)),
    ]
    anonymous = decided_case(w, decided_at=at(2026, 11, 4), feed=False)
    Application.objects.filter(pk=anonymous.pk).update(anonymous=True)
    feed_event(anonymous, "approved", at=anonymous.decided_at)
    undecided = decided_case(w, decided_at=at(2026, 11, 5), feed=False)
    Application.objects.filter(pk=undecided.pk).update(decision="", decided_at=None)
    feed_event(undecided, "submitted", at=at(2026, 11, 1))
    return {"cases": cases, "other": other, "other_item": other_item}


def test_the_read_model_equals_the_per_view_query(varied):
    expected = oracle()
    assert read_model() == expected
    # the worked figures, so the equality is not of two empty lists
    by_key = {(r[0], r[3]): r[4:] for r in expected}
    assert by_key[("2026-09", "云浮市市场监督管理局")] == (2, 2, 0, 1)
    assert by_key[("2026-10", "云浮市市场监督管理局")] == (2, 1, 1, 2)
    assert by_key[("2026-10", "云浮市公安局")] == (1, 1, 0, 0)
    assert by_key[("2026-11", "云浮市公安局")] == (1, 0, 1, 1)
    assert len(expected) == 5  # no row for the complaint, the anonymous or undecided case
    # and over any window of whole months, as the pages ask
    window = (at(2026, 10, 1, 0, 0), at(2026, 11, 1, 0, 0))
    assert read_model(*window) == oracle(*window) != []


def test_a_late_decision_event_lands_in_its_month(varied, city_world):
    # decided in August, its event fed only now (after the later months' events)
    late = decided_case(city_world, decided_at=at(2026, 8, 12), feed=False)
    assert ("2026-08",) not in {r[:1] for r in read_model()}
    feed_event(late, "approved", at=at(2026, 8, 12))
    assert read_model() == oracle()
    assert read_model()[-1][0] == "2026-08"


def test_an_event_fed_twice_and_a_case_refreshed_again_count_once(varied):
    case = varied["cases"][0]
    event = case.events.get(action="approved")
    before = table()
    ingest_events([event.pk])  # delivered again: the feed counts it once
    month_figures.refresh([c.pk for c in varied["cases"]])  # and recomputed: no change
    month_figures.refresh([case.pk])
    assert table() == before
    assert read_model() == oracle()


def test_a_changed_case_moves_once_and_an_emptied_month_goes(varied, city_world):
    # a department's only November case moves to December and turns denied → approved
    moved = varied["cases"][6]
    Application.objects.filter(pk=moved.pk).update(
        decided_at=at(2026, 12, 1, 0, 5), decision="approved", due_at=at(2026, 12, 2)
    )
    feed_event(moved, "approved", at=at(2026, 12, 1, 0, 5))
    assert read_model() == oracle()
    months = DepartmentMonthFigure.objects.filter(department=varied["other"])
    assert set(months.values_list("month", "completed", "approved")) == {
        (dt.date(2026, 10, 1), 1, 1),
        (dt.date(2026, 12, 1), 1, 1),
    }  # November's row, left with no case, is gone
    # a case no longer published (made anonymous) leaves its month
    gone = varied["cases"][0]
    Application.objects.filter(pk=gone.pk).update(anonymous=True)
    month_figures.refresh([gone.pk])
    assert not PublishedDecision.objects.filter(application_id=gone.pk).exists()
    assert read_model() == oracle()


def test_a_rebuild_equals_the_fed_figures_and_finds_unfed_cases(varied, city_world):
    fed = table()
    assert month_figures.rebuild() == len(varied["cases"]) - 1  # all but the complaint
    assert table() == fed
    # cases written without their events fed (a restore, a bulk import) appear after a rebuild
    decided_case(city_world, decided_at=at(2026, 7, 1), feed=False)
    assert read_model() != oracle()
    month_figures.rebuild()
    assert read_model() == oracle()
    # a rebuild of the statistics leaves the figures as they are
    statistics_rebuild()
    assert read_model() == oracle()


def test_the_python_path_and_the_migration_fill_agree_with_the_statement(varied):
    fed = table()
    # the demo's SQLite path (the same rules in Python), run here on the same rows
    PublishedDecision.objects.all().delete()
    DepartmentMonthFigure.objects.all().delete()
    month_figures._refresh_by_resumming(sorted(Application.objects.values_list("pk", flat=True)))
    assert table() == fed
    # the migration that adds the tables fills them the same way
    migration = importlib.import_module("disclosure.migrations.0002_department_month_figures")
    PublishedDecision.objects.all().delete()
    DepartmentMonthFigure.objects.all().delete()

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill(django_apps, editor)
    assert table() == fed


def test_the_read_model_holds_nothing_personal():
    columns = {f.column for m in (PublishedDecision, DepartmentMonthFigure) for f in m._meta.fields}
    assert columns == {
        "application_id",
        "month",
        "department_id",
        "approved",
        "on_time",
        "id",
        "completed",
        "denied",
    }


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_pages_queries_do_not_grow_with_cases_months_or_departments(client, city_world):
    urls = [
        reverse("disclosure:cases"),
        reverse("disclosure:cases") + "?months=36",
        reverse("disclosure:cases") + "?months=1",
        reverse("disclosure:open_data_json", args=["department-monthly"]) + "?months=36",
        reverse("disclosure:open_data_csv", args=["department-monthly"]),
    ]
    decided_case(city_world)
    small = [_queries(client, u) for u in urls]
    now = timezone.now()
    for n in range(12):
        dept = f.department(name=f"云浮市测试局{n}", reg=city_world["region"])
        item = f.published_item(lead=dept)
        decided_case(city_world, service_item=item, decided_at=now - dt.timedelta(days=31 * n))
        decided_case(city_world, person=f.citizen()[1], decided_at=now - dt.timedelta(days=3 * n))
    assert DepartmentMonthFigure.objects.count() > 12
    assert [_queries(client, u) for u in urls] == small
    assert small[0] == 2  # the latest cases, the figures


def test_the_feed_touches_the_figures_only_for_decisions(city_world):
    case = decided_case(city_world, decided_at=timezone.now(), feed=False)

    def ours(action):
        with CaptureQueriesContext(connection) as ctx:
            feed_event(case, action)
        return [q["sql"] for q in ctx.captured_queries if "disclosure_" in q["sql"]]

    assert ours("task_claimed") == []
    assert ours("approved")  # a decision writes (SQLite, the demo's: its Python path)
    assert DepartmentMonthFigure.objects.get().completed == 1


@pytest.mark.postgres
def test_on_postgresql_one_statement_writes_a_decision_and_its_month(city_world):
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL")
    case = decided_case(city_world, decided_at=timezone.now(), feed=False)
    with CaptureQueriesContext(connection) as ctx:
        feed_event(case, "approved")
    ours = [q["sql"] for q in ctx.captured_queries if "disclosure_" in q["sql"]]
    assert len(ours) == 1  # one statement writes the decision and its month
    assert DepartmentMonthFigure.objects.get().completed == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_feeds_of_different_cases_add_up_without_deadlock(city_world):
    from django.db import transaction

    from tests.concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL")
    other = f.department(name="云浮市公安局", reg=city_world["region"])
    other_item = f.published_item(lead=other)
    cases = [
        decided_case(
            city_world,
            feed=False,
            service_item=other_item if n % 2 else None,
            decision="denied" if n % 3 == 0 else "approved",
            decided_at=at(2026, 10 + n % 2, 5 + n % 7),
        ).pk
        for n in range(24)
    ]

    def feed(ids):
        def call():
            with transaction.atomic():
                month_figures.refresh(ids)

        return call

    # four feeds at once, each touching the same four month rows (in a different case order)
    results = run_together(*(feed(cases[i::4][:: 1 if i % 2 else -1]) for i in range(4)))
    assert results == [None] * 4, results
    assert read_model() == oracle()
    assert sum(r[4] for r in read_model()) == 24
    # and again, all at once, with the same cases: nothing changes
    results = run_together(*(feed(cases[i::3]) for i in range(3)))
    assert results == [None] * 3, results
    assert read_model() == oracle()


def test_the_demo_seeds_the_figures_through_the_feed(settings):
    # seed_demo's cases move through the services (and its history's through them with the
    # clock moved back); their events are fed after commit or by ``statistics_rebuild
    # --missing`` at its end: either way the figures follow, with no rebuild of their own
    import io

    import time_machine
    from django.core.management import call_command

    settings.DEMO_HISTORY_CASES = 30
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=LOCAL), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        figures = read_model()
        assert figures == oracle()
        assert len({r[0] for r in figures}) >= 3  # months of history, not one day
