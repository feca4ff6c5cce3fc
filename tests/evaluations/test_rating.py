"""Once per answer; only the applicant rates (API.md Ratings)."""

import pytest
from rest_framework.test import APIClient

from evaluations.models import Rating
from permits.choices import EventAction
from tests.workflow import factories as f
from tests.workflow.journey import accept, approve_department, build_world, decide, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(work_calendar):
    world = build_world(1)
    app = submitted_case(world)
    accept(world, app)
    for dept in world.departments:
        approve_department(world, app, dept)
    decide(world, app)
    app.refresh_from_db()
    assert app.status == "approved"
    return world, app


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(app):
    return f"/api/v1/applications/{app.number}/rating/"


def test_the_applicant_rates_once_and_a_second_rating_answers_409(finished):
    world, app = finished
    client = _client(world.citizen)
    first = client.post(_url(app), {"level": 4, "tags": ["overall"]}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["level"] == 4
    second = client.post(_url(app), {"level": 5}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert Rating.objects.filter(application=app).count() == 1
    assert app.events.filter(action=EventAction.RATED).count() == 1
    detail = client.get(f"/api/v1/applications/{app.number}/").json()
    assert [r["level"] for r in detail["ratings"]] == [4]


def test_a_stranger_gets_404_and_a_case_in_review_cannot_be_rated(finished, work_calendar):
    world, app = finished
    stranger, _ = f.citizen()
    assert _client(stranger).post(_url(app), {"level": 1}, format="json").status_code == 404
    assert (
        _client(stranger)
        .post("/api/v1/applications/NOPE/rating/", {"level": 1}, format="json")
        .status_code
        == 404
    )
    other = submitted_case(world)
    assert _client(world.citizen).post(_url(other), {"level": 3}, format="json").status_code == 409


def test_a_level_outside_1_to_5_is_invalid(finished):
    world, app = finished
    response = _client(world.citizen).post(_url(app), {"level": 7}, format="json")
    assert response.status_code == 400
    assert "level" in response.json()["fields"]
