"""The notification centre: notices from case events (once), deliveries through pluggable
backends (retried, recorded, never breaking the case), masked personal data, the pages."""

from __future__ import annotations

import http.server
import json
import logging
import threading
from unittest import mock

import pytest
from django.urls import reverse

from departments.models import Role
from notifications import services
from notifications.backends import DeliveryError, HttpSmsGatewayBackend, Message
from notifications.messages import render
from notifications.models import Delivery, Notification
from permits.models import Event
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import case_in_review, sh
from workflow.deadlines import sweep

pytestmark = pytest.mark.django_db


def notify_all(app) -> None:
    for event in Event.objects.filter(application=app).order_by("pk"):
        services.notify_for_event(event_id=event.pk)


def test_acceptance_notifies_the_applicant_once_in_chinese(work_calendar):
    world, app = case_in_review(1)
    accepted = Event.objects.get(application=app, action="accepted")
    services.notify_for_event(event_id=accepted.pk)
    services.notify_for_event(event_id=accepted.pk)  # a redelivered message
    notices = list(Notification.objects.filter(event=accepted))
    assert len(notices) == 1
    notice = notices[0]
    assert notice.recipient == world.citizen and notice.kind == "accepted"
    assert app.number in notice.title and "受理" in notice.title
    assert "承诺办结" in notice.body
    # The applicant is told by SMS too, once.
    sms = Delivery.objects.get(notification=notice, channel="sms")
    assert sms.to == world.person.phone and sms.status == "pending"


def test_messages_never_carry_a_full_id_number():
    title, body = render("general", {"text": "身份证 44530219900101001X 已核验"})
    assert "44530219900101001X" not in body
    assert "445**************X" in body


def test_escalation_reaches_heads_and_region_supervisors(work_calendar):
    world, app = case_in_review(1)
    dept = world.departments[0]
    head = f.staff(dept, Role.HEAD)
    region_supervisor = f.supervisor(dept.region, f.department())
    other_region = f.region("445302", "云城区", level="county", parent=None)
    outsider = f.supervisor(other_region, f.department(reg=other_region))
    sweep.sweep_inline(now=sh(2026, 3, 10, 0, 0, 1))
    escalated = Event.objects.get(application=app, action="task_escalated")
    services.notify_for_event(event_id=escalated.pk)
    recipients = set(
        Notification.objects.filter(event=escalated).values_list("recipient", flat=True)
    )
    assert recipients == {head.pk, region_supervisor.pk}
    assert outsider.pk not in recipients
    notice = Notification.objects.get(event=escalated, recipient=head)
    assert notice.kind == "escalated" and dept.name in notice.body


def test_warnings_go_to_the_task_holder(work_calendar):
    world, app = case_in_review(1)
    reviewer = world.reviewer(world.departments[0])
    sweep.sweep_inline(now=sh(2026, 3, 7, 0, 0, 1))
    warning = Event.objects.get(application=app, action="task_warning")
    services.notify_for_event(event_id=warning.pk)
    notice = Notification.objects.get(event=warning)
    assert notice.recipient == reviewer and notice.kind == "warning"


def test_events_enqueue_notification_after_commit_only(
    work_calendar, django_capture_on_commit_callbacks
):
    world, app = case_in_review(1)
    with mock.patch("outbox.relay._publish_one") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            event = Event.objects.create(application=app, action="approved")
            assert publish.call_count == 0  # not before commit
        Event.objects.create(application=app, action="task_claimed")  # notifies nobody
    publish.assert_called_once()
    message = publish.call_args.args[0]
    assert (message.task_name, message.args) == ("notifications.notify_event", [event.pk])


