"""The worked example of docs/statistics.md: five cases of two items in November 2026 (no
holidays: Monday to Friday are working days), with a supplement, a special procedure, a
parallel review, an on-the-spot decision, a not-accepted case, a late red card and an event
delivered twice. Every event is written by ``event_append`` at a chosen time; the statistics
are fed by the real after-commit signal (which queues the events) and the queue's drain
(``tests.statistics.feeding``, as the Celery worker runs it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from permits.choices import EventAction as A
from permits.models import Application
from tests.statistics.feeding import committed
from tests.workflow import factories as f
from workflow.deadlines.calendar import SHANGHAI
from workflow.services.events import event_append


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def end_of(day: int) -> datetime:
    return datetime(2026, 11, day, 23, 59, 59, tzinfo=SHANGHAI)


@dataclass
class World:
    d1: object
    d2: object
    d3: object
    item_a: object
    item_b: object
    cases: list
    late_event: object = None
    denied_event: object = None


def _case(n, item, *, channel, due=None):
    return Application.objects.create(
        number=f"YF20261101{n:06d}",
        item=item,
        item_version=item.current_version,
        channel=channel,
        status="submitted",
        region=item.region,
        lead_department=item.lead_department,
        due_at=due,
    )


def build(capture) -> World:
    """``capture``: pytest-django's ``django_capture_on_commit_callbacks``."""
    d1 = f.department(name="市发展和改革局")
    d2 = f.department(name="市自然资源局")
    d3 = f.department(name="市生态环境局")
    item_a = f.published_item(lead=d1, parallel=[d2, d3])  # legal 20, promised 10, full online
    item_a.max_visits = 0
    item_a.save(update_fields=["max_visits"])
    item_b = f.published_item(
        lead=d1,
        service_model="single_department",
        item_settings={"legal_days": 5, "promised_days": 1},
    )
    item_b.online_depth = "online_prereview"
    item_b.legal_days, item_b.promised_days, item_b.max_visits = 5, 1, 1
    item_b.save(update_fields=["online_depth", "legal_days", "promised_days", "max_visits"])

    def ev(app, action, when, department=None, **data):
        return event_append(
            application=app, actor=None, action=action, department=department, at=when, data=data
        )

    with committed(capture):
        # Case 1 (online, parallel): 2 departments review at once.
        c1 = _case(1, item_a, channel="online", due=end_of(16))
        ev(c1, A.SUBMITTED, at(2, 9))
        ev(c1, A.ACCEPTED, at(2, 10))
        ev(c1, A.DEPARTMENT_NOTIFIED, at(2, 11), d2)
        ev(c1, A.DEPARTMENT_NOTIFIED, at(2, 11), d3)
        ev(c1, A.DEPARTMENT_APPROVED, at(4, 15), d2)
        ev(c1, A.DEPARTMENT_DEEMED_APPROVED, at(6, 17), d3)
        ev(c1, A.APPROVED, at(9, 10), d1)
        # Case 2 (window): a supplement pauses the clocks Wednesday to Friday.
        c2 = _case(2, item_a, channel="window", due=end_of(19))
        ev(c2, A.SUBMITTED, at(3, 9))
        ev(c2, A.ACCEPTED, at(3, 10))
        ev(c2, A.SUPPLEMENT_REQUESTED, at(4, 9))
        ev(c2, A.PAUSED, at(4, 9), reason="supplement")
        ev(c2, A.RESUMED, at(6, 15))
        ev(c2, A.APPROVED, at(19, 16), d1)
        # Case 3 (online): a special procedure (expert review) Tuesday to Friday; late.
        c3 = _case(3, item_a, channel="online", due=end_of(23))
        ev(c3, A.SUBMITTED, at(9, 9))
        ev(c3, A.ACCEPTED, at(9, 10))
        ev(c3, A.CLOCK_PAUSED, at(10, 9), d2, reason="expert_review", pause=7)
        ev(c3, A.CLOCK_RESUMED, at(13, 16), d2, reason="expert_review", pause=7)
        denied = ev(c3, A.DENIED, at(24, 10), d1)
        # Case 4 (online, item B): decided on the spot.
        c4 = _case(4, item_b, channel="online", due=end_of(12))
        ev(c4, A.SUBMITTED, at(11, 9))
        ev(c4, A.ACCEPTED, at(11, 9, 30))
        ev(c4, A.APPROVED, at(11, 11), d1)
        # Case 5 (window, item B): not accepted.
        c5 = _case(5, item_b, channel="window")
        ev(c5, A.SUBMITTED, at(12, 9))
        ev(c5, A.NOT_ACCEPTED, at(12, 10), d1)
    # A late event: the sweep's red card of 20 November for 市自然资源局, recorded after
    # everything else; it lands on the 20th.
    with committed(capture):
        late = ev(c3, A.TASK_OVERDUE, at(20, 0, 5), d2)
    return World(d1, d2, d3, item_a, item_b, [c1, c2, c3, c4, c5], late, denied)
