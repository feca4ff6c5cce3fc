"""Every rating records the channel it came in by (site, API, SMS link, window, hotline); the
figures and the export split by channel and count window visits; a visit's record validates
against the export's JSON Schema; the 12345 operator's page checks who may record a phoned-in
rating and who the caller is; the board's CSV / xlsx download neutralises formulas."""

import csv
import io
import json
from datetime import date
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from centres.services import queue
from departments.models import DepartmentKind, Role
from evaluations import figures, links
from evaluations.export import FLAT_HEADERS, records
from evaluations.models import Invitation, Rating
from permits.choices import Category
from tests.centres.factories import build_world as build_centre
from tests.evaluations.helpers import client, finished_case, rate
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "ratings-export.schema.json").read_text()
)
DAY = "2026-11-02 09:00:00+08:00"


def rated_visit(level=5, *, clerk_name=""):
    """A ticket called, finished and rated by the slip's link."""
    centre = build_centre()
    if clerk_name:
        centre.clerk.first_name = clerk_name
        centre.clerk.save()
    centre.window("05", categories=[Category.LICENSING])
    ticket = queue.ticket_issue(centre=centre.centre, item=centre.items["lic0"])
    queue.ticket_call_next(window=ticket.window, actor=centre.clerk)
    queue.ticket_finish(ticket=ticket, actor=centre.clerk)
    token = links.subject_token_for("visit", ticket.pk)
    response = client().post(f"/api/v1/ratings/by-link/{token}/", {"level": level}, format="json")
    assert response.status_code == 201, response.content
    return centre, ticket


