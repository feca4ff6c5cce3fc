"""A real Celery worker on the real Redis broker (not eager mode), against the test database:
it runs a sweep and the notices that follow; and a worker killed with SIGKILL in the middle of
a batch, then restarted, applies every threshold exactly once.

The worker is a subprocess (``celery -A onestop worker``) with ``REDIS_URL`` on this
engineer's Redis database and ``DATABASE_URL`` on the test database; the test sends it tasks
by name and polls the database with a generous limit.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.conf import settings

from departments.models import Role
from notifications.models import Delivery, Notification
from permits.models import Event
from tests.celery_worker import Worker
from tests.conftest import suite_redis_url
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import case_in_review, eod, review_tasks
from workflow.deadlines import sweep as deadlines
from workflow.models import CaseTask, DeadlineMark

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

# The suite's own Redis database (tests/conftest.py): where this process publishes (the
# applicant's notices of the events made here) and where the worker listens. They once
# differed (this process published to REDIS_URL's db 0), so the worker never saw those messages.
BROKER = os.environ.get("DEADLINES_TEST_BROKER") or suite_redis_url()
SWEEP_AT = "2026-03-10T00:00:01+08:00"


def _broker():
    import redis

    return redis.Redis.from_url(BROKER)


@pytest.fixture
def broker():
    try:
        client = _broker()
        client.ping()
    except Exception:  # pragma: no cover - the root conftest skips redis tests loudly
        pytest.skip("SERVER MISSING: Redis")
    client.flushdb()  # this engineer's own database number: only our test queues live here
    yield client
    client.flushdb()


@pytest.fixture
def worker(broker):
    w = Worker(broker=BROKER)
    yield w
    w.kill()


def _send(name: str, **kwargs) -> None:
    from celery import Celery

    app = Celery("deadlines-test", broker=BROKER)
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS | {
        "visibility_timeout": 10
    }
    with app.connection_for_write() as conn:
        app.send_task(name, kwargs=kwargs, connection=conn)


def _wait(predicate, *, limit: float, worker: Worker, what: str) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    from outbox.models import OutboxMessage

    state = {
        "marks": DeadlineMark.objects.count(),
        "unprocessed marks": DeadlineMark.objects.filter(processed_at__isnull=True).count(),
        "unsent outbox rows": list(
            OutboxMessage.objects.filter(sent_at__isnull=True).values_list("task_name", "args")[:5]
        ),
    }
    pytest.fail(f"timed out waiting for {what} ({state}); worker log:\n{worker.tail()}")


def test_a_real_worker_runs_the_sweep_and_sends_the_notices(work_calendar, worker):
    world, app = case_in_review(1)
    head = f.staff(world.departments[0], Role.HEAD)
    worker.start()
    _send("workflow.sweep_deadlines", now=SWEEP_AT)

    def done() -> bool:
        escalated = Event.objects.filter(application=app, action="task_escalated").first()
        if escalated is None:
            return False
        return Delivery.objects.filter(
            notification__event=escalated, notification__recipient=head, status="sent"
        ).exists() or (
            not head.email and Notification.objects.filter(event=escalated, recipient=head).exists()
        )

    _wait(done, limit=120, worker=worker, what="the escalation notice")
    task = review_tasks(app)[0]
    assert task.warning == "red"
    assert DeadlineMark.objects.filter(task=task, threshold="red").count() == 1
    assert DeadlineMark.objects.filter(task=task, processed_at__isnull=True).count() == 0
    notice = Notification.objects.get(event__action="task_escalated", recipient=head)
    assert notice.kind == "escalated" and app.number in notice.title
    # The applicant's notices of the case's events were sent by the worker as well.
    _wait(
        lambda: Delivery.objects.filter(
            notification__recipient=world.citizen, channel="sms", status="sent"
        ).exists(),
        limit=60,
        worker=worker,
        what="the applicant's SMS",
    )


def _many_overdue_tasks(template: CaseTask, count: int) -> None:
    CaseTask.objects.bulk_create(
        [
            CaseTask(
                kind=template.kind,
                stage=template.stage,
                application_id=template.application_id,
                department_id=template.department_id,
                participation_id=template.participation_id,
                item_id=template.item_id,
                region_id=template.region_id,
                due_at=eod(2026, 3, 9),
                yellow_at=eod(2026, 3, 6),
            )
            for _ in range(count)
        ]
    )


def test_a_worker_killed_mid_batch_applies_every_threshold_exactly_once(work_calendar, worker):
    world, app = case_in_review(1)
    f.staff(world.departments[0], Role.HEAD)  # someone to escalate to
    _many_overdue_tasks(review_tasks(app)[0], 299)
    total = CaseTask.objects.filter(application=app, kind="review").count()
    assert total == 300
    # Batches of 10 marks (not 500): the bulk follow-up of 300 tasks would otherwise be one
    # transaction, done before the worker can be killed in the middle of the work.
    small_batches = {"DEADLINE_FOLLOWUP_BATCH": "10"}
    worker.start(concurrency=2, extra_env=small_batches)
    _send("workflow.sweep_deadlines", now=SWEEP_AT)

    def processed() -> int:
        return DeadlineMark.objects.filter(processed_at__isnull=False).count()

    # Kill it (and its pool) with SIGKILL while follow-ups are under way.
    _wait(lambda: processed() >= 20, limit=120, worker=worker, what="the first follow-ups")
    worker.kill(signal.SIGKILL)
    left = DeadlineMark.objects.filter(processed_at__isnull=True).count()
    assert left > 0, "the worker finished before it could be killed: raise the count"

    worker.start(concurrency=2, extra_env=small_batches)
    expected = 2 * total  # a red mark and an escalation mark per task

    relayed = {"at": 0.0}

    def settled() -> bool:
        # The beat's relay tick (every OUTBOX_RELAY_SECONDS): this test runs no beat, so it
        # sends the relay itself; what the killed worker committed but never published is sent.
        if time.monotonic() - relayed["at"] > 5:
            _send("outbox.relay")
            # And the beat's sweep tick re-enqueues follow-ups whose message was lost with the
            # killed worker (published, taken, never acknowledged): ``catch_up_followups``, as
            # ``workflow.sweep_deadlines`` runs it every minute, after 30 s here.
            deadlines.catch_up_followups(older_than_seconds=30)
            relayed["at"] = time.monotonic()
        return (
            DeadlineMark.objects.count() == expected
            and not DeadlineMark.objects.filter(processed_at__isnull=True).exists()
        )

    _wait(settled, limit=240, worker=worker, what="every follow-up after the restart")
    assert DeadlineMark.objects.filter(threshold="red").count() == total
    assert DeadlineMark.objects.filter(threshold="escalated").count() == total
    assert Event.objects.filter(application=app, action="task_overdue").count() == total
    assert Event.objects.filter(application=app, action="task_escalated").count() == total
    assert CaseTask.objects.filter(application=app, kind="review", warning="red").count() == total
    # The sweep again (a beat tick after the restart) changes nothing.
    _send("workflow.sweep_deadlines", now=SWEEP_AT)
    time.sleep(3)
    assert DeadlineMark.objects.count() == expected
