"""A window visit rated 一次一评: finishing a ticket opens exactly one invitation; the slip's link
answers "办理结束后可评价" before the end, rates once after it, refuses reuse and forgery; the
window's rating pad rates without the visitor logging in, only a visit just finished at that
window."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from centres import visits
from centres.models import Ticket
from centres.services import queue
from departments.models import Role
from evaluations import links
from evaluations.models import Invitation, Rating
from permits.choices import Category
from tests.centres.factories import build_world
from tests.departments.factories import UserFactory, grant
from workflow.deadlines.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _local_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-centres-visits",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world():
    w = build_world()
    w.window("05", categories=[Category.LICENSING])
    w.window("06", categories=[Category.LICENSING])
    return w


def slip_link(client, world) -> tuple[Ticket, str]:
    """Take a ticket at the kiosk; the slip's rating link (its path) and the ticket."""
    url = reverse("centres:kiosk", args=[world.centre.code])
    slip = client.post(url, {"item": world.items["lic0"].pk}, follow=True).content.decode()
    match = re.search(r'data-testid="slip-rating-url">([^<]+)<', slip)
    assert match and "<svg" in slip, "the slip shows the QR code and the link"
    path = re.sub(r"^https?://[^/]+", "", match.group(1))
    return Ticket.objects.latest("pk"), path


def call_and_finish(world, ticket, clerk=None):
    clerk = clerk or world.clerk
    called = queue.ticket_call_next(window=ticket.window, actor=clerk)
    assert called.pk == ticket.pk
    return queue.ticket_finish(ticket=ticket, actor=clerk)


def test_finishing_a_ticket_opens_exactly_one_invitation_with_the_visit_facts(world):
    ticket = queue.ticket_issue(centre=world.centre, item=world.items["lic0"])
    assert not Invitation.objects.filter(subject_kind="visit").exists()
    call_and_finish(world, ticket)
    (invitation,) = Invitation.objects.filter(subject_kind="visit")
    assert invitation.subject_id == ticket.pk and invitation.closed_at is None
    assert invitation.application_id is None  # not the case's: its result notice keeps its own
    facts = visits.ticket_facts(ticket.pk)
    assert facts["staff_id"] == world.clerk.pk
    assert facts["department_id"] == world.centre.department_id
    assert facts["region_id"] == world.centre.region_id
    assert facts["item_id"] == ticket.item_id and facts["data"]["ticket"] == "A001"


def test_the_slip_link_waits_for_the_end_then_rates_once(zh_client, world):
    ticket, path = slip_link(zh_client, world)
    token = path.strip("/").split("/")[-1]
    api = APIClient()
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    before = zh_client.get(path)
    assert before.status_code == 409 and "办理结束后可评价" in before.content.decode()
    early = api.post(f"/api/v1/ratings/by-link/{token}/", {"level": 5}, format="json")
    assert early.status_code == 409 and "办理结束后可评价" in early.json()["detail"]

    call_and_finish(world, ticket)
    page = zh_client.get(path).content.decode()
    assert "服务态度" in page and "A001" in page  # the on-site criteria, the visit named
    done = api.post(
        f"/api/v1/ratings/by-link/{token}/",
        {"level": 2, "tags": ["attitude", "bad_attitude"], "comment": "等太久"},
        format="json",
    )
    assert done.status_code == 201, done.content
    rating = Rating.objects.get(subject_kind="visit", subject_id=ticket.pk)
    assert (rating.channel, rating.source, rating.level) == ("window", "link", 2)
    assert rating.staff_id == world.clerk.pk
    assert rating.department_id == world.centre.department_id
    assert rating.reasons == ["bad_attitude"] and rating.tags == ["attitude"]
    # a visit's 差评 opens a rectification without a case task (evaluations.visit_handling)
    assert rating.rectification.task_id is None and rating.rectification.status == "open"

    again = zh_client.post(path, {"level": 5})
    assert again.status_code == 409 and "已使用" in again.content.decode()
    assert api.post(f"/api/v1/ratings/by-link/{token}/", {"level": 5}).status_code == 409

    forged = links.subject_token_for("visit", ticket.pk)[:-3] + "abc"
    assert zh_client.get(f"/r/{forged}/").status_code == 404
    assert api.post(f"/api/v1/ratings/by-link/{forged}/", {"level": 5}).status_code == 404
    missing = links.subject_token_for("visit", ticket.pk + 999)
    assert zh_client.get(f"/r/{missing}/").status_code == 404


