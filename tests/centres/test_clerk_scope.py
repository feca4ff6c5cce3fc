"""DESIGN.md §5 and API.md (Applications): a window clerk sees the cases they entered and those
accepted or handed over at their centre — through the REST API as on the pages: their own
drafts only to themselves, the centre's cases to every clerk of the centre once submitted (and
still after the hand-over), never an online case of another door, never another centre's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Role
from tests.centres.test_walkin_intake import _centre_world, _enter, _upload
from tests.workflow import factories as f
from tests.workflow.journey import approve_department, decide, new_case
from workflow import services

pytestmark = pytest.mark.django_db


def numbers_seen(user) -> set[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/applications/", {"page_size": 100})
    assert response.status_code == 200, response.json()
    return {row["number"] for row in response.json()["results"]}


def detail_status(user, number: str) -> int:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/applications/{number}/").status_code


def test_a_clerk_sees_what_they_entered_and_what_was_accepted_or_handed_over_at_their_centre(
    client,
):
    world, centre, clerk = _centre_world()
    colleague = f.staff(centre.department, Role.CLERK)
    other_dept = f.department(name="罗定市政务服务中心", reg=f.region("445381", "罗定市"))
    f.centre(other_dept.region, other_dept)
    stranger = f.staff(other_dept, Role.CLERK)
    online = new_case(world)
    services.application_submit(actor=world.citizen, application=online)

    # A draft entered at the window: the clerk who entered it, nobody else at the centre.
    client.force_login(clerk)
    walk_in = _enter(client, world)
    assert numbers_seen(clerk) == {walk_in.number}
    assert numbers_seen(colleague) == set() and detail_status(colleague, walk_in.number) == 404

    # Accepted at the window: every clerk of the centre; not the online case, not a stranger.
    _upload(client, walk_in, f.requirement_ids(world.item)[0])
    client.post(
        reverse("centres:intake:case", args=[walk_in.number]), {"action": "submit", "accept": "on"}
    )
    walk_in.refresh_from_db()
    assert walk_in.status == "in_review" and walk_in.centre_id == centre.pk
    assert numbers_seen(clerk) == numbers_seen(colleague) == {walk_in.number}
    assert detail_status(colleague, walk_in.number) == 200
    assert detail_status(colleague, online.number) == 404
    assert numbers_seen(stranger) == set() and detail_status(stranger, walk_in.number) == 404

    # Decided in the back office and handed over by the colleague at the centre: still theirs.
    for department in world.departments:
        approve_department(world, walk_in, department)
    decide(world, walk_in)
    client.force_login(colleague)
    client.post(
        reverse("centres:intake:handover", args=[walk_in.number]),
        {"method": "window", "collected_by": "王五", "id_checked": "on"},
    )
    walk_in.refresh_from_db()
    assert walk_in.status == "closed" and walk_in.handover["handed_over_by"] == colleague.username
    assert numbers_seen(clerk) == numbers_seen(colleague) == {walk_in.number}
    assert numbers_seen(stranger) == set()
