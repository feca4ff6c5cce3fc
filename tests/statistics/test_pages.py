"""The statistics pages: who opens them and what they see (access through workflow.access), the
exports with formula injection neutralised, the scorecard with its weights, and query counts
that stay the same whatever the number of cases."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Role
from onestop import tabular
from stats import scorecard
from stats.models import ScorecardIndicator
from tests.statistics import worked
from tests.statistics.feeding import committed
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db

NOV = "start=2026-11-01&end=2026-11-30"


@pytest.fixture
def world(work_calendar, django_capture_on_commit_callbacks):
    return worked.build(django_capture_on_commit_callbacks)


def _client(client, user):
    client.force_login(user)
    return client


def test_the_board_shows_the_figures_and_charts_to_a_supervisor(world, client):
    sup = f.supervisor(world.d1.region, world.d1)
    response = _client(client, sup).get(f"{reverse('statistics:board')}?{NOV}")
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-trend", "chart-parallel", "chart-ranking"):
        assert f'id="{chart}"' in html  # the json_script behind each chart
        assert f'data-source="{chart}"' in html
    assert 'data-testid="table-figures"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert world.d1.name in html


def test_citizens_and_clerks_may_not_open_the_statistics(world, client):
    clerk = f.staff(world.d1, role=Role.CLERK)
    for name in ("statistics:board", "statistics:scorecard", "statistics:cases"):
        assert _client(client, clerk).get(reverse(name)).status_code == 403


def test_a_head_sees_only_their_department(world, client):
    head = f.staff(world.d2, role=Role.HEAD)
    c = _client(client, head)
    html = c.get(f"{reverse('statistics:board')}?{NOV}").content.decode()
    assert world.d2.name in html
    assert world.d1.name not in html and world.d3.name not in html
    # their department's scorecard only, and no case of another department in the drill-down
    html = c.get(f"{reverse('statistics:scorecard')}?period=month&year=2026&month=11").content
    assert world.d2.name in html.decode() and world.d1.name not in html.decode()
    cases = c.get(f"{reverse('statistics:cases')}?{NOV}&what=concluded").content.decode()
    assert world.cases[0].number not in cases
    # and asking for another department's figures gives an empty page, not theirs
    other = c.get(f"{reverse('statistics:board')}?{NOV}&department={world.d1.pk}")
    assert world.d1.name not in other.content.decode()


def test_the_drill_down_lists_the_cases_behind_a_figure(world, client):
    admin = f.user(is_superuser=True, is_staff=True)
    html = (
        _client(client, admin)
        .get(f"{reverse('statistics:cases')}?{NOV}&what=late")
        .content.decode()
    )
    assert world.cases[2].number in html  # case 3 was late
    assert world.cases[0].number not in html


def test_the_scorecard_weights_and_ranks(world):
    admin = f.user(is_superuser=True, is_staff=True)
    # only two indicators: on-time 3, red cards 1
    ScorecardIndicator.objects.all().delete()
    ScorecardIndicator.objects.create(indicator="on_time", weight=3)
    ScorecardIndicator.objects.create(indicator="red_cards", weight=1)
    rows, indicators = scorecard.scorecard(admin, by="department", year=2026, month=11)
    by_name = {r.name: r for r in rows}
    d1, d2, d3 = (by_name[d.name] for d in (world.d1, world.d2, world.d3))
    # d1: on time 75 (3 of 4), no red card → (3 × 75 + 1 × 100) / 4 = 81.25 → 81.2
    assert [s.score for s in d1.scores] == [75.0, 100.0]
    assert d1.total == 81.2
    # d2: no concluded case of its own (on-time left out), one red card → 90
    assert [s.score for s in d2.scores] == [None, 90.0]
    assert d2.total == 90.0
    # d3: no concluded case, no red card → 100
    assert d3.total == 100.0
    assert (d3.rank, d2.rank, d1.rank) == (1, 2, 3)
    # the whole year: the same cases
    year_rows, _ = scorecard.scorecard(admin, by="department", year=2026)
    assert {r.name: r.total for r in year_rows}[world.d1.name] == 81.2


def test_ties_share_a_rank():
    rows = [
        scorecard.Row(key=i, name=n, figures=None, total=t)
        for i, (n, t) in enumerate([("a", 90.0), ("b", 80.0), ("c", 90.0), ("d", None)])
    ]
    ranked = scorecard.rank(rows)
    assert [(r.name, r.rank) for r in ranked] == [("a", 1), ("c", 1), ("b", 3), ("d", None)]


def test_region_scorecard_for_the_city_supervisor(world, client):
    sup = f.supervisor(world.d1.region, world.d1)
    html = (
        _client(client, sup)
        .get(f"{reverse('statistics:scorecard')}?by=region&period=year&year=2026")
        .content.decode()
    )
    assert world.d1.region.name in html
    assert 'data-testid="scorecard-method"' in html


def test_cells_that_look_like_formulas_are_neutralised():
    assert tabular.neutralise_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    for bad in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert tabular.neutralise_cell(bad).startswith("'")
    assert tabular.neutralise_cell(-3) == -3
    assert tabular.neutralise_cell("市自然资源局") == "市自然资源局"
    body = tabular.write_csv([["=1+1"], [5]], ["名称"]).decode("utf-8")
    assert "'=1+1" in body and body.startswith("\ufeff")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(tabular.write_xlsx([["=1+1"], ["@x"], [5]], ["名称"])))
    cells = [c.value for c in book.active["A"]]
    assert cells == ["名称", "'=1+1", "'@x", 5]
    assert all(c.data_type != "f" for c in book.active["A"])


def test_every_table_exports_as_csv_and_xlsx(world, client):
    # an item whose name is a formula: neutralised in the export
    world.item_b.name = "=cmd|' /C calc'!A0"
    world.item_b.save(update_fields=["name"])
    admin = f.user(is_superuser=True, is_staff=True)
    c = _client(client, admin)
    for table in ("figures", "months", "departments", "regions", "items", "parallel", "ranking"):
        csv = c.get(f"{reverse('statistics:board')}?{NOV}&export={table}&format=csv")
        assert csv.status_code == 200, table
        assert csv["Content-Type"].startswith("text/csv")
        xlsx = c.get(f"{reverse('statistics:board')}?{NOV}&export={table}&format=xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", table
    items = c.get(f"{reverse('statistics:board')}?{NOV}&export=items&format=csv")
    text = items.content.decode("utf-8")
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text
    assert c.get(f"{reverse('statistics:board')}?{NOV}&export=nope").status_code == 404
    sc = c.get(f"{reverse('statistics:scorecard')}?period=year&year=2026&export=scorecard")
    assert sc.status_code == 200
    cases = c.get(f"{reverse('statistics:cases')}?{NOV}&export=cases&format=xlsx")
    assert cases.status_code == 200


def _more_cases(world, capture, n):
    """``n`` more concluded cases of item A, each with its events."""
    from permits.choices import EventAction as A
    from workflow.services.events import event_append

    with committed(capture):
        for i in range(n):
            app = worked._case(100 + i, world.item_a, channel="online", due=worked.end_of(30))
            for action, day in ((A.SUBMITTED, 16), (A.ACCEPTED, 16), (A.APPROVED, 18)):
                event_append(application=app, actor=None, action=action, at=worked.at(day))


@pytest.mark.parametrize("page", ["statistics:board", "statistics:scorecard", "statistics:cases"])
def test_query_counts_do_not_grow_with_the_cases(
    world, client, django_capture_on_commit_callbacks, page
):
    sup = f.supervisor(world.d1.region, world.d1)
    c = _client(client, sup)
    url = f"{reverse(page)}?{NOV}&year=2026&month=11"

    def count():
        c.get(url)  # warm the per-user caches
        with CaptureQueriesContext(connection) as q:
            assert c.get(url).status_code == 200
        return len(q)

    small = count()
    _more_cases(world, django_capture_on_commit_callbacks, 25)
    assert count() == small


def test_the_supervision_board_has_the_statistics_panel(world, client):
    sup = f.supervisor(world.d1.region, world.d1)
    html = _client(client, sup).get(f"{reverse('deadlines:supervision')}?{NOV}").content.decode()
    assert 'data-panel="statistics.headline"' in html
    assert 'data-testid="statistics-headline"' in html


def test_period_bounds():
    assert scorecard.period_bounds(year=2026, month=2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert scorecard.period_bounds(year=2026) == (date(2026, 1, 1), date(2026, 12, 31))
