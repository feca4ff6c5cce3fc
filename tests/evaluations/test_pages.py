"""The citizen's rating pages: the case page links to the rating once rateable; the rating page
records a rating (and a 差评 shows its follow-up); the SMS link's page works without login and
says plainly when the link is used, forged or expired; the public results page."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from evaluations import links
from evaluations.models import Invitation, Rating
from tests.evaluations.helpers import finished_case
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False) as traveller:
        yield traveller


def _logged_in(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_case_page_links_to_the_rating_page_and_it_records_a_bad_rating(work_calendar):
    world, app = finished_case()
    page = _logged_in(world.citizen)
    html = page.get(f"/my/cases/{app.number}/").content.decode()
    assert f"/my/cases/{app.number}/rate/" in html and 'data-testid="rate-link"' in html
    form = page.get(f"/my/cases/{app.number}/rate/")
    assert form.status_code == 200
    body = form.content.decode()
    for label in ("非常满意", "非常不满意", "办事效率", "超过承诺时限"):
        assert label in body
    response = page.post(
        f"/my/cases/{app.number}/rate/",
        {"level": "2", "tags": ["efficiency"], "reasons": ["overdue"], "comment": "等太久"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get(application=app)
    assert rating.level == 2 and rating.reasons == ["overdue"] and rating.source == "site"
    html = page.get(f"/my/cases/{app.number}/").content.decode()
    assert 'data-testid="rate-link"' not in html
    assert 'data-testid="rectification-outcome"' in html and "整改中" in html
    # Rated already: the rating page sends back to the case.
    assert page.get(f"/my/cases/{app.number}/rate/").status_code == 302
    # A stranger gets 404.
    stranger, _ = f.citizen()
    assert _logged_in(stranger).get(f"/my/cases/{app.number}/rate/").status_code == 404


def test_the_link_page_rates_without_login_and_refuses_used_forged_and_expired(
    work_calendar, _frozen
):
    world, app = finished_case()
    token = links.token_for(Invitation.objects.get(subject_id=app.pk).pk)
    anonymous = Client()
    page = anonymous.get(f"/r/{token}/")
    assert page.status_code == 200 and 'data-testid="rating-form"' in page.content.decode()
    done = anonymous.post(f"/r/{token}/", {"level": "5", "tags": ["overall"]})
    assert done.status_code == 200 and 'data-testid="rating-done"' in done.content.decode()
    assert Rating.objects.get(application=app).source == "link"
    used = anonymous.get(f"/r/{token}/")
    assert used.status_code == 409 and "已使用" in used.content.decode()
    forged = anonymous.get(f"/r/{token[:-3]}xyz/")
    assert forged.status_code == 404 and "无效" in forged.content.decode()
    world2, app2 = finished_case()
    token2 = links.token_for(Invitation.objects.get(subject_id=app2.pk).pk)
    _frozen.shift(timedelta(days=31))
    expired = anonymous.get(f"/r/{token2}/")
    assert expired.status_code == 410 and "过期" in expired.content.decode()


def test_the_public_results_page_shows_the_months_figures(work_calendar):
    world, app = finished_case()
    _logged_in(world.citizen).post(f"/my/cases/{app.number}/rate/", {"level": "4"})
    city = Client().get("/ratings/?year=2026")
    assert city.status_code == 200
    html = city.content.decode()
    assert "2026-11" in html and 'data-testid="rating-total">1<' in html
    dept = Client().get(f"/ratings/{world.lead.code}/?year=2026")
    assert dept.status_code == 200 and world.lead.name in dept.content.decode()
    assert Client().get("/ratings/NOPE/").status_code == 404
