"""A window visit's 差评 opens a rectification without a case task (evaluations.visit_handling):
the head of the centre's department records the callback and the fix, or appeals; a supervisor
of the region upholds (open again) or overturns (the rating is set aside, out of the figures);
the page /office/ratings/visits/ is 404 for anyone else; the export carries the handling."""

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from departments.models import Role
from evaluations import figures
from evaluations.export import records
from evaluations.models import Rating, Rectification
from tests.evaluations.helpers import client
from tests.evaluations.test_channels_and_visits import rated_visit
from tests.workflow import factories as f
from workflow.services.common import add_time_limit

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "ratings-export.schema.json").read_text()
)
DAY = "2026-11-02 09:00:00+08:00"
URL = "/office/ratings/visits/"


@pytest.fixture
def bad_visit(work_calendar):
    with time_machine.travel(DAY, tick=False):
        centre, ticket = rated_visit(2)
    dept = centre.centre.department
    return {
        "centre": centre,
        "ticket": ticket,
        "rating": Rating.objects.get(subject_kind="visit", subject_id=ticket.pk),
        "head": f.staff(dept, Role.HEAD),
        "supervisor": f.supervisor(centre.centre.region, dept),
    }


def _browser(user):
    b = client()
    b.force_login(user)
    return b


def _post(user, rectification, step, **data):
    return _browser(user).post(URL, {"rectification": rectification.pk, "step": step, **data})


def _callback(head, r):
    response = _post(head, r, "callback", called_on="2026-11-03", revisit="访客称等候过久")
    assert response.status_code == 302


def test_a_visit_bad_rating_opens_one_rectification_and_a_good_one_none(bad_visit):
    rating = bad_visit["rating"]
    r = Rectification.objects.get(rating=rating)
    assert r.task_id is None and r.status == "open"
    assert r.department_id == bad_visit["centre"].centre.department_id
    assert r.due_at == add_time_limit(start=rating.rated_at, days=15, unit="working_day")
    assert Rectification.objects.count() == 1
    assert AuditRecord.objects.filter(action="rectification.visit.opened").count() == 1
    for level in (3, 4, 5):
        rated_visit(level)
    assert Rectification.objects.count() == 1


