"""The reporting feed: records validate against docs/ratings-export.schema.json, the command
writes JSON lines for a period, the API answers only a service client with the scope."""

import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from evaluations.export import records
from logins.services import service_client_create
from tests.evaluations.helpers import client, finished_case, rate

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "ratings-export.schema.json").read_text()
)


@pytest.fixture
def rated(work_calendar):
    with time_machine.travel("2026-11-02 09:00:00+08:00", tick=False):
        world, app = finished_case()
        assert (
            rate(world.citizen, app, 2, tags=["overdue", "overall"], comment="慢").status_code
            == 201
        )
        world2, app2 = finished_case()
        assert rate(world2.citizen, app2, 5).status_code == 201
    return app, app2


def test_records_validate_against_the_schema_and_are_masked(rated):
    app, _ = rated
    from datetime import date

    rows = list(records(date(2026, 11, 1), date(2026, 11, 30)))
    assert len(rows) == 2
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for row in rows:
        validator.validate(row)
    bad = next(r for r in rows if r["case_number"] == app.number)
    assert bad["level"] == 2 and bad["reasons"] == ["overdue"] and bad["tags"] == ["overall"]
    assert bad["rectification"]["status"] == "open"
    assert bad["text"] is None  # unreviewed
    person = app.applicant_person
    assert person.id_number not in json.dumps(rows, ensure_ascii=False)
    assert bad["applicant"].endswith("*")


def test_the_command_writes_json_lines_for_the_period(rated):
    out = StringIO()
    call_command("export_ratings", "--from", "2026-11-01", "--to", "2026-11-30", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["level"] for line in lines)
    empty = StringIO()
    call_command("export_ratings", "--from", "2026-12-01", "--to", "2026-12-31", stdout=empty)
    assert empty.getvalue() == ""


def test_the_api_answers_a_service_client_with_the_scope_only(rated):
    _client_row, token = service_client_create(name="省好差评系统", scopes=["ratings.export"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/ratings/export/?from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert api.get("/api/v1/ratings/export/?from=2026-11-30&to=2026-11-01").status_code == 400
    _other, other_token = service_client_create(name="别的系统", scopes=["cases.read"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {other_token}")
    assert api.get("/api/v1/ratings/export/?from=2026-11-01&to=2026-11-30").status_code == 403
    assert client().get("/api/v1/ratings/export/?from=2026-11-01&to=2026-11-30").status_code in (
        401,
        403,
    )
