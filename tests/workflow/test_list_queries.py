"""Query-count guards of the case lists through the API (issue 11 item 5): the applications
list as a reviewer of the lead department and as the citizen reads as many queries for 3 cases
as for 12. (The inbox, queue and done pages: test_views.py; my cases: tests/portal/cases.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.workflow.journey import build_world, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _count(user, url: str) -> int:
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(url).status_code == 200  # warm
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["reviewer", "citizen"])
def test_applications_list_queries_do_not_grow_with_the_cases(who):
    world = build_world(2)
    user = world.lead_staff["undertake"] if who == "reviewer" else world.citizen
    url = "/api/v1/applications/"
    for _ in range(3):
        submitted_case(world)
    few = _count(user, url)
    for _ in range(9):
        submitted_case(world)
    many = _count(user, url)
    assert few == many
    assert many <= 12


@pytest.mark.postgres  # measures PostgreSQL's plan or query path
def test_applications_list_through_a_token_reads_a_constant_few_queries():
    """As bench/http.py asks it: a reviewer's token (its query also answers the roles, device,
    grants and applicant facts), the page as plain rows, their department rows, the count."""
    from logins.services import token_issue

    world = build_world(2)
    reviewer = world.lead_staff["undertake"]
    _, key = token_issue(user=reviewer, second_factor=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def count() -> int:
        assert api.get("/api/v1/applications/").status_code == 200  # warm (last-used stamp)
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/applications/")
        assert response.status_code == 200 and response.data["results"]
        return len(queries)

    for _ in range(3):
        submitted_case(world)
    few = count()
    for _ in range(9):
        submitted_case(world)
    assert count() == few
    assert few <= 5  # token, page, department rows, count (and its union below the cap)
