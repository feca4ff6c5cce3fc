"""The statistics feed's cost in the request that moved the case (docs/statistics.md, "Cost and
scale"): the after-commit ``case_changed`` receiver runs in the request after its transaction
commits, so its queries are the request's too. ``tests/workflow/test_query_budget.py`` does not
see them (a test transaction never commits, so no after-commit callback runs there); here the
callbacks are run and counted apart, over a whole 6-department case through the API."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import ingest
from stats.models import CaseFact, CountedEvent, DailyFigure
from tests.workflow import test_query_budget as budget
from tests.workflow.journey import build_world, submitted_case

pytestmark = pytest.mark.django_db
_CONTROL = budget._TRANSACTION_CONTROL  # savepoints: the test's transaction, not data queries

# Measured before (one ingest per event): 7.1 data queries per event, 11.4 per completion (a
# completion appends 1.6 events on average, the acceptance 7). After (one ingest per
# transaction, facts once per case): 6.2 per completion (3.9 per event), whatever the events
# a completion appends.
FEED_PER_COMPLETION = 7


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(budget.NOW, tick=True):
        yield


def _walk_counting_the_feed(world, app, capture, monkeypatch):
    """Claim and complete every task through the API; per completion: (queries in the
    request's counted window, queries of its after-commit callbacks, events appended)."""
    from permits.models import Event

    rows = []
    spent: list[int] = []
    ingest_events = ingest.ingest_events

    def counted(*args, **kwargs):
        with CaptureQueriesContext(connection) as q:
            result = ingest_events(*args, **kwargs)
        spent.append(sum(1 for x in q.captured_queries if not _CONTROL.match(x["sql"])))
        return result

    monkeypatch.setattr(ingest, "ingest_events", counted)

    def act(task, user, body):
        client = budget._client(user)
        for url, data in (
            (f"/api/v1/tasks/{task.pk}/claim/", None),
            (f"/api/v1/tasks/{task.pk}/complete/", body),
        ):
            before = Event.objects.count()
            with capture(execute=False) as callbacks:
                request_queries = budget._post(client, url, data)
            spent.clear()
            with CaptureQueriesContext(connection) as after_commit:
                for callback in callbacks:
                    callback()
            if url.endswith("complete/"):
                rows.append(
                    (request_queries, sum(spent), len(after_commit), Event.objects.count() - before)
                )

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


def test_the_feed_costs_a_few_queries_per_completion_and_counts_every_event(
    django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):  # committed, and fed, before
        world = build_world(6, stages={0: ["undertake", "check", "sign"]})
        app = submitted_case(world)
    rows = _walk_counting_the_feed(world, app, django_capture_on_commit_callbacks, monkeypatch)
    completions = len(rows)
    feed = sum(r[1] for r in rows)
    after_commit = sum(r[2] for r in rows)
    events = sum(r[3] for r in rows)
    print(  # noqa: T201  (the measurement, with -s)
        f"\n{completions} completions, {events} events: {sum(r[0] for r in rows)} queries in"
        f" the requests' counted windows; after commit {after_commit}, of which the statistics"
        f" feed {feed} ({feed / completions:.1f} per completion, {feed / events:.1f} per event)"
    )
    assert feed / completions <= FEED_PER_COMPLETION, rows
    # every event of the completions counted, and the case's facts written
    from permits.models import Event

    counted = set(CountedEvent.objects.values_list("event_id", flat=True))
    walked = Event.objects.filter(application=app).order_by("pk").values_list("pk", flat=True)
    assert set(walked[len(walked) - events :]) <= counted
    fact = CaseFact.objects.get(application_id=app.pk)
    assert fact.outcome == "approved"
    assert DailyFigure.objects.filter(approved__gt=0).exists()