def test_the_slip_link_expires(zh_client, world, _frozen):
    ticket, path = slip_link(zh_client, world)
    call_and_finish(world, ticket)
    _frozen.shift(timedelta(days=31))
    assert zh_client.get(path).status_code == 410


def test_the_rating_pad_rates_a_visit_just_finished_at_that_window(client, world):
    ticket = queue.ticket_issue(centre=world.centre, item=world.items["lic0"])
    window = ticket.window
    pad = reverse("centres:rating_pad", args=[window.pk, ticket.pk])
    client.force_login(world.clerk)
    assert client.get(pad).status_code == 404  # not finished yet
    queue.ticket_call_next(window=window, actor=world.clerk)
    assert client.get(pad).status_code == 404  # at the window, not finished
    queue.ticket_finish(ticket=ticket, actor=world.clerk)

    desk = client.get(reverse("centres:desk", args=[window.pk])).content.decode()
    assert pad in desk  # the desk offers the pad for the visit just finished
    other_window = next(w for w in world.windows.values() if w.pk != window.pk)
    assert (
        client.get(reverse("centres:rating_pad", args=[other_window.pk, ticket.pk])).status_code
        == 404
    )
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(pad).status_code in (302, 404)
    other_clerk = UserFactory()
    grant(other_clerk, build_world().centre.department, Role.CLERK)  # another centre's clerk
    client.force_login(other_clerk)
    assert client.get(pad).status_code == 404

    client.force_login(world.clerk)
    page = client.get(pad)
    assert page.status_code == 200 and 'data-testid="pad-form"' in page.content.decode()
    response = client.post(pad, {"level": 5, "tags": ["service_efficiency"]})
    assert 'data-testid="pad-thanks"' in response.content.decode()
    rating = Rating.objects.get(subject_kind="visit", subject_id=ticket.pk)
    assert (rating.channel, rating.source) == ("window", "pad")
    assert rating.rated_by_id is None and rating.recorded_by_id == world.clerk.pk
    again = client.post(pad, {"level": 1})
    assert 'data-testid="pad-already"' in again.content.decode()
    assert Rating.objects.filter(subject_kind="visit").count() == 1
    # The slip's link of a visit rated at the pad is used.
    token = links.subject_token_for("visit", ticket.pk)
    assert APIClient().post(f"/api/v1/ratings/by-link/{token}/", {"level": 3}).status_code == 409
    assert (
        reverse("centres:rating_pad", args=[window.pk, ticket.pk])
        not in client.get(reverse("centres:desk", args=[window.pk])).content.decode()
    )


def test_the_pad_closes_after_its_minutes(client, world, _frozen, settings):
    settings.CENTRES_RATING_PAD_MINUTES = 30
    ticket = queue.ticket_issue(centre=world.centre, item=world.items["lic0"])
    call_and_finish(world, ticket)
    _frozen.shift(timedelta(minutes=31))
    client.force_login(world.clerk)
    pad = reverse("centres:rating_pad", args=[ticket.window_id, ticket.pk])
    assert client.get(pad).status_code == 404


def test_the_slip_link_of_a_skipped_ticket_says_there_is_nothing_to_rate(zh_client, world):
    ticket, path = slip_link(zh_client, world)
    queue.ticket_call_next(window=ticket.window, actor=world.clerk)
    queue.ticket_skip(ticket=ticket, actor=world.clerk)
    page = zh_client.get(path)
    assert page.status_code == 404 and "未办理" in page.content.decode()
    assert not Invitation.objects.filter(subject_kind="visit").exists()
