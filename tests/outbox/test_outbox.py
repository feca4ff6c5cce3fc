"""The transactional outbox (outbox/, onestop.dispatch): a message exists only if its change
commits, is published right after the commit, and is published later by the relay when the
broker could not take it then."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from onestop.dispatch import enqueue, enqueue_many
from outbox import relay
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


class FakeApp:
    """Stands in for the Celery app: records what it was sent, or fails like a broker down."""

    def __init__(self, *, fail: bool = False) -> None:
        self.sent: list[tuple[str, list, dict]] = []
        self.fail = fail
        self.conf = mock.Mock(task_always_eager=False, task_eager_propagates=False)

    def send_task(self, name, *, args, kwargs, retry):
        assert retry is False  # a broker that is down must fail at once, not block the caller
        if self.fail:
            raise ConnectionError("broker down")
        self.sent.append((name, args, kwargs))


@pytest.fixture
def app(monkeypatch):
    fake = FakeApp()
    monkeypatch.setattr(relay, "_celery_app", lambda: fake)
    return fake


def test_a_rolled_back_change_leaves_no_message_and_sends_nothing(
    app, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue("notifications.notify_event", 1)
        raise RuntimeError("the change fails")
    assert not OutboxMessage.objects.exists()
    assert app.sent == []


def test_a_committed_change_publishes_after_commit_and_marks_the_row_sent(
    app, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue("notifications.notify_event", 7, channel="sms")
        assert app.sent == []  # not before the commit
    assert app.sent == [("notifications.notify_event", [7], {"channel": "sms"})]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_a_broker_that_is_down_leaves_the_row_for_the_relay(
    app, django_capture_on_commit_callbacks
):
    app.fail = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_many("notifications.deliver", [(1,), (2,)])  # the caller never sees the outage
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [r.sent_at for r in rows] == [None, None]
    assert all(r.attempts == 1 and "broker down" in r.last_error for r in rows)

    # The relay waits out the grace period (a fresh row is the after-commit send's) ...
    app.fail = False
    assert relay.relay_pending() == 0
    # ... then publishes everything still unsent, oldest first, once.
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert relay.relay_pending() == 2
        assert relay.relay_pending() == 0
    assert [args for _, args, _ in app.sent] == [[1], [2]]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_the_relay_stops_at_the_first_failure_and_keeps_the_rest(app):
    OutboxMessage.objects.bulk_create([OutboxMessage(task_name="t", args=[i]) for i in range(3)])
    app.fail = True
    assert relay.relay_pending(older_than=timedelta(0)) == 0
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 3
    assert relay.backlog(older_than=timedelta(0)) == 3


def test_sent_rows_are_purged_after_the_retention(app):
    old = OutboxMessage.objects.create(task_name="t", sent_at=timezone.now() - timedelta(days=30))
    recent = OutboxMessage.objects.create(task_name="t", sent_at=timezone.now())
    unsent = OutboxMessage.objects.create(
        task_name="t", created_at=timezone.now() - timedelta(days=30)
    )
    assert relay.purge_sent() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


def test_eager_mode_runs_the_task_in_process(celery_eager, django_capture_on_commit_callbacks):
    from outbox.tasks import relay as relay_task

    with (
        mock.patch.object(relay_task, "run", return_value={}) as run,
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue("outbox.relay")
    run.assert_called_once()
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sent_mark_is_one_statement_that_leaves_the_connection_synchronous(app):
    """A publish costs the database one statement, whose commit does not wait for the disk (a
    mark lost to a crash only means a resend); the connection's next transactions still do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name="notifications.notify_event", args=[i]) for i in (1, 2)]
    )
    with CaptureQueriesContext(connection) as queries:
        assert relay.publish(messages, app=app) == 2
    assert len(queries) == 1
    assert "set_config('synchronous_commit', 'off', true)" in queries[0]["sql"]
    assert [args for _, args, _ in app.sent] == [[1], [2]]
    rows = OutboxMessage.objects.order_by("pk")
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
