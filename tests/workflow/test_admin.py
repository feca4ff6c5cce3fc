"""The case admin is read-only: cases move only through the services."""

import pytest

from tests.workflow.journey import accept, build_world, submitted_case

pytestmark = pytest.mark.django_db


def test_case_admin_pages_render_read_only(admin_client):
    world = build_world(2)
    app = submitted_case(world)
    accept(world, app)
    task = app.tasks.first()
    for url in (
        "/admin/permits/application/",
        f"/admin/permits/application/{app.pk}/change/",
        "/admin/workflow/casetask/",
        f"/admin/workflow/casetask/{task.pk}/change/",
    ):
        r = admin_client.get(url)
        assert r.status_code == 200, url
        assert b'name="_save"' not in r.content
    assert admin_client.get("/admin/permits/application/add/").status_code == 403
