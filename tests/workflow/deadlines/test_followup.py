"""The bulk follow-up (workflow.deadlines.followup, notifications.bulk): the same events, marks,
notices and deliveries as the per-row path, nothing written twice, and a constant number of
queries per batch whatever the number of due rows."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from departments.models import Role
from notifications import bulk
from notifications import services as notification_services
from notifications.models import Delivery, EventNotified, Notification
from notifications.rules import RULES
from outbox.models import OutboxMessage
from permits.models import Event
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import (
    case_in_review,
    recorded,
    review_tasks,
    sh,
    travel,
)
from tests.workflow.journey import approve_department
from workflow.deadlines import followup, sweep
from workflow.models import CaseTask, DeadlineMark, MarkingBatch

pytestmark = pytest.mark.django_db

# Yellow, then red (escalation on one case, a deemed approval on the other), then the case
# clock's yellow and red.
MOMENTS = [sh(2026, 3, 7, 0, 0, 1), sh(2026, 3, 10, 0, 0, 1), sh(2026, 3, 14, 0, 0, 1)]
MOMENTS += [sh(2026, 3, 17, 0, 0, 1)]


def _world():
    """Two cases in review: two departments that escalate; three that deem approval, two of
    which answer in time. Heads (with e-mail and phone) and a supervisor of the region, so the
    notices have recipients and deliveries."""
    world, app = case_in_review(2)
    deemed_world, deemed_app = case_in_review(3, deemed=True)
    with travel(sh(2026, 3, 4)):
        approve_department(deemed_world, deemed_app, deemed_world.departments[0])
        approve_department(deemed_world, deemed_app, deemed_world.departments[1])
    for n, dept in enumerate([*world.departments, *deemed_world.departments, world.lead]):
        head = f.staff(dept, Role.HEAD, email=f"head{n}@example.cn")
        f.Person.objects.create(
            user=head, real_name=f"李{n}", id_number=f.resident_id(900 + n), phone=f"1390000{n:04d}"
        )
    f.supervisor(world.lead.region, world.lead)
    return [app, deemed_app]


def _drain_outbox(since: int) -> None:
    """Run the notices' messages written since outbox row ``since`` as the worker would."""
    done: set[int] = set()
    while True:
        messages = list(
            OutboxMessage.objects.filter(
                pk__gt=since,
                task_name__in=["notifications.notify_event", "notifications.notify_events"],
            )
            .exclude(pk__in=done)
            .order_by("pk")
        )
        if not messages:
            return
        for message in messages:
            done.add(message.pk)
            if message.task_name == "notifications.notify_event":
                notification_services.notify_for_event(event_id=message.args[0])
            else:
                bulk.notify_for_events(event_ids=message.args[0])


