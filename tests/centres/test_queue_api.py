"""The queue endpoints (API.md, Service centre): the centres list and the hall display (public),
a kiosk's ticket (anonymous, throttled unless the kiosk is exempt; 400 when no open window can
serve it), call-next for the clerk on duty only (204 when nothing waits), finish, skip, recall
and transfer; foreign clerks get 404 (403 for a colleague not on duty); the schema declares
and validates them; the ticket slip's PDF."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pypdf
import pypdfium2
import pytest
import time_machine
import zxingcpp
from django.core import signing
from django.urls import reverse
from rest_framework.test import APIClient

from centres import visits
from centres.models import Appointment, AppointmentSlot, AppointmentStatus, Ticket, TicketStatus
from centres.views import SLIP_SALT
from departments.models import WindowKind, WindowStatus
from permits.choices import Category
from tests.centres.factories import build_world
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-centres-queue-api",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world():
    w = build_world(licensing_items=2, social_items=1)
    w.window("01", categories=[Category.LICENSING])
    w.window("02", kind=WindowKind.COMPREHENSIVE)
    w.window("03", categories=[Category.SOCIAL_SECURITY])
    return w


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def code(world) -> str:
    return world.centre.region.code


def take(world, **body):
    return api().post(f"/api/v1/centres/{code(world)}/tickets/", body, format="json")


def on_duty(world, number, user=None):
    window = world.windows[number]
    window.clerk_on_duty = user or world.clerk
    window.save(update_fields=["clerk_on_duty"])
    return window


def call(user, window):
    return api(user).post(f"/api/v1/windows/{window.pk}/call-next/")


# --- Public reads -------------------------------------------------------------------------------


def test_the_centres_list_is_public_with_windows_kinds_statuses_and_waiting(world):
    world.windows["03"].status = WindowStatus.PAUSED
    world.windows["03"].save(update_fields=["status"])
    take(world, item=world.items["lic0"].code)
    response = api().get("/api/v1/centres/")
    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    (centre,) = [c for c in body["results"] if c["code"] == code(world)]
    assert centre["name"] == world.centre.name and centre["region"] == code(world)
    rows = {w["number"]: w for w in centre["windows"]}
    assert rows["01"]["kind"] == "department" and rows["02"]["kind"] == "comprehensive"
    assert rows["03"]["status"] == "paused" and rows["01"]["status"] == "open"
    assert rows["01"]["id"] == world.windows["01"].pk
    assert sum(w["waiting"] for w in centre["windows"]) == 1
    assert set(rows["01"]) == {"id", "number", "name", "kind", "status", "waiting"}


def test_the_display_shows_calls_and_waiting_per_window(world):
    window = on_duty(world, "01")
    first = take(world, item=world.items["lic0"].code).json()
    take(world, item=world.items["lic1"].code)
    assert call(world.clerk, window).status_code == 200
    response = api().get(f"/api/v1/centres/{code(world)}/display/")
    assert response.status_code == 200
    body = response.json()
    assert body["calls"][0]["number"] == first["number"]
    assert body["calls"][0]["window"] in {"01", "02"}
    assert {w["number"] for w in body["windows"]} == {"01", "02", "03"}
    assert body["waiting_total"] == 1
    assert api().get("/api/v1/centres/NOPE/display/").json()["code"] == "not_found"


# --- The kiosk ----------------------------------------------------------------------------------


def test_a_kiosk_takes_a_ticket_by_item_with_its_window_and_rating_link(world):
    response = take(world, item=world.items["lic0"].code)
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["number"] == ticket.code and body["number"].startswith("A")
    assert body["window"] == {"id": ticket.window_id, "number": ticket.window.number}
    assert body["waiting_before"] == 0
    assert body["rating_url"].endswith(visits.rating_path(ticket))
    second = take(world, item=world.items["lic0"].code, priority="elderly").json()
    assert Ticket.objects.get(pk=second["id"]).priority_reason == "elderly"


def test_a_ticket_by_category_and_one_by_appointment(world):
    by_category = take(world, category=Category.SOCIAL_SECURITY)
    assert by_category.status_code == 201
    assert Ticket.objects.get(pk=by_category.json()["id"]).category == Category.SOCIAL_SECURITY
    item = world.items["lic0"]
    starts = T0 + timedelta(minutes=15)
    slot = AppointmentSlot.objects.create(centre=world.centre, item=item, starts_at=starts)
    Appointment.objects.create(
        slot=slot, centre=world.centre, item=item, starts_at=starts, code="AB12CD34", booked_at=T0
    )
    checked_in = take(world, appointment="ab12cd34")
    assert checked_in.status_code == 201, checked_in.content
    ticket = Ticket.objects.get(pk=checked_in.json()["id"])
    assert ticket.priority_reason == "appointment"
    assert Appointment.objects.get(code="AB12CD34").status == AppointmentStatus.CHECKED_IN
    assert take(world, appointment="AB12CD34").status_code == 409
    assert take(world, appointment="NOPE").status_code == 404


def test_400_in_the_contract_shape_when_no_open_window_can_serve_it(world):
    for number in ("02", "03"):
        world.windows[number].status = WindowStatus.CLOSED
        world.windows[number].save(update_fields=["status"])
    response = take(world, item=world.items["soc0"].code)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "item" in body["fields"]
    by_category = take(world, category=Category.SOCIAL_SECURITY)
    assert by_category.status_code == 400 and "category" in by_category.json()["fields"]
    empty = take(world)
    assert empty.status_code == 400 and empty.json()["code"] == "invalid"
    assert take(world, item=world.items["lic0"].code, priority="vip").status_code == 400


def test_the_public_is_throttled_but_an_exempt_kiosk_is_not(world, settings):
    settings.CENTRES_TICKETS_PER_HOUR = 2
    item = world.items["lic0"].code
    assert [take(world, item=item).status_code for _ in range(3)] == [201, 201, 429]
    assert take(world, item=item).json()["code"] == "throttled"
    settings.CENTRES_KIOSK_IPS = ["127.0.0.1"]
    assert [take(world, item=item).status_code for _ in range(3)] == [201, 201, 201]


# --- The clerk ----------------------------------------------------------------------------------


def test_call_next_for_the_clerk_on_duty_only(world):
    window = on_duty(world, "01")
    take(world, item=world.items["lic0"].code)
    colleague = world.clerk_of_centre("colleague")
    denied = call(colleague, window)
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    stranger_world = build_world(licensing_items=0, social_items=0)
    assert call(stranger_world.clerk, window).status_code == 404
    assert api().post(f"/api/v1/windows/{window.pk}/call-next/").status_code == 401
    assert api(world.clerk).post("/api/v1/windows/999999/call-next/").status_code == 404
    response = call(world.clerk, window)
    assert response.status_code == 200
    body = response.json()
    assert {"id", "number", "item", "category", "priority"} <= set(body)
    assert body["priority"] == "normal" and body["category"] == Category.LICENSING
    assert Ticket.objects.get(pk=body["id"]).status == TicketStatus.CALLED


def test_call_next_answers_204_when_nothing_can_be_served(world):
    window = on_duty(world, "03")
    take(world, item=world.items["lic0"].code)  # a licensing ticket: window 03 cannot serve it
    assert call(world.clerk, window).status_code == 204


def test_finish_with_its_case_skip_recall_and_transfer(world):
    window = on_duty(world, "01")
    item = world.items["lic0"].code
    first, second, third = (take(world, item=item).json() for _ in range(3))
    clerk = api(world.clerk)

    called = call(world.clerk, window).json()
    recalled = clerk.post(f"/api/v1/tickets/{called['id']}/recall/")
    assert recalled.status_code == 200 and Ticket.objects.get(pk=called["id"]).recalls == 1
    skipped = clerk.post(f"/api/v1/tickets/{called['id']}/skip/")
    assert skipped.status_code == 200 and skipped.json()["status"] == "skipped"
    assert clerk.post(f"/api/v1/tickets/{called['id']}/skip/").json()["code"] == "conflict"

    called = call(world.clerk, window).json()
    cannot = clerk.post(
        f"/api/v1/tickets/{called['id']}/transfer/",
        {"window": world.windows["03"].pk},  # social security only: cannot serve it
        format="json",
    )
    assert cannot.status_code == 400 and cannot.json()["code"] == "invalid"
    target = world.windows["02"]
    moved = clerk.post(
        f"/api/v1/tickets/{called['id']}/transfer/", {"window": target.pk}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["window"]["id"] == target.pk and moved.json()["status"] == "transferred"
    again = clerk.post(
        f"/api/v1/tickets/{called['id']}/transfer/", {"window": target.pk}, format="json"
    )
    assert again.status_code == 403  # now at window 02, where this clerk is not on duty

    called = call(world.clerk, window).json()
    finished = clerk.post(f"/api/v1/tickets/{called['id']}/finish/", {}, format="json")
    assert finished.status_code == 200, finished.content
    assert Ticket.objects.get(pk=called["id"]).status == TicketStatus.DONE
    again = clerk.post(f"/api/v1/tickets/{called['id']}/finish/", {}, format="json")
    assert again.status_code == 409
    assert called["id"] in {first["id"], second["id"], third["id"]}


def test_finish_records_the_case_the_visit_led_to(client):
    from centres.services import queue
    from tests.centres.factories import WindowFactory
    from tests.centres.test_walkin_intake import _centre_world, _enter

    journey, centre, clerk = _centre_world()
    window = WindowFactory(centre=centre, kind=WindowKind.COMPREHENSIVE, clerk_on_duty=clerk)
    queue.ticket_issue(centre=centre, item=journey.item)
    client.force_login(clerk)
    app = _enter(client, journey)
    ticket = call(clerk, window).json()
    url = f"/api/v1/tickets/{ticket['id']}/finish/"
    bad = api(clerk).post(url, {"application": "NOPE"}, format="json")
    assert bad.status_code == 400 and "application" in bad.json()["fields"]
    assert Ticket.objects.get(pk=ticket["id"]).status == TicketStatus.CALLED
    finished = api(clerk).post(url, {"application": app.number}, format="json")
    assert finished.status_code == 200, finished.content
    assert Ticket.objects.get(pk=ticket["id"]).application_id == app.pk


def test_a_clerk_of_another_centre_gets_404_on_the_tickets(world):
    window = on_duty(world, "01")
    take(world, item=world.items["lic0"].code)
    ticket = call(world.clerk, window).json()
    other = build_world(licensing_items=0, social_items=0)
    for action in ("finish", "skip", "recall"):
        response = api(other.clerk).post(f"/api/v1/tickets/{ticket['id']}/{action}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    transfer = api(other.clerk).post(
        f"/api/v1/tickets/{ticket['id']}/transfer/", {"window": 1}, format="json"
    )
    assert transfer.status_code == 404
    assert Ticket.objects.get(pk=ticket["id"]).status == TicketStatus.CALLED


def test_a_colleague_not_on_duty_at_the_tickets_window_gets_403(world):
    window = on_duty(world, "01")
    take(world, item=world.items["lic0"].code)
    ticket = call(world.clerk, window).json()
    colleague = world.clerk_of_centre("colleague")
    for action in ("finish", "skip", "recall"):
        response = api(colleague).post(f"/api/v1/tickets/{ticket['id']}/{action}/")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Ticket.objects.get(pk=ticket["id"]).status == TicketStatus.CALLED


def test_idempotency_key_on_call_next(world):
    window = on_duty(world, "01")
    take(world, item=world.items["lic0"].code)
    take(world, item=world.items["lic0"].code)
    clerk = api(world.clerk)
    url = f"/api/v1/windows/{window.pk}/call-next/"
    first = clerk.post(url, HTTP_IDEMPOTENCY_KEY="k-1")
    again = clerk.post(url, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]


def test_the_schema_declares_and_validates_the_queue_endpoints(client):
    from drf_spectacular.validation import validate_schema

    schema = client.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    paths = schema["paths"]
    assert "get" in paths["/api/v1/centres/"]
    assert "post" in paths["/api/v1/centres/{code}/tickets/"]
    assert "get" in paths["/api/v1/centres/{code}/display/"]
    call_next = paths["/api/v1/windows/{window_id}/call-next/"]["post"]
    assert {"200", "204", "403", "404"} <= set(call_next["responses"])
    for action in ("finish", "skip", "recall", "transfer"):
        assert "post" in paths[f"/api/v1/tickets/{{ticket_id}}/{action}/"]
    issued = schema["components"]["schemas"]["IssuedTicket"]["properties"]
    assert {"id", "number", "window", "waiting_before", "rating_url"} <= set(issued)
    window_row = schema["components"]["schemas"]["WindowRow"]["properties"]
    kind = window_row["kind"]
    if "$ref" in kind:
        kind = schema["components"]["schemas"][kind["$ref"].rsplit("/", 1)[1]]
    assert kind["enum"] == ["comprehensive", "department", "assisted"]


# --- The slip as PDF ----------------------------------------------------------------------------


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _qr(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return [r.text for r in zxingcpp.read_barcodes(pdf[0].render(scale=2).to_pil())]
    finally:
        pdf.close()


def test_the_ticket_slip_pdf_has_the_number_the_centre_and_the_rating_qr(client, world):
    issued = take(world, item=world.items["lic0"].code).json()
    ticket = Ticket.objects.get(pk=issued["id"])
    token = signing.dumps(ticket.pk, salt=SLIP_SALT)
    page = client.get(reverse("centres:slip", args=[code(world), token]))
    pdf_url = reverse("centres:slip_pdf", args=[code(world), token])
    assert pdf_url in page.content.decode()  # the slip page's "打印" link
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert ticket.code in text and world.centre.name in text
    assert ticket.item.name in text and "办理结束后可用" in text
    assert _qr(response.content) == [issued["rating_url"]]
    assert client.get(reverse("centres:slip_pdf", args=[code(world), "forged"])).status_code == 404
