"""Petitions (信访工作条例 2022): the one extension (≤ 30 days, the unit head), then 复查 and 复核
by the next higher authority, each asked within 30 days and decided within 30 (hearing time not
counted in 复核) — services and API, frozen time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from permits.models import Application
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def sh(y, m, d, hh=10):
    return datetime(y, m, d, hh, 0, tzinfo=SH)


def eod(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def client_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def petition(world):
    """A petition the citizen filed on Mon 2 March 2026, accepted 20 March with 60 days."""
    city = f.department("xfj-city", name="市信访局")
    world.office.parent = city
    world.office.save(update_fields=["parent"])
    world.city = city
    world.city_reviewer = f.staff(city)
    with time_machine.travel(sh(2026, 3, 2), tick=False):
        c = client_for(world.citizen)
        r = c.post(
            "/api/v1/applications/",
            {"item": world.item.code, "request_kind": "petition", "form": {"content": "信访"}},
            format="json",
        )
        assert r.status_code == 201, r.data
        number = r.data["number"]
        assert c.post(f"/api/v1/applications/{number}/submit/").status_code == 200
    # The flow's acceptance and handling are process-flow's: set the clock as they would.
    Application.objects.filter(number=number).update(
        status="in_review", accepted_at=sh(2026, 3, 20), due_at=eod(2026, 5, 19)
    )
    return number


def test_the_one_extension_by_the_unit_head(world, petition):
    number = petition
    body = {"days": 30, "reasons": "涉及多部门，需进一步调查核实"}
    # Not the head: 403; not a petition's party at all: 404.
    assert (
        client_for(world.office_reviewer)
        .post(f"/api/v1/applications/{number}/petition-extension/", body, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(world.stranger_staff)
        .post(f"/api/v1/applications/{number}/petition-extension/", body, format="json")
        .status_code
        == 404
    )
    head = client_for(world.office_head)
    too_long = head.post(
        f"/api/v1/applications/{number}/petition-extension/",
        {"days": 31, "reasons": "x"},
        format="json",
    )
    assert too_long.status_code == 400
    r = head.post(f"/api/v1/applications/{number}/petition-extension/", body, format="json")
    assert r.status_code == 200, r.data
    # 60 days from 20 March end 19 May; +30 → 18 June.
    assert Application.objects.get(number=number).due_at == eod(2026, 6, 18)
    again = head.post(f"/api/v1/applications/{number}/petition-extension/", body, format="json")
    assert again.status_code == 409


def test_review_then_recheck_worked_example(world, petition):
    number = petition
    # Answered on Wed 10 June 2026.
    app = Application.objects.get(number=number)
    Application.objects.filter(pk=app.pk).update(status="answered", decided_at=sh(2026, 6, 10))
    citizen = client_for(world.citizen)
    url = f"/api/v1/applications/{number}/petition-reviews/"

    # 复核 before 复查: 409.
    with time_machine.travel(sh(2026, 6, 20), tick=False):
        r = citizen.post(url, {"level": "recheck", "reasons": "不服"}, format="json")
        assert r.status_code == 409
    # 复查 asked on 1 July (within 30 days of 10 June): decided by 31 July, by the city office.
    with time_machine.travel(sh(2026, 7, 1), tick=False):
        r = citizen.post(url, {"level": "review", "reasons": "处理意见不当"}, format="json")
        assert r.status_code == 201, r.data
        review = r.data
    assert review["authority"]["code"] == "xfj-city"
    assert datetime.fromisoformat(review["due_at"]) == eod(2026, 7, 31)
    # The higher authority now reads the case; others still do not.
    assert client_for(world.city_reviewer).get(f"/api/v1/applications/{number}/").status_code == 200
    assert client_for(world.citizen2).get(url).status_code == 404
    # Only the authority decides.
    decide = f"/api/v1/petition-reviews/{review['id']}/decide/"
    body = {"outcome": "upheld", "opinion": "维持原处理意见"}
    assert citizen.post(decide, body, format="json").status_code == 403
    with time_machine.travel(sh(2026, 7, 20), tick=False):
        r = client_for(world.city_reviewer).post(decide, body, format="json")
        assert r.status_code == 200, r.data

    # 复核 asked on 5 August (within 30 days of 20 July) → due 4 September; a hearing from
    # 10 to 14 August (4 days) is not counted → due 8 September.
    with time_machine.travel(sh(2026, 8, 5), tick=False):
        r = citizen.post(url, {"level": "recheck", "reasons": "仍不服"}, format="json")
        assert r.status_code == 201, r.data
        recheck = r.data
    assert datetime.fromisoformat(recheck["due_at"]) == eod(2026, 9, 4)
    # The city office has no parent: it reviews again itself (through its staff).
    hearing = f"/api/v1/petition-reviews/{recheck['id']}/hearing/"
    reviewer = client_for(world.city_reviewer)
    with time_machine.travel(sh(2026, 8, 10), tick=False):
        assert reviewer.post(hearing, {"started": True}, format="json").status_code == 200
        busy = reviewer.post(
            f"/api/v1/petition-reviews/{recheck['id']}/decide/", body, format="json"
        )
        assert busy.status_code == 409  # not decided while the hearing runs
    with time_machine.travel(sh(2026, 8, 14), tick=False):
        r = reviewer.post(hearing, {"started": False}, format="json")
        assert r.status_code == 200
    assert r.data["hearing_days"] == 4
    assert datetime.fromisoformat(r.data["due_at"]) == eod(2026, 9, 8)
    listed = citizen.get(url).data
    assert [row["level"] for row in listed] == ["review", "recheck"]


def test_a_late_review_request_is_refused(world, petition):
    number = petition
    Application.objects.filter(number=number).update(status="answered", decided_at=sh(2026, 6, 10))
    with time_machine.travel(sh(2026, 7, 11), tick=False):
        r = client_for(world.citizen).post(
            f"/api/v1/applications/{number}/petition-reviews/",
            {"level": "review", "reasons": "迟到的申请"},
            format="json",
        )
    assert r.status_code == 400


def test_only_petitions_have_reviews(world):
    with time_machine.travel(sh(2026, 3, 2), tick=False):
        operator = client_for(world.operator)
        r = operator.post(
            "/api/v1/applications/",
            {
                "item": world.item.code,
                "channel": "hotline",
                "caller": {"phone": "13800001111"},
                "request_kind": "complaint",
                "form": {"content": "投诉"},
            },
            format="json",
        )
        number = r.data["number"]
        r = operator.post(
            f"/api/v1/applications/{number}/petition-reviews/",
            {"level": "review", "reasons": "x"},
            format="json",
        )
    assert r.status_code == 400 and "request_kind" in r.data["fields"]
