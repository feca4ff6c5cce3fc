"""The department queue's count stops at the cap (onestop.keyset.COUNT_CAP, 10,000), as the
applications API's does: at 70,000 open tasks an exact count took 1.4–2 s a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.paging import page_with_capped_count
from tests.workflow.journey import build_world, submitted_case
from workflow import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def world():
    return build_world(2)


def test_a_capped_page_says_so_and_an_exact_one_does_not(world):
    for _ in range(5):
        submitted_case(world)
    tasks = selectors.task_list_for_user(user=world.lead_staff["undertake"], scope="queue")

    exact = page_with_capped_count(tasks, 2, "3", cap=10)
    capped = page_with_capped_count(tasks, 2, "9", cap=3)

    assert exact.paginator.count == 5 and exact.count_capped is False
    assert [t.pk for t in exact.object_list] == [t.pk for t in tasks[4:5]]
    assert capped.paginator.count == 3 and capped.count_capped is True
    # Pages stop at the cap (get_page falls back to its last page), and so do the rows.
    assert capped.number == 2
    assert [t.pk for t in capped.object_list] == [t.pk for t in tasks[2:3]]


def test_the_queue_page_shows_the_cap_with_a_plus_in_chinese(client, world, monkeypatch):
    monkeypatch.setattr("onestop.paging.COUNT_CAP", 3)
    monkeypatch.setattr("workflow.views.PAGE_SIZE", 2)
    for _ in range(5):
        submitted_case(world)
    client.force_login(world.lead_staff["undertake"])

    html = client.get(reverse("workflow:queue")).content.decode()

    assert "第 1 / 2+ 页，共 3+ 项" in html
    # The other tabs keep their exact count.
    assert "3+" not in client.get(reverse("workflow:done")).content.decode()


def test_the_queue_count_reads_at_most_the_cap_and_its_queries_do_not_grow(client, world):
    reviewer = world.lead_staff["undertake"]
    client.force_login(reviewer)
    for _ in range(3):
        submitted_case(world)
    client.get(reverse("workflow:queue"))  # the filter lists into the cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("workflow:queue"))
    for _ in range(9):
        submitted_case(world)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("workflow:queue")).content.decode()

    assert len(few.captured_queries) == len(many.captured_queries)
    counts = [q["sql"] for q in many.captured_queries if '"workflow_casetask"' in q["sql"]]
    counts = [sql for sql in counts if sql.upper().startswith("SELECT COUNT(")]
    # One count, over the first COUNT_CAP + 1 task keys only (never the whole queue).
    assert len(counts) == 1 and "LIMIT 10001" in counts[0]
    assert "+ 项" not in html  # 12 tasks: one page, exact