def test_a_broker_outage_never_breaks_the_case(work_calendar, django_capture_on_commit_callbacks):
    world, app = case_in_review(1)
    with (
        mock.patch("outbox.relay._publish_one", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        Event.objects.create(application=app, action="approved")
    # The catch-up of the beat finds the event later.
    with mock.patch("notifications.services.enqueue_many") as enqueue:
        from datetime import timedelta

        from django.utils import timezone

        result = services.catch_up(now=timezone.now() + timedelta(minutes=5))
    assert result["events"] >= 1
    assert enqueue.called


def test_logging_backends_mask_the_phone(work_calendar, caplog):
    world, app = case_in_review(1)
    notify_all(app)
    delivery = Delivery.objects.filter(channel="sms").first()
    with caplog.at_level(logging.INFO, logger="notifications"):
        assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    assert world.person.phone not in caplog.text
    assert world.person.phone[-4:] in caplog.text
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at
    assert services.delivery_send(delivery_id=delivery.pk) == "skipped"  # sent once


class _Gateway(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's API
        length = int(self.headers["Content-Length"])
        _Gateway.received.append(
            {"body": json.loads(self.rfile.read(length)), "auth": self.headers["Authorization"]}
        )
        code = _Gateway.answers.pop(0) if _Gateway.answers else 200
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "gw-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.answers, _Gateway.received = [], []
    settings.SMS_BACKEND = "notifications.backends.HttpSmsGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    yield _Gateway
    server.shutdown()


def test_http_gateway_failures_are_retried_then_recorded(work_calendar, gateway):
    world, app = case_in_review(1)
    notify_all(app)
    delivery = Delivery.objects.filter(channel="sms").first()
    gateway.answers = [503]
    assert services.delivery_send(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "503" in delivery.last_error
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.provider_id == "gw-1" and delivery.attempts == 2
    sent = gateway.received[-1]
    assert sent["auth"] == "Bearer secret-token"
    assert sent["body"]["phone"] == world.person.phone
    assert sent["body"]["reference"] == f"onestop-delivery-{delivery.pk}"
    assert sent["body"]["content"].startswith("【云浮政务服务】")


def test_http_gateway_refusal_is_permanent(work_calendar, gateway):
    world, app = case_in_review(1)
    notify_all(app)
    delivery = Delivery.objects.filter(channel="sms").first()
    gateway.answers = [400]
    assert services.delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    app.refresh_from_db()
    assert app.status == "in_review"  # the case never notices


def test_gateway_unreachable_is_a_passing_failure(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # nothing listens on the discard port
    with pytest.raises(DeliveryError) as info:
        HttpSmsGatewayBackend().send(Message("13800000000", "s", "b", "ref"))
    assert not info.value.permanent


def test_notification_pages(work_calendar, client):
    world, app = case_in_review(1)
    notify_all(app)
    client.force_login(world.citizen)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert app.number in html
    assert 'data-testid="notifications-unread"' in html  # the header's unread count
    mine = Notification.objects.filter(recipient=world.citizen).first()
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=world.citizen, read_at__isnull=True).exists()
    # Someone else's notice answers 404 and stays unread.
    other = f.staff(world.departments[0], Role.HEAD)
    theirs = Notification.objects.create(recipient=other, kind="general", title="t", body="b")
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_count_is_one_query(work_calendar, client, django_assert_max_num_queries):
    world, app = case_in_review(1)
    notify_all(app)
    client.force_login(world.citizen)
    client.get(reverse("notifications:list"))
    from notifications.context_processors import _LazyCount

    counter = _LazyCount(world.citizen)
    with django_assert_max_num_queries(1):
        assert counter() == counter() > 0


def test_acceptance_notice_names_the_promised_due_the_case_page_shows(work_calendar, client):
    """Issue 14 item 3: the notice once named the acceptance task's due as the promised
    completion. Accepted a day after submission, so the two dues differ."""
    from tests.workflow.deadlines.helpers import travel
    from tests.workflow.journey import accept, build_world, submitted_case
    from workflow.deadlines import dues
    from workflow.models import CaseTask

    with travel(sh(2026, 3, 2)):
        world = build_world(1)
        app = submitted_case(world)
    with travel(sh(2026, 3, 3)):
        accept(world, app)
    app.refresh_from_db()
    acceptance_task = CaseTask.objects.get(application=app, kind="acceptance")
    promised = dues.promised_due(app)
    assert promised is not None
    assert promised.date() != acceptance_task.due_at.date()
    accepted = Event.objects.get(application=app, action="accepted")
    services.notify_for_event(event_id=accepted.pk)
    notice = Notification.objects.get(event=accepted)
    shown = dues.format_due(promised)
    assert shown in notice.body
    assert dues.format_due(acceptance_task.due_at) not in notice.body
    # The case page shows the same date.
    client.force_login(world.citizen)
    page = client.get(reverse("portal:case_detail", kwargs={"number": app.number}))
    assert shown in page.content.decode()
