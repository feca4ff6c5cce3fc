"""The supervision board is a page of panels that apps register (workflow/deadlines/board.py)."""

from __future__ import annotations

import pytest
from django.template import engines

from departments.models import Role
from tests.workflow import factories as f
from tests.workflow.deadlines.helpers import case_in_review
from workflow.deadlines import board

pytestmark = pytest.mark.django_db

URL = "/office/supervision/"


@pytest.fixture
def extra_panel(settings, tmp_path):
    """A panel as an app above workflow would register it from its ready()."""
    (tmp_path / "ratings_panel.html").write_text(
        '<section data-testid="ratings-panel">{{ bad_ratings }} bad ratings</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    engines._engines = {}  # drop the cached engines: the new DIRS apply
    calls = []

    def context(request, filters):
        calls.append((request.user, filters.start))
        return {"bad_ratings": 3}

    panel = board.Panel("ratings.bad", "ratings_panel.html", context, order=25)
    board.register_panel(panel)
    yield panel, calls
    board.unregister_panel(panel.key)
    engines._engines = {}


def test_the_deadline_panels_are_registered_in_order():
    keys = [p.key for p in board.panels()]
    assert keys[:5] == [
        "deadlines.open_tasks",
        "deadlines.tasks",
        "deadlines.by_department",
        "process.handling",  # workflow's own panel of dispatched cases (process_board)
        "deadlines.by_item",
    ]


def test_a_registered_panel_appears_on_the_board_in_its_place(work_calendar, client, extra_panel):
    panel, calls = extra_panel
    world, app = case_in_review(1)
    head = f.staff(world.departments[0], Role.HEAD)
    client.force_login(head)
    html = client.get(URL, {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert "3 bad ratings" in html
    assert calls and calls[0][0] == head and str(calls[0][1]) == "2026-03-01"
    order = [html.index(f'data-panel="{key}"') for key in ("deadlines.tasks", "ratings.bad")]
    assert order == sorted(order)
    assert html.index('data-panel="ratings.bad"') < html.index(
        'data-panel="deadlines.by_department"'
    )


def test_a_panel_hidden_from_the_user_is_not_rendered(work_calendar, client, extra_panel):
    panel, calls = extra_panel
    board.register_panel(
        board.Panel(panel.key, panel.template, panel.context, visible=lambda u: False)
    )
    world, app = case_in_review(1)
    client.force_login(f.staff(world.departments[0], Role.HEAD))
    html = client.get(URL).content.decode()
    assert "bad ratings" not in html and not calls
    assert 'data-panel="deadlines.open_tasks"' in html


def test_registering_the_same_key_again_replaces_the_panel():
    before = len(board.panels())
    board.register_deadline_panels()
    assert len(board.panels()) == before
