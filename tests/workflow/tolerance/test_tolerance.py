"""容缺受理 (workflow.tolerance): acceptance with a missing required material is tolerated or
refused; the decision waits for the tolerated materials; reminder and termination by the sweep.

Worked example (2026 calendar, factories: promised 10 working days): submitted and accepted
on Monday 2 March 2026 10:00 → the case is due Monday 16 March 23:59:59; a tolerance deadline of
Friday 6 March ends 6 March 23:59:59 Asia/Shanghai; the reminder (3 days before) is due from
Tuesday 3 March 23:59:59."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from permits.exceptions import Conflict, Invalid
from permits.models import Event
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import sh, travel
from tests.workflow.journey import (
    approve_department,
    build_world,
    decide,
    open_task,
    submitted_case,
)
from workflow import services
from workflow.deadlines import sweep
from workflow.models import CaseTask, TaskStatus
from workflow.tolerance.models import Tolerance

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"name": "申请书", "required": True},
    {"name": "住所（经营场所）使用证明", "required": True, "tolerable": True},
]


@pytest.fixture
def world(work_calendar):
    with travel(sh(2026, 3, 2, 9)):
        return build_world(1, materials=MATERIALS)


def _case(world):
    with travel(sh(2026, 3, 2, 9, 30)):
        return submitted_case(world, upload_tolerable=False)


def _tolerable(world) -> int:
    return f.requirement_ids(world.item)[1]


def _accept(world, app, **data):
    task = open_task(app, kind="acceptance")
    services.task_complete(
        task=task, actor=world.lead_staff["undertake"], decision="approve", **data
    )
    app.refresh_from_db()


def _accept_tolerated(world, app, deadline="2026-03-06"):
    with travel(sh(2026, 3, 2, 10)):
        _accept(
            world,
            app,
            tolerated=[_tolerable(world)],
            tolerance_deadline=deadline,
            commitment_signed=True,
        )


def test_acceptance_is_refused_while_a_missing_material_is_not_tolerated(world):
    app = _case(world)
    with travel(sh(2026, 3, 2, 10)), pytest.raises(Invalid) as exc:
        _accept(world, app)
    message = " ".join(exc.value.fields["tolerated"])
    assert "住所（经营场所）使用证明" in message and "容缺受理" in message
    app.refresh_from_db()
    assert app.status == "submitted"


def test_refusal_when_a_non_tolerable_material_is_missing(world):
    app = _case(world)
    key = f.requirement_ids(world.item)[0]
    # The key material was there at submission; it was removed since (e.g. replaced by error).
    app.materials.filter(requirement_id=key).update(deleted=True)
    with travel(sh(2026, 3, 2, 10)), pytest.raises(Invalid) as exc:
        _accept(
            world,
            app,
            tolerated=[_tolerable(world)],
            tolerance_deadline="2026-03-06",
            commitment_signed=True,
        )
    message = " ".join(exc.value.fields["tolerated"])
    assert "申请书" in message and "不可容缺" in message
    # Asking to tolerate the key material itself is refused too.
    with travel(sh(2026, 3, 2, 10)), pytest.raises(Invalid) as exc:
        _accept(
            world, app, tolerated=[key], tolerance_deadline="2026-03-06", commitment_signed=True
        )
    assert "tolerated" in exc.value.fields


def test_tolerance_needs_the_signed_commitment_and_a_deadline_within_the_promised_limit(world):
    app = _case(world)
    base = {"tolerated": [_tolerable(world)]}
    with travel(sh(2026, 3, 2, 10)):
        with pytest.raises(Invalid) as exc:
            _accept(world, app, **base, tolerance_deadline="2026-03-06")
        assert set(exc.value.fields) == {"commitment_signed"}
        with pytest.raises(Invalid) as exc:
            # The promised due is Monday 16 March: the 17th is too late.
            _accept(world, app, **base, tolerance_deadline="2026-03-17", commitment_signed=True)
        assert "2026-03-16" in exc.value.fields["tolerance_deadline"][0]
        _accept(world, app, **base, tolerance_deadline="2026-03-16", commitment_signed=True)
    assert app.status == "in_review"
    record = Tolerance.objects.get(application=app)
    assert record.names == ["住所（经营场所）使用证明"]
    assert record.signed_by == app.applicant_name and "2026-03-16" in record.commitment
    assert Event.objects.filter(application=app, action="tolerance_recorded").exists()


def test_review_starts_at_once_and_the_decision_waits_for_the_materials(world):
    app = _case(world)
    _accept_tolerated(world, app)
    # Review started at once.
    dept = world.departments[0]
    with travel(sh(2026, 3, 3, 10)):
        approve_department(world, app, dept)
        with pytest.raises(Conflict) as exc:
            decide(world, app)
    assert "住所（经营场所）使用证明" in str(exc.value)
    app.refresh_from_db()
    assert app.status == "in_review"
    # The applicant delivers the material while the case is in review.
    with travel(sh(2026, 3, 4, 10)):
        services.material_upload(
            actor=world.citizen,
            application=app,
            requirement_id=_tolerable(world),
            uploaded_file=f.pdf_file("住所证明.pdf"),
        )
        record = Tolerance.objects.get(application=app)
        assert record.fulfilled_at is not None
        assert Event.objects.filter(application=app, action="tolerance_fulfilled").exists()
        # Only tolerated materials are taken while in review.
        with pytest.raises(Conflict):
            services.material_upload(
                actor=world.citizen,
                application=app,
                requirement_id=f.requirement_ids(world.item)[0],
                uploaded_file=f.pdf_file(),
            )
        decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"
    # The sweep after the deadline leaves a fulfilled tolerance alone.
    with travel(sh(2026, 3, 9, 10)):
        sweep.sweep_inline()
    app.refresh_from_db()
    assert app.status == "approved"


def test_reminder_before_the_deadline_and_termination_after_it(world):
    app = _case(world)
    _accept_tolerated(world, app)
    record = Tolerance.objects.get(application=app)
    # Nothing on Tuesday morning; the reminder is due from Tuesday 3 March 23:59:59.
    with travel(sh(2026, 3, 3, 10)):
        sweep.sweep_inline()
    assert not Event.objects.filter(application=app, action="tolerance_reminded").exists()
    with travel(sh(2026, 3, 4, 9)):
        result = sweep.sweep_inline()
        assert result.marked["tolerance_reminded"] == 1
        assert sweep.sweep_inline().marked["tolerance_reminded"] == 0  # once only
    reminder = Event.objects.get(application=app, action="tolerance_reminded")
    assert "2026-03-06" in reminder.note and "住所（经营场所）使用证明" in reminder.note
    # Friday 6 March 23:59:58 is still within the deadline.
    with travel(sh(2026, 3, 6, 23, 59, 58)):
        sweep.sweep_inline()
    app.refresh_from_db()
    assert app.status == "in_review"
    # Saturday 00:00:01: the deadline passed; the case is terminated with a notice.
    with travel(sh(2026, 3, 7, 0, 0, 1)):
        result = sweep.sweep_inline()
    assert result.marked["tolerance_ended"] == 1
    app.refresh_from_db()
    record.refresh_from_db()
    assert app.status == "terminated" and app.closed_at is not None
    assert record.terminated_at is not None
    assert not CaseTask.objects.filter(
        application=app, status__in=[TaskStatus.OPEN, TaskStatus.ASSIGNED]
    ).exists()
    notice = Event.objects.get(application=app, action="terminated")
    assert notice.status_before == "in_review" and notice.status_after == "terminated"
    assert "住所（经营场所）使用证明" in notice.note
    # The applicant is told (reminder and termination) through the notifications (their
    # delivery task runs after commit; here by hand).
    from notifications.services import notify_for_event

    for event in (reminder, notice):
        notify_for_event(event_id=event.pk)
    texts = list(
        Notification.objects.filter(recipient=world.citizen).values_list("body", flat=True)
    )
    assert any("终止" in t for t in texts) and any("2026-03-06" in t for t in texts)
    # A second sweep does nothing more; a late upload is refused.
    with travel(sh(2026, 3, 7, 0, 5)):
        assert sweep.sweep_inline().marked["tolerance_ended"] == 0
        with pytest.raises(Conflict):
            services.material_upload(
                actor=world.citizen,
                application=app,
                requirement_id=_tolerable(world),
                uploaded_file=f.pdf_file(),
            )
    assert Event.objects.filter(application=app, action="terminated").count() == 1


def test_the_sweep_enqueues_terminations_through_the_outbox(world):
    from outbox.models import OutboxMessage

    app = _case(world)
    _accept_tolerated(world, app)
    with travel(sh(2026, 3, 7, 1)):
        result = sweep.sweep()
    assert result.tolerance_ended == [Tolerance.objects.get(application=app).pk]
    assert OutboxMessage.objects.filter(task_name="workflow.tolerance_terminate").count() == 1
