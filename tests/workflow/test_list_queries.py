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
