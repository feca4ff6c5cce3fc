"""The operator's hotline page and the anonymous complaint page, with their access matrix."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from departments.models import Role
from onestop.pii import unseal
from permits.models import Application, Event
from permits.validators import mask_phone
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db
NOW = "2026-11-02 09:00:00+08:00"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user=None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def _enter_call(world, phone="13800002222"):
    return client_for(world.operator).post(
        "/office/hotline/",
        {
            "phone": phone,
            "called_at": "2026-11-02 08:58",
            "urgency": "urgent",
            "item": world.item.code,
            "request_kind": "help",
            "said": "独居老人家中停水",
        },
    )


def test_hotline_page_access_matrix(world):
    assert client_for().get("/office/hotline/").status_code == 302  # to the login page
    for user in (world.citizen, world.office_reviewer, world.stranger_staff):
        assert client_for(user).get("/office/hotline/").status_code == 403
    for user in (world.operator, world.office_head):
        page = client_for(user).get("/office/hotline/")
        assert page.status_code == 200
        assert b"autofocus" in page.content
    assert client_for(world.citizen).post("/office/hotline/link/", {}).status_code == 403


def test_the_operator_enters_a_call_then_links_the_repeated_call(world):
    r = _enter_call(world)
    assert r.status_code == 302, r.content.decode()[:2000]
    app = Application.objects.get()
    assert app.channel == "hotline" and app.status != "draft"
    assert unseal(app.caller["phone"]) == "13800002222" and app.urgency == "urgent"
    assert app.request_kind == "help" and app.form_data == {"content": "独居老人家中停水"}

    operator = client_for(world.operator)
    page = operator.get("/office/hotline/", {"phone": "138 0000 2222"})
    html = page.content.decode()
    table = html[html.index('data-testid="earlier-cases"') :]
    # The list shows the number masked (the operator's own search input keeps what was typed).
    assert app.number in table and f"<td>{mask_phone('13800002222')}</td>" in table
    r = operator.post(
        "/office/hotline/link/",
        {"number": app.number, "phone": "13800002222", "note": "再次来电"},
    )
    assert r.status_code == 302
    assert Event.objects.filter(application=app, action="call_linked").count() == 1
    assert Application.objects.count() == 1
    page = operator.get("/office/hotline/", {"phone": "13800002222"})
    assert f'data-testid="calls-{app.number}">1<' in page.content.decode()


def test_an_operator_of_another_office_cannot_link_to_a_foreign_case(world):
    _enter_call(world)
    app = Application.objects.get()
    other_operator = f.staff(world.other, role=Role.CLERK)
    r = client_for(other_operator).post(
        "/office/hotline/link/", {"number": app.number, "phone": "13800002222"}
    )
    assert r.status_code == 404
    assert not Event.objects.filter(action="call_linked").exists()


def test_anonymous_page_files_and_shows_the_code_once(world):
    url = f"/items/{world.item.code}/anonymous/"
    page = client_for().get(url)
    assert page.status_code == 200
    r = client_for().post(url, {"content": "河道排污"})
    assert r.status_code == 200
    app = Application.objects.get()
    assert app.anonymous
    code = r.context["query_code"]
    assert code in r.content.decode() and code not in app.query_code_hash
    tracked = client_for().get("/api/v1/track/", {"number": app.number, "query_code": code.lower()})
    assert tracked.status_code == 200
    # The case is nobody's: the citizen who happened to be logged in does not see it either.
    c = client_for(world.citizen)
    assert c.get(f"/my/cases/{app.number}/").status_code == 404


def test_anonymous_page_only_for_items_that_allow_it(world):
    world.item.allows_anonymous = False
    world.item.save(update_fields=["allows_anonymous"])
    assert client_for().get(f"/items/{world.item.code}/anonymous/").status_code == 404
    parallel = f.published_item(lead=world.other)
    parallel.allows_anonymous = True
    parallel.save(update_fields=["allows_anonymous"])
    assert client_for().get(f"/items/{parallel.code}/anonymous/").status_code == 404


def test_the_board_counts_repeated_calls(world):
    _enter_call(world)
    app = Application.objects.get()
    operator = client_for(world.operator)
    for _ in range(2):
        operator.post("/office/hotline/link/", {"number": app.number, "phone": "13800002222"})
    page = client_for(world.office_head).get("/office/supervision/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="repeated-calls-panel"' in html
    assert 'data-testid="repeated-calls-total">2<' in html