def _last(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _run(inline) -> dict:
    """Every sweep of MOMENTS with ``inline``'s follow-up and the notices; what they wrote,
    with ids that differ between runs replaced by what they name."""
    models = (Event, DeadlineMark, Notification, Delivery, OutboxMessage, CaseTask)
    start = {m: _last(m) for m in models}
    for moment in MOMENTS:
        with travel(moment):
            inline(now=moment)
            _drain_outbox(start[OutboxMessage])
    # Tasks opened during the run (the decision after a deemed approval) by what they are.
    new_tasks = {
        t.pk: f"<{t.application_id} {t.kind} {t.department_id} {t.stage}>"
        for t in CaseTask.objects.filter(pk__gt=start[CaseTask])
    }

    def task_key(pk):
        return new_tasks.get(pk, pk)

    def url_key(url: str) -> str:
        for pk, key in new_tasks.items():
            url = url.replace(f"/tasks/{pk}/", f"/tasks/{key}/")
        return url

    marks = {
        m.pk: (task_key(m.task_id), m.application_id, m.threshold)
        for m in DeadlineMark.objects.filter(pk__gt=start[DeadlineMark])
    }

    def event_key(e: Event) -> tuple:
        data = dict(e.data or {})
        if "mark" in data:
            data["mark"] = marks[data["mark"]]
        if "task" in data:
            data["task"] = task_key(data["task"])
        return (
            e.application_id,
            e.action,
            e.department_id,
            e.actor_id,
            e.note,
            e.status_before,
            e.status_after,
            str(e.at),
            sorted(data.items(), key=str),
        )

    events = {e.pk: event_key(e) for e in Event.objects.filter(pk__gt=start[Event])}
    notices = {
        n.pk: (
            events[n.event_id],
            n.recipient_id,
            n.kind,
            n.title,
            n.body,
            n.params,
            url_key(n.url),
        )
        for n in Notification.objects.filter(pk__gt=start[Notification])
    }
    deliveries = Delivery.objects.filter(pk__gt=start[Delivery])
    pending = {d.pk for d in deliveries if d.status == "pending"}
    enqueued = {
        args[0]
        for args in OutboxMessage.objects.filter(
            pk__gt=start[OutboxMessage], task_name="notifications.deliver"
        ).values_list("args", flat=True)
    }
    assert pending == enqueued  # each pending delivery has its message
    notifying = Event.objects.filter(pk__gt=start[Event], action__in=list(RULES))
    assert not notifying.exclude(pk__in=EventNotified.objects.values("event_id")).exists()
    return {
        "events": sorted(map(repr, events.values())),
        "marks": sorted(
            repr(
                (
                    task_key(m.task_id),
                    m.application_id,
                    m.department_id,
                    m.threshold,
                    m.due_at,
                    m.created_at,
                    m.processed_at,
                )
            )
            for m in DeadlineMark.objects.filter(pk__gt=start[DeadlineMark])
        ),
        "notices": sorted(map(repr, notices.values())),
        "deliveries": sorted(
            repr((notices[d.notification_id], d.channel, d.to, d.status)) for d in deliveries
        ),
        "tasks": sorted(
            (str(task_key(pk)), *rest)
            for pk, *rest in CaseTask.objects.values_list("pk", "status", "warning", "opinion")
        ),
    }


def test_bulk_follow_up_writes_what_the_per_row_path_writes(work_calendar):
    apps = _world()
    with transaction.atomic():
        per_row = _run(sweep.sweep_inline)
        transaction.set_rollback(True)
    bulk_run = _run(followup.sweep_inline)
    # Something of every kind was written, and exactly the same.
    actions = " ".join(bulk_run["events"])
    for action in ("task_warning", "task_overdue", "task_escalated", "case_warning"):
        assert action in actions
    assert "department_deemed_approved" in actions
    assert "case_overdue" in actions
    assert len(bulk_run["notices"]) > len(bulk_run["events"]) / 2
    assert bulk_run["deliveries"]
    assert bulk_run == per_row
    assert DeadlineMark.objects.filter(application__in=apps, processed_at__isnull=True).count() == 0


def test_bulk_follow_up_run_twice_writes_nothing_twice(work_calendar):
    _world()
    moment = sh(2026, 3, 10, 0, 0, 1)
    with travel(moment):
        result = sweep.sweep(now=moment)  # enqueues, nothing runs yet
        [batch_id] = result.batch_ids  # two reviews that escalate, one deemed approval
        assert DeadlineMark.objects.count() == 0  # the follow-up writes the marks
        first = followup.process_batch(batch_id=batch_id)
        assert first == {"red": 3, "escalated": 2}
        events = Event.objects.count()
        marks = DeadlineMark.objects.count()
        red = list(DeadlineMark.objects.filter(threshold="red").values_list("pk", flat=True))
        assert len(red) == 3
        # The same message delivered again, and overlapping batches of marks of another worker.
        assert followup.process_batch(batch_id=batch_id) == {"skipped_batch": 1}
        assert followup.process_marks(mark_ids=red) == {"skipped": 3}
        assert followup.process_marks(mark_ids=red[1:]) == {"skipped": 2}
        assert (Event.objects.count(), DeadlineMark.objects.count()) == (events, marks)
        # The notices, made twice from the same messages, are made once.
        ids = list(
            Event.objects.filter(action__in=["task_overdue", "task_escalated"]).values_list(
                "pk", flat=True
            )
        )
        assert len(ids) == 3 + 2
        made = bulk.notify_for_events(event_ids=ids)
        assert made
        counts = (Notification.objects.count(), Delivery.objects.count())
        again = bulk.notify_for_events(event_ids=ids)
        assert sorted(n.pk for n in again) == sorted(n.pk for n in made)
        assert (Notification.objects.count(), Delivery.objects.count()) == counts
        # The deemed approval's mark went to the per-row task, once.
        deemed = DeadlineMark.objects.get(threshold="deemed_approval")
        messages = OutboxMessage.objects.filter(task_name="workflow.deadline_followup")
        assert [m.args for m in messages] == [[deemed.pk]]
        assert sweep.sweep(now=moment).total == 0


def test_a_task_done_before_its_bulk_follow_up_is_left_alone(work_calendar):
    world, app = case_in_review(2)
    moment = sh(2026, 3, 10, 0, 0, 1)
    with travel(moment):
        result = sweep.sweep(now=moment)
        CaseTask.objects.filter(pk=review_tasks(app)[0].pk).update(status="done")
        assert followup.process_batch(batch_id=result.batch_ids[0]) == {
            "stale": 1,
            "red": 1,
            "escalated": 1,
        }
    assert DeadlineMark.objects.filter(processed_at__isnull=True).count() == 0
    assert Event.objects.filter(application=app, action="task_overdue").count() == 1


def _overdue_tasks(template: CaseTask, count: int) -> None:
    CaseTask.objects.bulk_create(
        [
            CaseTask(
                kind=template.kind,
                stage=template.stage,
                application_id=template.application_id,
                department_id=template.department_id,
                item_id=template.item_id,
                region_id=template.region_id,
                participation_id=template.participation_id,
                due_at=template.due_at,
                yellow_at=template.yellow_at,
            )
            for _ in range(count)
        ]
    )


# SQLite's bound-variable limit splits a large bulk INSERT into batches, so there the count
# grows with the rows (the demo's few rows fit in one); the constant count is PostgreSQL's.
@pytest.mark.postgres
def test_queries_per_batch_do_not_grow_with_the_due_rows(work_calendar):
    world, app = case_in_review(2)
    template = review_tasks(app)[0]
    for dept in world.departments:
        f.staff(dept, Role.HEAD, email="head@example.cn")
    f.supervisor(world.lead.region, world.lead)

    def cost(extra: int, moment) -> tuple[int, int]:
        _overdue_tasks(template, extra)
        with travel(moment):
            ids = recorded(sweep.sweep(now=moment))
            start = _last(Event)
            with CaptureQueriesContext(connection) as marks_ctx:
                outcomes = followup.process_marks(mark_ids=ids)
            assert outcomes["red"] == len(ids) and outcomes["escalated"] == len(ids)
            events = list(Event.objects.filter(pk__gt=start).values_list("pk", flat=True))
            assert len(events) == 2 * len(ids)
            with CaptureQueriesContext(connection) as notices_ctx:
                made = bulk.notify_for_events(event_ids=events)
            assert len(made) >= len(events)
        return len(marks_ctx.captured_queries), len(notices_ctx.captured_queries)

    few = cost(3, sh(2026, 3, 10, 0, 0, 1))
    CaseTask.objects.update(warning="none")  # the same tasks due again, on a new due
    CaseTask.objects.update(due_at=sh(2026, 3, 11), yellow_at=sh(2026, 3, 10))
    many = cost(60, sh(2026, 3, 12, 0, 0, 1))
    assert few == many


def test_a_marking_batch_is_followed_up_once_and_a_lost_one_caught_up(work_calendar, settings):
    # The marking writes one batch and its message, not the marks; the batch's follow-up writes
    # them, follows up the first DEADLINE_FOLLOWUP_BATCH and hands the rest on in messages of
    # that size; a batch whose message was lost is enqueued again by the beat's catch-up.
    settings.DEADLINE_FOLLOWUP_BATCH = 2
    world, app = case_in_review(2)
    _overdue_tasks(review_tasks(app)[0], 3)  # five overdue reviews
    moment = sh(2026, 3, 10, 0, 0, 1)
    with travel(moment):
        result = sweep.sweep(now=moment)
    [batch_id] = result.batch_ids
    batch = MarkingBatch.objects.get(pk=batch_id)
    assert (batch.kind, batch.threshold, len(batch.rows), batch.processed_at) == (
        "task",
        "red",
        5,
        None,
    )
    assert DeadlineMark.objects.count() == 0

    def sent():
        messages = OutboxMessage.objects.filter(task_name="workflow.deadline_marking")
        return list(messages.order_by("pk").values_list("args", flat=True))

    assert sent() == [[batch_id]]

    # Three minutes on, the message lost with the broker: the catch-up enqueues the batch again.
    with travel(sh(2026, 3, 10, 0, 3)):
        assert sweep.catch_up_followups() == 1
    assert sent() == [[batch_id], [batch_id]]

    with travel(sh(2026, 3, 10, 0, 4)):
        assert followup.process_batch(batch_id=batch_id) == {"red": 2, "escalated": 2}
        # Delivered twice: the second does nothing.
        assert followup.process_batch(batch_id=batch_id) == {"skipped_batch": 1}
    red = DeadlineMark.objects.filter(threshold="red")
    assert red.count() == 5
    # The marks carry the marking's time, not the follow-up's.
    assert set(red.values_list("created_at", flat=True)) == {batch.created_at}
    assert red.filter(processed_at__isnull=False).count() == 2
    rest = OutboxMessage.objects.filter(task_name="workflow.deadline_followups")
    assert sorted(len(m.args[0]) for m in rest) == [1, 2]
    for message in rest:
        followup.process_marks(mark_ids=message.args[0])
    assert not red.filter(processed_at__isnull=True).exists()
    assert DeadlineMark.objects.filter(threshold="escalated").count() == 5
    with travel(sh(2026, 3, 10, 0, 9)):
        assert sweep.catch_up_followups() == 0  # nothing left to catch up
