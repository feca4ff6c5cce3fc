"""Only one Celery beat schedules at a time (workflow.deadlines.beat)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from celery.beat import PersistentScheduler
from django.utils import timezone

from onestop.celery import app as celery_app
from workflow.deadlines.beat import RETRY_SECONDS, AdvisoryLock, LeaseLock, SingleBeatScheduler


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_advisory_lock_admits_one_holder_until_it_lets_go():
    first, second = AdvisoryLock("beat-test"), AdvisoryLock("beat-test")
    try:
        assert first.acquire()
        assert first.acquire()  # renewing what one holds
        assert not second.acquire()
        first.release()  # the holder's session ends (also what a crash does)
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


@pytest.mark.django_db
def test_the_lease_lock_admits_one_holder_until_the_lease_runs_out():
    first, second = LeaseLock("lease-test", lease_seconds=60), LeaseLock("lease-test", 60)
    assert first.acquire()
    assert not second.acquire()
    assert first.acquire()  # renewed
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert second.acquire()  # the first beat died without renewing
        assert not first.acquire()
    second.release()
    assert first.acquire()


@pytest.mark.django_db
def test_a_second_beat_sends_nothing(tmp_path):
    holder = SingleBeatScheduler(app=celery_app, schedule_filename=str(tmp_path / "a"), lazy=True)
    idle = SingleBeatScheduler(app=celery_app, schedule_filename=str(tmp_path / "b"), lazy=True)
    holder._beat_lock = LeaseLock("beat-sched-test")
    idle._beat_lock = LeaseLock("beat-sched-test")
    with mock.patch.object(PersistentScheduler, "tick", return_value=1.0) as tick:
        assert holder.tick() == 1.0
        assert idle.tick() == RETRY_SECONDS
        assert idle.tick() == RETRY_SECONDS
    assert tick.call_count == 1  # only the holder's tick ran the schedule
    holder._beat_lock.release()


def test_the_beat_schedule_sweeps_every_minute(settings):
    import notifications.tasks  # noqa: F401 - registered as the worker would, by autodiscovery
    import workflow.tasks  # noqa: F401

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-deadlines"]
    assert entry["task"] == "workflow.sweep_deadlines"
    assert entry["schedule"] == 60.0
    assert settings.CELERY_BEAT_SCHEDULER == "workflow.deadlines.beat:SingleBeatScheduler"
    assert "workflow.sweep_deadlines" in celery_app.tasks
    task = celery_app.tasks["workflow.deadline_followup"]
    assert task.acks_late and task.reject_on_worker_lost and task.time_limit
    bulk = celery_app.tasks["workflow.deadline_followups"]  # the batches (deadlines/followup.py)
    assert bulk.acks_late and bulk.reject_on_worker_lost and bulk.time_limit
    assert celery_app.tasks["notifications.notify_events"].acks_late
