"""Anonymous complaints and hotline calls through the API (API.md Applications)."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from permits.models import Application

pytestmark = pytest.mark.django_db
NOW = "2026-11-02 09:00:00+08:00"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def _file_anonymous(world, **extra):
    return APIClient().post(
        "/api/v1/applications/anonymous/",
        {"item": world.item.code, "form": {"content": "夜间施工噪音扰民"}, **extra},
        format="json",
    )


def test_an_anonymous_complaint_is_followed_with_its_query_code_and_invisible_to_others(world):
    r = _file_anonymous(world)
    assert r.status_code == 201, r.data
    number, code = r.data["number"], r.data["query_code"]
    assert r.data["status"] == "submitted"
    assert "no-store" in r["Cache-Control"]
    app = Application.objects.get(number=number)
    # Only the hash is kept; no applicant, no creator.
    assert app.anonymous and code not in app.query_code_hash and len(app.query_code_hash) == 64
    assert app.applicant_person_id is None and app.created_by_id is None
    assert app.request_kind == "complaint"  # from the item's category

    # Followed through the public tracking query with number + code …
    tracked = APIClient().get("/api/v1/track/", {"number": number, "query_code": code})
    assert tracked.status_code == 200 and tracked.data["number"] == number
    assert tracked.data["applicant"] == ""
    # … and only so.
    for params in (
        {"number": number, "query_code": "WRONGCODE234"},
        {"number": number, "id_last4": "0000"},
        {"number": number},
    ):
        assert APIClient().get("/api/v1/track/", params).status_code == 404

    # Invisible to everyone else: other citizens, staff of departments not taking part.
    for user in (world.citizen, world.citizen2, world.stranger_staff):
        c = client_for(user)
        assert c.get(f"/api/v1/applications/{number}/").status_code == 404
        listed = c.get("/api/v1/applications/").data["results"]
        assert number not in [row["number"] for row in listed]
    assert APIClient().get(f"/api/v1/applications/{number}/").status_code in (401, 403)
    # The office handling it sees it, anonymous.
    seen = client_for(world.office_reviewer).get(f"/api/v1/applications/{number}/")
    assert seen.status_code == 200 and seen.data["applicant"] == {"kind": "anonymous"}
    assert seen.data["anonymous"] is True


def test_anonymous_filing_needs_an_item_that_allows_it_and_a_full_form(world):
    world.item.allows_anonymous = False
    world.item.save(update_fields=["allows_anonymous"])
    r = _file_anonymous(world)
    assert r.status_code == 400 and r.data["code"] == "invalid" and "item" in r.data["fields"]
    world.item.allows_anonymous = True
    world.item.save(update_fields=["allows_anonymous"])
    r = APIClient().post(
        "/api/v1/applications/anonymous/", {"item": world.item.code, "form": {}}, format="json"
    )
    assert r.status_code == 400 and "content" in r.data["fields"]["form"]
    assert not Application.objects.exists()


def _hotline_case(world, phone="138-0000-1111", urgency="urgent"):
    operator = client_for(world.operator)
    r = operator.post(
        "/api/v1/applications/",
        {
            "item": world.item.code,
            "channel": "hotline",
            "caller": {
                "phone": phone,
                "called_at": "2026-11-02T08:55:00+08:00",
                "urgency": urgency,
            },
            "request_kind": "complaint",
            "form": {"content": "小区路灯不亮"},
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    number = r.data["number"]
    assert operator.post(f"/api/v1/applications/{number}/submit/").status_code == 200
    return number


def test_the_operator_enters_a_call_and_links_a_repeated_call_instead_of_a_second_case(world):
    operator = client_for(world.operator)
    number = _hotline_case(world)
    detail = operator.get(f"/api/v1/applications/{number}/").data
    assert detail["channel"] == "hotline" and detail["urgency"] == "urgent"
    assert detail["request_kind"] == "complaint"
    assert detail["caller"]["phone"] != "13800001111" and detail["caller"]["phone"].endswith("1111")
    assert detail["repeated_calls"] == 0

    # A second call: the operator finds the earlier case by the phone number (masked) …
    found = operator.get("/api/v1/applications/", {"caller_phone": "13800001111"}).data
    assert [row["number"] for row in found["results"]] == [number]
    assert "13800001111" not in str(found)
    assert operator.get("/api/v1/applications/", {"caller_phone": "13900000000"}).data["count"] == 0
    # … and links the call to it: no second case.
    r = operator.post(
        f"/api/v1/applications/{number}/calls/",
        {"caller": {"phone": "13800001111"}, "note": "再次来电催促"},
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["repeated_calls"] == 1
    assert Application.objects.count() == 1
    assert [e["action"] for e in r.data["events"]][-1] == "call_linked"


def test_who_may_link_a_call(world):
    number = _hotline_case(world)
    body = {"caller": {"phone": "13800001111"}}
    # A citizen, staff of a department not taking part: 404; a reviewer of the office: 403.
    for user in (world.citizen, world.stranger_staff):
        r = client_for(user).post(f"/api/v1/applications/{number}/calls/", body, format="json")
        assert r.status_code == 404
    r = client_for(world.office_reviewer).post(
        f"/api/v1/applications/{number}/calls/", body, format="json"
    )
    assert r.status_code == 403
    anonymous = APIClient().post(f"/api/v1/applications/{number}/calls/", body, format="json")
    assert anonymous.status_code in (401, 403)
    # A case that is over takes no call.
    Application.objects.filter(number=number).update(status="closed")
    r = client_for(world.operator).post(
        f"/api/v1/applications/{number}/calls/", body, format="json"
    )
    assert r.status_code == 409


def test_a_citizen_cannot_enter_a_hotline_case(world):
    r = client_for(world.citizen).post(
        "/api/v1/applications/",
        {"item": world.item.code, "channel": "hotline", "caller": {"phone": "13800001111"}},
        format="json",
    )
    assert r.status_code in (400, 403)
