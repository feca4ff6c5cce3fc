"""In the browser: a city supervisor opens the statistics board and the scorecard; the ECharts
charts render under the site's CSP (their data from json_script elements), the pages pass the
axe check, and an export link answers a file."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, login, url
from tests.statistics import worked
from tests.workflow import factories as f
from workflow.deadlines import calendar

PASSWORD = "pw-123456"  # the factories' password
NOV = "start=2026-11-01&end=2026-11-30"


@pytest.mark.django_db(transaction=True)
def test_the_board_charts_render_and_pass_axe(
    page, live_server, shot, django_capture_on_commit_callbacks
):
    calendar.calendar_seed(years=[2025, 2026])
    calendar.invalidate_local()
    world = worked.build(django_capture_on_commit_callbacks)
    sup = f.supervisor(world.d1.region, world.d1)

    login(page, live_server, sup.get_username(), PASSWORD)
    page.goto(url(live_server, "statistics:board") + "?" + NOV)
    for chart in ("chart-trend", "chart-parallel", "chart-ranking"):
        box = page.locator(f'[data-testid="{chart}"][data-rendered="true"]')
        box.wait_for()
        assert box.locator("canvas").count() >= 1
    assert page.locator('[data-testid="table-figures"] tbody tr').count() > 20
    assert page.locator('[data-testid="divisions"] li').count() >= 1
    shot(page, "statistics-board")
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator('[data-testid="export-departments-xlsx"]').click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.goto(url(live_server, "statistics:scorecard") + "?period=month&year=2026&month=11")
    page.locator('[data-testid="chart-scorecard"][data-rendered="true"]').wait_for()
    assert world.d1.name in page.locator('[data-testid="table-scorecard"]').inner_text()
    shot(page, "statistics-scorecard")
    assert_accessible(page)
