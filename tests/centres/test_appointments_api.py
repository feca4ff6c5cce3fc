"""The appointment endpoints (API.md, Service centre): a centre's slots (public), booking one
(signed in, capacity never exceeded, Idempotency-Key), the booker's own appointments and their
cancellation; errors in the contract's shape; the schema declares them."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from centres.models import Appointment, AppointmentStatus
from centres.services import appointments
from permits.choices import Category
from tests.centres.factories import build_world
from tests.departments.factories import UserFactory
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)  # a Friday
MONDAY = "2026-12-07"
NINE = "2026-12-07T09:00:00+08:00"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    w = build_world(licensing_items=1, social_items=1)
    w.window("05", categories=[Category.LICENSING])  # capacity 1 per licensing slot
    return w


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def slots_url(world) -> str:
    return f"/api/v1/centres/{world.centre.region.code}/slots/"


def book_url(world) -> str:
    return f"/api/v1/centres/{world.centre.region.code}/appointments/"


def test_slots_are_public_with_their_free_places(world):
    item = world.items["lic0"]
    response = api().get(slots_url(world), {"item": item.code, "date": MONDAY})
    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    first = body["results"][0]
    assert first["slot"] == NINE and first["ends_at"] == "2026-12-07T09:30:00+08:00"
    assert (first["capacity"], first["booked"], first["free"]) == (1, 0, 1)
    # Without a date: the first bookable day (the weekend skipped).
    default = api().get(slots_url(world), {"item": item.code}).json()
    assert default["results"][0]["slot"] == NINE
    # A day that is not bookable (the weekend) has none; a bad date or item is 400.
    assert (
        api().get(slots_url(world), {"item": item.code, "date": "2026-12-05"}).json()["count"] == 0
    )
    bad = api().get(slots_url(world), {"item": item.code, "date": "7 Dec"})
    assert (
        bad.status_code == 400
        and bad.json()["code"] == "invalid"
        and "date" in bad.json()["fields"]
    )
    unknown = api().get(slots_url(world), {"item": "NOPE"})
    assert unknown.status_code == 400 and "item" in unknown.json()["fields"]
    # An item no window of the centre serves is not bookable there.
    assert api().get(slots_url(world), {"item": world.items["soc0"].code}).status_code == 400
    assert api().get("/api/v1/centres/000000/slots/", {"item": item.code}).status_code == 404


def test_booking_needs_a_login_and_gives_the_code(world):
    item = world.items["lic0"]
    body = {"item": item.code, "slot": NINE}
    anonymous = api().post(book_url(world), body, format="json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"

    person = UserFactory()
    response = api(person).post(book_url(world), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["slot"] == NINE and len(data["code"]) == 6 and data["status"] == "booked"
    assert data["item"] == {"code": item.code, "name": item.name}
    assert data["centre"]["code"] == world.centre.region.code and data["ticket"] is None
    row = Appointment.objects.get(code=data["code"])
    assert row.booked_by == person

    # The slot is now full: the next person gets 409, and the slot shows no free place.
    full = api(UserFactory()).post(book_url(world), body, format="json")
    assert full.status_code == 409 and full.json()["code"] == "conflict"
    slot = api().get(slots_url(world), {"item": item.code, "date": MONDAY}).json()["results"][0]
    assert (slot["booked"], slot["free"]) == (1, 0)
    assert Appointment.objects.filter(starts_at=row.starts_at).count() == 1


def test_booking_refuses_what_is_not_a_slot(world):
    person = UserFactory()
    item = world.items["lic0"]
    for slot in (
        "2026-12-07T09:10:00+08:00",
        "2026-12-05T09:00:00+08:00",
        "2026-12-04T14:30:00+08:00",
    ):
        response = api(person).post(
            book_url(world), {"item": item.code, "slot": slot}, format="json"
        )
        assert response.status_code == 400 and response.json()["code"] == "invalid", slot
    missing = api(person).post(book_url(world), {"item": item.code}, format="json")
    assert missing.status_code == 400 and "slot" in missing.json()["fields"]
    assert not Appointment.objects.exists()


def test_the_same_idempotency_key_books_once(world):
    person = UserFactory()
    body = {"item": world.items["lic0"].code, "slot": NINE}
    headers = {"HTTP_IDEMPOTENCY_KEY": "book-1"}
    first = api(person).post(book_url(world), body, format="json", **headers)
    again = api(person).post(book_url(world), body, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Appointment.objects.count() == 1
    other = api(person).post(
        book_url(world), {**body, "slot": "2026-12-07T09:30:00+08:00"}, format="json", **headers
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"


def test_a_person_sees_and_cancels_only_their_own_appointments(world):
    item = world.items["lic0"]
    mine, theirs = UserFactory(), UserFactory()
    booking = appointments.appointment_book(
        centre=world.centre, item=item, starts_at=datetime.fromisoformat(NINE), actor=mine
    )
    listing = api(mine).get("/api/v1/appointments/").json()
    assert [a["code"] for a in listing["results"]] == [booking.code]
    assert api(theirs).get("/api/v1/appointments/").json()["count"] == 0
    url = f"/api/v1/appointments/{booking.code}/"
    assert api(mine).get(url).json()["status"] == "booked"
    # Another person's appointment is as missing as a made-up one.
    assert api(theirs).get(url).status_code == 404
    assert api(theirs).delete(url).status_code == 404
    assert api().get(url).status_code == 401
    assert api(mine).delete(url).status_code == 204
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CANCELLED
    again = api(mine).delete(url)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    # The place is free again.
    slot = api().get(slots_url(world), {"item": item.code, "date": MONDAY}).json()["results"][0]
    assert slot["free"] == 1


def test_the_schema_declares_the_appointment_endpoints(client):
    from drf_spectacular.validation import validate_schema

    schema = client.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    paths = schema["paths"]
    assert "get" in paths["/api/v1/centres/{code}/slots/"]
    book = paths["/api/v1/centres/{code}/appointments/"]["post"]
    assert {"201", "400", "401", "409"} <= set(book["responses"])
    assert "Idempotency-Key" in {p["name"] for p in book["parameters"]}
    assert {"get", "delete"} <= set(paths["/api/v1/appointments/{code}/"])
    assert "get" in paths["/api/v1/appointments/"]


@pytest.mark.parametrize("path", ["/api/v1/centres/{code}/slots/", "/api/v1/appointments/"])
def test_the_lists_are_declared_in_the_paginated_envelope(client, path):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    listing = schema["paths"][path]["get"]
    ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    envelope = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(envelope["properties"])
    assert {"page", "page_size"} <= {p["name"] for p in listing["parameters"]}
