"""The background feed (``stats.feed``): the request queues the committed events' ids in Redis
(nothing for a rolled-back transaction, no SQL), ONE drain task is published while ids are
pending, the drain feeds them in batches (a case's facts once per batch), a duplicate counts
once, and the beat's catch-up counts what Redis lost. The board says up to when it is fed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.choices import EventAction as A
from stats import feed, ingest
from stats.models import CaseFact, CountedEvent, DailyFigure
from tests.statistics import worked
from tests.statistics.feeding import committed, feed_now, forget_pending
from tests.workflow import factories as f
from workflow.services.events import event_append

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def published(monkeypatch):
    """The drain tasks published (not sent to the broker)."""
    calls: list[int] = []
    monkeypatch.setattr(feed, "_publish", lambda: calls.append(1))
    return calls


@pytest.fixture
def item(work_calendar):
    return f.published_item(lead=f.department(name="市发展和改革局"))


def _case(item, n=1):
    return worked._case(n, item, channel="online", due=worked.end_of(30))


def _ev(app, action, day, hour=9):
    return event_append(application=app, actor=None, action=action, at=worked.at(day, hour))


def test_the_request_queues_after_commit_only_and_without_sql(
    item, published, django_capture_on_commit_callbacks
):
    app = _case(item)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted = _ev(app, A.SUBMITTED, 2)
        accepted = _ev(app, A.ACCEPTED, 2, 10)
    assert feed.pending_count() == 0  # not committed yet: nothing queued
    with CaptureQueriesContext(connection) as q:
        for callback in callbacks:
            if isinstance(getattr(callback, "__self__", None), feed._Batch):
                callback()
    assert len(q) == 0
    assert feed.pending_count() == 2
    assert published == [1]  # one drain for the transaction's two events
    assert not CountedEvent.objects.exists()
    assert feed_now() == 2
    assert set(CountedEvent.objects.values_list("event_id", flat=True)) == {
        submitted.pk,
        accepted.pk,
    }


def test_a_rolled_back_transaction_queues_nothing(
    item, published, django_capture_on_commit_callbacks
):
    app = _case(item)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _ev(app, A.SUBMITTED, 2)
                raise RuntimeError("the move failed")
        except RuntimeError:
            pass
        kept = _ev(app, A.SUBMITTED, 3)  # a later transaction starts a batch of its own
    assert feed.pending_count() == 1
    assert feed_now() == 1
    assert list(CountedEvent.objects.values_list("event_id", flat=True)) == [kept.pk]


def test_one_drain_is_published_while_ids_are_pending(
    item, published, django_capture_on_commit_callbacks
):
    app = _case(item)
    for day in (2, 3, 4):
        with django_capture_on_commit_callbacks(execute=True):
            _ev(app, A.SUPPLEMENT_REQUESTED, day)
    assert published == [1]  # the flag was set by the first commit
    assert feed_now() == 3
    with django_capture_on_commit_callbacks(execute=True):
        _ev(app, A.SUPPLEMENT_REQUESTED, 5)
    assert published == [1, 1]  # the drain cleared the flag: the next commit publishes again
    assert feed_now() == 1


def test_the_drain_feeds_batches_and_a_case_once_per_batch(
    item, published, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.STATISTICS_FEED_BATCH = 4
    cases = [_case(item, n) for n in (1, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        for app in cases:
            for action, day in ((A.SUBMITTED, 2), (A.ACCEPTED, 2), (A.APPROVED, 3)):
                _ev(app, action, day)
    assert feed.pending_count() == 6
    batches: list[list[int]] = []
    refreshed: list[list[int]] = []
    real_ingest, real_refresh = ingest.ingest_events, ingest.refresh_facts

    def ingest_events(ids):
        batches.append(list(ids))
        return real_ingest(ids)

    def refresh_facts(ids):
        refreshed.append(sorted(set(ids)))
        return real_refresh(ids)

    monkeypatch.setattr(feed, "ingest_events", ingest_events)
    monkeypatch.setattr(ingest, "refresh_facts", refresh_facts)
    assert feed_now() == 6
    assert [len(b) for b in batches] == [4, 2]
    assert len(refreshed) == 2  # one recomputation per batch, whatever its events
    assert all(len(ids) == len(set(ids)) for ids in refreshed)
    assert feed.pending_count() == 0
    assert CaseFact.objects.filter(outcome="approved").count() == 2
    assert sum(DailyFigure.objects.values_list("approved", flat=True)) == 2


def test_an_event_queued_twice_or_after_it_was_fed_counts_once(
    item, published, django_capture_on_commit_callbacks
):
    app = _case(item)
    with committed(django_capture_on_commit_callbacks):
        approved = _ev(app, A.APPROVED, 3)
    feed.record([approved.pk, approved.pk])
    feed.case_changed_received(None, event_id=approved.pk)  # the after-commit signal again
    assert feed_now() == 0
    assert CountedEvent.objects.count() == 1
    assert sum(DailyFigure.objects.values_list("approved", flat=True)) == 1


def test_the_catch_up_counts_what_redis_lost_and_runs_on_the_beat(
    item, published, django_capture_on_commit_callbacks
):
    from onestop.celery import app as celery_app

    app = _case(item)
    with django_capture_on_commit_callbacks(execute=True):
        _ev(app, A.SUBMITTED, 2)
        _ev(app, A.APPROVED, 3)
    forget_pending()  # Redis restarted, or a worker died after its SPOP
    assert feed_now() == 0 and not CountedEvent.objects.exists()
    celery_app.loader.import_default_modules()
    result = celery_app.tasks["statistics.catch_up"].apply().get()
    assert result["missing"] == 2
    assert CountedEvent.objects.count() == 2
    assert CaseFact.objects.get(application_id=app.pk).outcome == "approved"
    assert celery_app.tasks["statistics.catch_up"].apply().get()["missing"] == 0
    entry = settings.CELERY_BEAT_SCHEDULE["statistics-catch-up"]
    assert entry["task"] == "statistics.catch_up"
    assert entry["schedule"] == settings.STATISTICS_CATCH_UP_SECONDS <= 600
    assert celery_app.tasks["statistics.feed"].acks_late


def test_the_catch_up_looks_at_recent_ids_and_at_the_whole_log_once_a_day(
    item, published, django_capture_on_commit_callbacks
):
    """At millions of events the catch-up does not anti-join the whole log every five minutes:
    it looks above the newest id noted two runs before (a transaction has a whole interval to
    commit), and at everything once every STATISTICS_CATCH_UP_FULL_SECONDS or when its marks
    are gone."""
    day = settings.STATISTICS_CATCH_UP_FULL_SECONDS
    t0 = 1_800_000_000.0
    app = _case(item)
    with django_capture_on_commit_callbacks(execute=True):
        early = _ev(app, A.SUBMITTED, 2)
    feed_now()
    first = feed.catch_up(now=t0)
    assert first["full"] and first["from"] == 0 and first["missing"] == 0
    second = feed.catch_up(now=t0 + 300)
    assert not second["full"] and second["from"] == 0  # no id noted two runs before yet
    lost = _ev(app, A.ACCEPTED, 2, 10)  # committed, never queued (Redis lost it)
    third = feed.catch_up(now=t0 + 600)
    assert not third["full"] and 0 < third["from"] < lost.pk
    assert third["missing"] == 1
    assert CountedEvent.objects.filter(event_id=lost.pk).exists()
    # An uncounted event below the marks: the incremental runs do not see it, the daily one does.
    CountedEvent.objects.filter(event_id=early.pk).delete()
    fourth = feed.catch_up(now=t0 + 900)
    assert not fourth["full"] and fourth["from"] >= early.pk and fourth["missing"] == 0
    daily = feed.catch_up(now=t0 + day)
    assert daily["full"] and daily["missing"] == 1
    forget_pending()  # the marks gone (Redis restarted): the next run looks at everything
    assert feed.catch_up(now=t0 + day + 300)["full"]


def test_redis_down_never_fails_the_request(item, monkeypatch, django_capture_on_commit_callbacks):
    import redis

    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(feed, "redis_client", lambda: down)
    app = _case(item)
    with django_capture_on_commit_callbacks(execute=True):
        _ev(app, A.SUBMITTED, 2)  # queued nowhere: logged, counted by the catch-up
    monkeypatch.undo()
    assert not CountedEvent.objects.exists()
    assert ingest.ingest_missing().events == 1


def test_inline_feeds_in_the_committing_process(item, settings, django_capture_on_commit_callbacks):
    settings.STATISTICS_FEED = "inline"
    app = _case(item)
    with django_capture_on_commit_callbacks(execute=True):
        _ev(app, A.SUBMITTED, 2)
    assert feed.pending_count() == 0
    assert CountedEvent.objects.count() == 1


def test_eager_celery_feeds_at_once_through_the_task(
    item, celery_eager, django_capture_on_commit_callbacks
):
    app = _case(item)
    with django_capture_on_commit_callbacks(execute=True):
        _ev(app, A.SUBMITTED, 2)
    assert feed.pending_count() == 0
    assert CountedEvent.objects.count() == 1


def test_the_board_says_up_to_when_it_is_fed(
    item, published, client, django_capture_on_commit_callbacks
):
    sup = f.supervisor(item.region, item.lead_department)
    client.force_login(sup)
    url = f"{reverse('statistics:board')}?start=2026-11-01&end=2026-11-30"
    html = client.get(url).content.decode()
    assert 'data-testid="updated-to"' in html
    app = _case(item)
    with committed(django_capture_on_commit_callbacks):
        _ev(app, A.SUBMITTED, 2)
        _ev(app, A.ACCEPTED, 4, 15)
    with django_capture_on_commit_callbacks(execute=True):
        _ev(app, A.APPROVED, 5)  # queued, not fed yet
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Updated to 2026-11-04 15:00:00" in html
    assert "1 more changes are waiting to be counted." in html
    feed_now()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Updated to 2026-11-05 09:00:00" in html
    assert "waiting to be counted" not in html
