"""Query-count guard of the grants' list page (issue 11 item 5): "shared with me" reads as many
queries for 2 shared cases as for 6."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Role
from tests.workflow import factories as f
from tests.workflow.journey import accept, build_world, submitted_case
from workflow.grants import services as grants

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_shared_with_me_queries_do_not_grow_with_the_shares(client, work_calendar):
    world = build_world(1)
    head = f.staff(world.lead, Role.HEAD)
    colleague = f.staff(f.department(name="专家部门"), Role.REVIEWER)
    client.force_login(colleague)
    url = reverse("grants:shared")

    def share(n: int) -> None:
        for _ in range(n):
            app = submitted_case(world)
            accept(world, app)
            grants.case_share_grant(actor=head, application=app, user=colleague, note="请提意见")

    def count() -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    share(2)
    few = count()
    share(4)
    assert count() == few
    assert few <= 15
