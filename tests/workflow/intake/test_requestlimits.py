"""Limits by request kind and urgency, petitions' calendar days, the hour unit (worked examples).

2026-03-02 is a Monday; Asia/Shanghai (+08:00)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from workflow.deadlines import calendar as cal
from workflow.deadlines import requestlimits as rl
from workflow.intake.models import RequestLimit

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def case(kind="", urgency="normal", item_id=None, category=""):
    return SimpleNamespace(
        request_kind=kind, urgency=urgency, item_id=item_id, item=SimpleNamespace(category=category)
    )


def test_hour_limits_run_around_the_clock():
    friday_evening = datetime(2026, 3, 6, 22, 30, tzinfo=SH)
    # Two hours from Friday 22:30 end on Saturday 00:30: nights and weekends count.
    assert cal.add_time_limit(start=friday_evening, days=2, unit="hour") == datetime(
        2026, 3, 7, 0, 30, tzinfo=SH
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "due"),
    [
        ("enquiry", eod(2026, 3, 4)),  # 咨询 2 working days: Wed
        ("help", eod(2026, 3, 16)),  # 求助 10 working days
        ("suggestion", eod(2026, 3, 16)),
        ("complaint", eod(2026, 3, 23)),  # 投诉 15 working days
        ("report", eod(2026, 3, 23)),
    ],
)
def test_guangdong_defaults_by_kind(work_calendar, kind, due):
    assert rl.request_due(case(kind), start=MON) == due


@pytest.mark.django_db
def test_urgent_cases_are_answered_within_hours():
    assert rl.request_limit(case("complaint", "urgent")) == rl.Limit(2, "hour")
    assert rl.request_due(case("help", "very_urgent"), start=MON) == datetime(
        2026, 3, 2, 11, 0, tzinfo=SH
    )


@pytest.mark.django_db
def test_the_item_configures_its_own_limits(work_calendar):
    from tests.workflow import factories as f

    item = f.published_item(lead=f.department(), service_model="process_centred")
    RequestLimit.objects.create(item=item, request_kind="enquiry", amount=1, unit="working_day")
    RequestLimit.objects.create(
        item=item, request_kind="complaint", urgency="urgent", amount=4, unit="hour"
    )
    assert rl.request_due(case("enquiry", item_id=item.pk), start=MON) == eod(2026, 3, 3)
    assert rl.request_limit(case("complaint", "urgent", item.pk)) == rl.Limit(4, "hour")
    # Kinds the item does not configure keep the defaults.
    assert rl.request_limit(case("help", item_id=item.pk)) == rl.Limit(10, "working_day")


@pytest.mark.django_db
def test_the_kind_defaults_from_the_category():
    assert rl.kind_of(case(category="enquiry")) == "enquiry"
    assert rl.kind_of(case(category="hotline")) == "complaint"


@pytest.mark.django_db
def test_petition_worked_example():
    """信访工作条例 2022, calendar days: received Mon 2026-03-02 → registered and routed by
    03-17 (15); the handling unit receives it 03-10 → tells acceptance by 03-25 (15); accepted
    03-20 → handled by 05-19 (60), extended once by 30 → 06-18; opinion 06-10 → 复查 asked by
    07-10 (30), asked 07-01 → decided by 07-31 (30); 复核 asked by 08-30, asked 08-05 → decided
    by 09-04 (30, hearing days added — tests/workflow/intake/test_petitions.py)."""
    petition = case("petition", urgency="urgent")  # urgency does not shorten a petition
    assert rl.request_due(petition, start=MON, stage="triage") == eod(2026, 3, 17)
    received = datetime(2026, 3, 10, 9, 0, tzinfo=SH)
    assert rl.request_due(petition, start=received, stage="acceptance") == eod(2026, 3, 25)
    accepted = datetime(2026, 3, 20, 9, 0, tzinfo=SH)
    handling = rl.request_due(petition, start=accepted)
    assert handling == eod(2026, 5, 19)
    assert cal.add_time_limit(start=handling, days=rl.PETITION_EXTENSION_MAX, unit="calendar_day")
    assert rl.petition_review_due(start=datetime(2026, 6, 10, 15, tzinfo=SH)) == eod(2026, 7, 10)
    assert rl.petition_review_due(start=datetime(2026, 7, 1, 9, tzinfo=SH)) == eod(2026, 7, 31)
    assert rl.petition_review_due(start=datetime(2026, 8, 5, 9, tzinfo=SH)) == eod(2026, 9, 4)
    # Acceptance has no limit of its own outside petitions.
    assert rl.request_limit(case("complaint"), stage="acceptance") is None
