"""With the broker stopped, a case still moves and its notices are delivered once the broker
is back: the outbox keeps the messages, the relay publishes them, a real worker sends them.

The broker is a private ``redis-server`` on a spare port, started and stopped by this test —
never the shared one."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings

from notifications.models import Delivery
from outbox import relay
from outbox.models import OutboxMessage
from tests.celery_worker import Worker
from tests.workflow.deadlines.helpers import case_in_review

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_case_moves_with_the_broker_down_and_its_notices_arrive_once_it_is_back(
    work_calendar, private_redis, monkeypatch
):
    # Given: this process publishes to the private broker, which is not running.
    app = Celery("outage-test", broker=private_redis.url)
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    monkeypatch.setattr(relay, "_celery_app", lambda: app)

    # When: a case is submitted and accepted (the acceptance notifies the applicant).
    world, case = case_in_review(1)

    # Then: the case moved, and its messages wait in the outbox, none lost, none sent.
    assert case.status == "in_review"
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert waiting.filter(task_name="notifications.notify_event").exists()
    assert not Delivery.objects.exists()

    # When the broker is back, with a worker on it, the relay's next tick sends the backlog.
    private_redis.start()
    worker = Worker(broker=private_redis.url)
    worker.start()
    try:
        assert relay.relay_pending(app=app, older_than=timedelta(0)) >= 1
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            sms = Delivery.objects.filter(
                notification__recipient=world.citizen, channel="sms", status="sent"
            )
            if sms.exists():
                break
            time.sleep(0.25)
        else:
            pytest.fail(f"the applicant's SMS never arrived; worker log:\n{worker.tail()}")
        assert not OutboxMessage.objects.filter(
            task_name="notifications.notify_event", sent_at__isnull=True
        ).exists()
    finally:
        worker.kill()
