"""The statistics feed's cost (docs/statistics.md, "Cost and scale"). In the request that moved
the case the feed only queues the committed events' ids in Redis (``stats.feed``): no SQL.
``tests/workflow/test_query_budget.py`` does not see after-commit work (a test transaction never
commits, so no after-commit callback runs there); here the callbacks are run and the feed's are
counted apart, over a whole 6-department case through the API; then the worker's side, the
drain, is counted per event."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import feed
from stats.models import CaseFact, CountedEvent, DailyFigure
from tests.statistics.feeding import feed_now
from tests.workflow import test_query_budget as budget
from tests.workflow.journey import build_world, submitted_case

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
_CONTROL = budget._TRANSACTION_CONTROL  # savepoints: the test's transaction, not data queries

# Measured before the queue (the feed in the request, one ingest per transaction): 6.2 queries
# per completion (3.9 per event); the guard was 7 per completion. Now the request spends none;
# the drain spends ~8 per batch whatever its size (one ingest per batch), so its cost per event
# falls as batches fill: a drain after each completion (a quiet system) stays within the old
# guard, a drain of the whole walk (16 events) costs one ingest's fixed queries.
FEED_IN_THE_REQUEST = 0
FEED_PER_DRAIN = 9  # the queries of one ingest_events call, whatever the number of events


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(budget.NOW, tick=True):
        yield


def _data(queries) -> int:
    return sum(1 for x in queries if not _CONTROL.match(x["sql"]))


def _walk(world, app, capture, *, drain_each: bool):
    """Claim and complete every task through the API; per completion: (queries in the
    request's counted window, queries of the feed's after-commit callbacks, events appended,
    queries of the drain after it — None when not drained)."""
    from permits.models import Event

    rows = []

    def act(task, user, body):
        client = budget._client(user)
        for url, data in (
            (f"/api/v1/tasks/{task.pk}/claim/", None),
            (f"/api/v1/tasks/{task.pk}/complete/", body),
        ):
            before = Event.objects.count()
            with capture(execute=False) as callbacks:
                request_queries = budget._post(client, url, data)
            in_feed = 0
            for callback in callbacks:
                if isinstance(getattr(callback, "__self__", None), feed._Batch):
                    with CaptureQueriesContext(connection) as q:
                        callback()
                    in_feed += _data(q.captured_queries)
                else:
                    callback()
            drained = None
            if drain_each:
                with CaptureQueriesContext(connection) as q:
                    feed_now()
                drained = _data(q.captured_queries)
            if url.endswith("complete/"):
                rows.append((request_queries, in_feed, Event.objects.count() - before, drained))

    act(
        budget._open(app, kind="acceptance").get(),
        world.lead_staff["undertake"],
        {"decision": "approve"},
    )
    for dept in world.departments:
        for stage in world.staff[dept.code]:
            task = budget._open(app, kind="review", department=dept).get()
            act(task, world.reviewer(dept, stage), {"decision": "approve", "opinion": "同意"})
    decision = budget._open(app, kind="decision").get()
    act(decision, world.lead_staff[decision.stage], {"decision": "approve", "opinion": "准予"})
    return rows


def _case(capture):
    with capture(execute=True):  # committed before
        world = build_world(6, stages={0: ["undertake", "check", "sign"]})
        app = submitted_case(world)
    feed_now()
    return world, app


def _everything_counted(app, events: int) -> None:
    from permits.models import Event

    counted = set(CountedEvent.objects.values_list("event_id", flat=True))
    walked = Event.objects.filter(application=app).order_by("pk").values_list("pk", flat=True)
    assert set(walked[len(walked) - events :]) <= counted
    assert set(walked) <= counted
    fact = CaseFact.objects.get(application_id=app.pk)
    assert fact.outcome == "approved"
    assert DailyFigure.objects.filter(approved__gt=0).exists()


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_the_request_spends_no_query_on_the_feed_and_a_drain_costs_one_ingest(
    django_capture_on_commit_callbacks,
):
    assert feed.background()
    world, app = _case(django_capture_on_commit_callbacks)
    rows = _walk(world, app, django_capture_on_commit_callbacks, drain_each=True)
    completions, events = len(rows), sum(r[2] for r in rows)
    in_request = sum(r[1] for r in rows)
    drained = sum(r[3] for r in rows)
    print(  # noqa: T201  (the measurement, with -s)
        f"\n{completions} completions, {events} events: {sum(r[0] for r in rows)} queries in"
        f" the requests' counted windows; the feed in the requests {in_request}; a drain after"
        f" each completion {drained} ({drained / completions:.1f} per completion,"
        f" {drained / events:.1f} per event)"
    )
    assert in_request == FEED_IN_THE_REQUEST, rows
    assert all(r[3] <= FEED_PER_DRAIN for r in rows), rows
    _everything_counted(app, events)


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_one_drain_feeds_a_whole_walk_for_the_queries_of_one_ingest(
    django_capture_on_commit_callbacks,
):
    from permits.models import Event

    world, app = _case(django_capture_on_commit_callbacks)
    before = Event.objects.count()
    rows = _walk(world, app, django_capture_on_commit_callbacks, drain_each=False)
    events = Event.objects.count() - before  # the claims' events too
    assert not CaseFact.objects.filter(application_id=app.pk, outcome="approved").exists()
    assert feed.pending_count() == events
    with CaptureQueriesContext(connection) as q:
        assert feed_now() == events
    drained = _data(q.captured_queries)
    print(f"\none drain of {events} events: {drained} queries")  # noqa: T201
    assert sum(r[1] for r in rows) == FEED_IN_THE_REQUEST
    assert drained <= FEED_PER_DRAIN, drained
    _everything_counted(app, events)