@pytest.fixture
def channels(work_calendar):
    """One rating per channel: site, API, SMS link, window (slip), hotline."""
    with time_machine.travel(DAY, tick=False):
        world, by_site = finished_case()
        page = client()
        page.force_login(world.citizen)
        assert page.post(f"/my/cases/{by_site.number}/rate/", {"level": 5}).status_code == 302
        _w2, by_api = finished_case()
        assert rate(_w2.citizen, by_api, 4).status_code == 201
        _w3, by_sms = finished_case()
        invitation = Invitation.objects.get(subject_kind="case", subject_id=by_sms.pk)
        token = links.token_for(invitation.pk)
        assert client().post(f"/api/v1/ratings/by-link/{token}/", {"level": 3}).status_code == 201
        centre, ticket = rated_visit(2, clerk_name="=cmd|' /C calc'!A0")
        w4, by_phone = finished_case()
        office = f.department("t-12345-a", name="12345热线", reg=by_phone.region)
        office.kind = DepartmentKind.COORDINATING
        office.save()
        operator = f.staff(office, Role.CLERK)
        browser = client()
        browser.force_login(operator)
        response = browser.post(
            reverse("evaluations:hotline"),
            {
                "number": by_phone.number,
                "phone": w4.person.phone,
                "level": 1,
                "reasons": ["overdue"],
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    return {
        "site": by_site,
        "api": by_api,
        "sms": by_sms,
        "visit": ticket,
        "centre": centre,
        "phone": by_phone,
        "operator": operator,
    }


def test_each_rating_records_its_channel_and_source(channels):
    def of(app):
        return Rating.objects.get(subject_kind="case", subject_id=app.pk)

    assert (of(channels["site"]).channel, of(channels["site"]).source) == ("online", "site")
    assert (of(channels["api"]).channel, of(channels["api"]).source) == ("api", "site")
    assert (of(channels["sms"]).channel, of(channels["sms"]).source) == ("sms", "link")
    phoned = of(channels["phone"])
    assert (phoned.channel, phoned.source) == ("hotline", "hotline")
    assert phoned.recorded_by_id == channels["operator"].pk and phoned.rated_by_id is None
    assert hasattr(phoned, "rectification")  # a phoned-in 差评 of a case is handled as any
    visit = Rating.objects.get(subject_kind="visit")
    assert (visit.channel, visit.source) == ("window", "link")


def test_figures_split_by_channel_and_count_visits(channels):
    result = figures.figures(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert result.overall.total == 5 and result.overall.visits == 1
    assert result.overall.by_channel == {"online": 1, "api": 1, "sms": 1, "window": 1, "hotline": 1}
    assert [code for code, _label, _n in result.overall.channels] == [
        "online",
        "sms",
        "window",
        "hotline",
        "api",
    ]
    centre_dept = channels["centre"].centre.department
    own = figures.figures(
        start=date(2026, 11, 1), end=date(2026, 11, 30), department_id=centre_dept.pk
    )
    assert own.overall.total == own.overall.visits == 1 and own.overall.bad == 1
    page = client().get(f"/ratings/{centre_dept.code}/?year=2026").content.decode()
    assert 'data-testid="rating-visits">1<' in page and 'data-channel="window"' in page


def test_the_export_carries_visits_and_channels_and_validates(channels):
    recs = list(records(date(2026, 11, 1), date(2026, 11, 30)))
    assert len(recs) == 5
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for rec in recs:
        validator.validate(rec)
    (visit,) = [r for r in recs if r["subject_kind"] == "visit"]
    ticket = channels["visit"]
    assert visit["channel"] == "window" and visit["source"] == "link"
    assert visit["case_number"] is None and visit["case_channel"] is None
    assert visit["item_code"] == ticket.item.code
    assert visit["department_code"] == channels["centre"].centre.department.code
    assert visit["visit"] == {
        "centre_code": channels["centre"].centre.region.code,
        "centre_name": channels["centre"].centre.name,
        "window": "05",
        "ticket": ticket.code,
        "day": ticket.day.isoformat(),
    }
    # a visit's 差评 opens a rectification without a task (evaluations.visit_handling)
    assert visit["rectification"]["status"] == "open"
    cases = [r for r in recs if r["subject_kind"] == "case"]
    assert {r["channel"] for r in cases} == {"online", "api", "sms", "hotline"}
    assert all(r["visit"] is None and r["case_channel"] == "online" for r in cases)


def test_a_visit_record_missing_a_field_or_with_a_bad_ticket_fails_the_schema(channels):
    (visit,) = [
        r for r in records(date(2026, 11, 1), date(2026, 11, 30)) if r["subject_kind"] == "visit"
    ]
    broken = {**visit, "visit": {**visit["visit"], "ticket": "017"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)
    del broken["visit"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_the_command_writes_csv_and_xlsx_with_formulas_neutralised(channels, tmp_path):
    out = io.StringIO()
    call_command(
        "export_ratings",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == FLAT_HEADERS and len(rows) == 6
    staff = rows[0].index("staff")
    (visit_row,) = [r for r in rows[1:] if r[1] == "visit"]
    assert visit_row[staff].startswith("'=cmd")
    target = tmp_path / "ratings.xlsx"
    call_command(
        "export_ratings",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "xlsx",
        "--output",
        str(target),
    )
    ws = openpyxl.load_workbook(target).active
    assert [c.value for c in ws[1]] == FLAT_HEADERS and ws.max_row == 6
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert any(str(c.value).startswith("'=cmd") for row in ws.iter_rows() for c in row)


def test_the_board_download_is_for_supervisors_and_scoped(channels):
    url = reverse("evaluations:download") + "?from=2026-11-01&to=2026-11-30"
    anonymous = client().get(url)
    assert anonymous.status_code == 302  # to the login
    browser = client()
    browser.force_login(channels["operator"])  # a hotline clerk does not supervise ratings
    assert browser.get(url).status_code == 404
    dept = channels["centre"].centre.department
    head = f.staff(dept, Role.HEAD)
    browser.force_login(head)
    response = browser.get(url + "&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "visit"  # the head's department only
    xlsx = browser.get(url + "&format=xlsx")
    assert xlsx.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row == 2
    assert browser.get(reverse("evaluations:download") + "?from=x").status_code == 400


def test_the_hotline_page_checks_the_operator_and_the_caller(work_calendar):
    with time_machine.travel(DAY, tick=False):
        world, app = finished_case()
        office = f.department("t-12345-b", name="12345热线", reg=app.region)
        office.kind = DepartmentKind.COORDINATING
        office.save()
        operator = f.staff(office, Role.CLERK)
        url = reverse("evaluations:hotline")
        browser = client()
        # Not an operator: a reviewer of the case's own department, a clerk of a permitting one.
        browser.force_login(world.reviewer(world.lead))
        assert browser.get(url).status_code == 404
        browser.force_login(f.staff(f.department("t-permits"), Role.CLERK))
        assert browser.get(url).status_code == 404
        assert client().get(url).status_code == 302
        # An operator with a phone that is not the case's: nothing recorded, nothing told.
        browser.force_login(operator)
        assert browser.get(url).status_code == 200
        intake = browser.get(reverse("intake:hotline")).content.decode()
        assert 'data-testid="hotline-rating-link"' in intake  # offered from the call page
        wrong = browser.post(url, {"number": app.number, "phone": "13900000000", "level": 5})
        assert (
            wrong.status_code == 200
            and 'data-testid="hotline-rating-error"' in wrong.content.decode()
        )
        assert not Rating.objects.filter(subject_id=app.pk).exists()
        # An operator of another region's office.
        elsewhere = f.department(
            "t-12345-ld", name="罗定12345", reg=f.region("445381", "罗定市", parent=None)
        )
        elsewhere.kind = DepartmentKind.COORDINATING
        elsewhere.save()
        browser.force_login(f.staff(elsewhere, Role.CLERK))
        far = browser.post(url, {"number": app.number, "phone": world.person.phone, "level": 5})
        assert far.status_code == 200 and not Rating.objects.filter(subject_id=app.pk).exists()
        # The right operator and the caller's own phone: recorded once.
        browser.force_login(operator)
        ok = browser.post(url, {"number": app.number, "phone": world.person.phone, "level": 4})
        assert ok.status_code == 302
        again = browser.post(url, {"number": app.number, "phone": world.person.phone, "level": 4})
        assert again.status_code == 200
        assert Rating.objects.filter(subject_kind="case", subject_id=app.pk).count() == 1