def test_the_head_records_the_callback_and_the_fix(bad_visit):
    head, r = bad_visit["head"], Rectification.objects.get(rating=bad_visit["rating"])
    page = _browser(head).get(URL).content.decode()
    assert bad_visit["ticket"].code in page and 'data-testid="visit-callback"' in page
    with time_machine.travel("2026-11-04 10:00:00+08:00", tick=False):
        # no fix before the callback
        _post(head, r, "fix", fix="增开窗口", told="已电话告知")
        r.refresh_from_db()
        assert r.status == "open" and r.fix == ""
        _callback(head, r)
        r.refresh_from_db()
        assert r.revisit == "访客称等候过久" and r.revisit_by == head
        assert timezone.localtime(r.revisit_at).date() == date(2026, 11, 3)
        assert _post(head, r, "fix", fix="增开窗口", told="已电话告知").status_code == 302
    r.refresh_from_db()
    assert (r.status, r.fix, r.told, r.fixed_by, r.on_time) == (
        "done",
        "增开窗口",
        "已电话告知",
        head,
        True,
    )
    assert r.fixed_at is not None and r.closed_at == r.fixed_at
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"rectification.visit.callback", "rectification.visit.fixed"} <= actions
    result = figures.figures(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert result.overall.bad == 1 and result.overall.bad_rectified_on_time == 1
    board = _browser(head).get(
        reverse("deadlines:supervision") + "?start=2026-11-01&end=2026-11-30"
    )
    board = board.content.decode()
    assert 'data-testid="visit-rectifications-link"' in board
    # the bad visit's row links to the page and shows its handling's status
    assert board.count(f'href="{URL}"') == 2 and "visit-rectifications-link" in board
    assert str(r.get_status_display()) in board
    (rec,) = [x for x in records(date(2026, 11, 1), date(2026, 11, 30))]
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(rec)
    assert rec["subject_kind"] == "visit"
    assert rec["rectification"]["status"] == "done"
    assert rec["rectification"]["fix"] == "增开窗口" and rec["rectification"]["on_time"] is True
    assert rec["rectification"]["callback"] == "访客称等候过久"


def test_an_appeal_overturned_by_the_supervisor_takes_the_rating_out_of_the_figures(bad_visit):
    head, supervisor = bad_visit["head"], bad_visit["supervisor"]
    r = Rectification.objects.get(rating=bad_visit["rating"])
    _callback(head, r)
    assert _post(head, r, "appeal", appeal_reasons="访客误评，当日系统故障").status_code == 302
    r.refresh_from_db()
    assert (r.status, r.appeal_status, r.appealed_by) == ("appealed", "pending", head)
    # the head does not decide; the supervisor reads it and decides
    _post(head, r, "decide", decision="overturn", opinion="x")
    r.refresh_from_db()
    assert r.status == "appealed"
    page = _browser(supervisor).get(URL).content.decode()
    assert 'data-testid="visit-decide"' in page and 'data-testid="visit-callback"' not in page
    _post(supervisor, r, "decide", decision="overturn", opinion="")  # reasons required
    r.refresh_from_db()
    assert r.status == "appealed"
    _post(supervisor, r, "decide", decision="overturn", opinion="经核实系统故障所致")
    r.refresh_from_db()
    rating = Rating.objects.get(pk=r.rating_id)
    assert (r.status, r.appeal_status, r.appeal_decided_by) == (
        "set_aside",
        "overturned",
        supervisor,
    )
    assert r.appeal_decided_at is not None
    assert rating.set_aside and rating.set_aside_reasons == "经核实系统故障所致"
    result = figures.figures(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert result.overall.total == 0 and result.overall.bad == 0
    assert AuditRecord.objects.filter(action="rectification.visit.overturn").exists()
    (rec,) = records(date(2026, 11, 1), date(2026, 11, 30))
    assert rec["set_aside"] is True and rec["rectification"]["appeal_status"] == "overturned"


def test_an_upheld_appeal_opens_it_again(bad_visit):
    head, supervisor = bad_visit["head"], bad_visit["supervisor"]
    r = Rectification.objects.get(rating=bad_visit["rating"])
    due = r.due_at
    _callback(head, r)
    _post(head, r, "appeal", appeal_reasons="理由")
    _post(supervisor, r, "decide", decision="uphold", opinion="差评成立")
    r.refresh_from_db()
    assert (r.status, r.appeal_status, r.due_at) == ("open", "upheld", due)
    assert not Rating.objects.get(pk=r.rating_id).set_aside
    page = _browser(head).get(URL).content.decode()
    assert 'data-testid="visit-fix"' in page


def test_the_overdue_marker(bad_visit):
    head = bad_visit["head"]
    with time_machine.travel("2026-12-20 10:00:00+08:00", tick=False):
        page = _browser(head).get(URL).content.decode()
    assert 'data-testid="overdue"' in page


def test_another_department_head_and_a_citizen_get_404(bad_visit):
    r = Rectification.objects.get(rating=bad_visit["rating"])
    other = f.staff(f.department("other-dept"), Role.HEAD)
    page = _browser(other).get(URL)
    assert page.status_code == 200 and bad_visit["ticket"].code not in page.content.decode()
    assert _post(other, r, "callback", revisit="x").status_code == 404
    citizen, *_rest = f.citizen()
    assert _browser(citizen).get(URL).status_code == 404
    assert _post(citizen, r, "callback", revisit="x").status_code == 404
    clerk = bad_visit["centre"].clerk
    assert _browser(clerk).get(URL).status_code == 404
    r.refresh_from_db()
    assert r.revisit == ""
    # a supervisor reads but does not handle
    assert _post(bad_visit["supervisor"], r, "callback", revisit="x").status_code == 404
    assert client().get(URL).status_code == 302  # to the login
