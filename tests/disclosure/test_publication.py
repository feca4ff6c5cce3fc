"""办件公示 and open data: nothing personal, the figures from a worked example, constant queries,
CSV formula neutralisation, the JSON document valid against its schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosure import opendata, publication
from onestop.tabular import neutralise_cell
from tests.disclosure.conftest import decided_case
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db


def test_the_case_publication_never_shows_a_persons_name_or_id(client, city_world):
    _user, person = f.citizen()
    person.real_name = "李秀英"
    person.save()
    ent = f.enterprise()
    person_case = decided_case(city_world, person=person)
    ent_case = decided_case(city_world, enterprise=ent, decision="denied")

    html = client.get(reverse("disclosure:cases")).content.decode()
    assert person_case.number in html and ent_case.number in html
    assert ent.name in html  # an enterprise's registered name is public
    for personal in (
        person.real_name,
        person.masked_name,
        person.real_name[0] + "*",
        person.id_number,
        person.masked_id_number,
        person.phone,
        person.id_number[-4:],
    ):
        assert personal not in html, personal
    assert city_world["item"].name in html and "云浮市市场监督管理局" in html


def test_complaints_and_undecided_cases_are_not_published(client, city_world):
    complaint_item = f.published_item(lead=city_world["lead"], service_model="process_centred")
    complaint = decided_case(city_world, service_item=complaint_item)
    old = decided_case(city_world, decided_at=timezone.now() - dt.timedelta(days=400))
    html = client.get(reverse("disclosure:cases")).content.decode()
    assert complaint.number not in html and old.number not in html


def test_monthly_figures_worked_example(city_world):
    # Given, in November 2026 (Beijing time): 3 approved (2 by their due, 1 late), 1 denied
    # without a due (counted on time), and one decided at 00:30 on 1 December Beijing time
    # (16:30 UTC on 30 November), which belongs to December.
    local = publication.LOCAL
    nov = dt.datetime(2026, 11, 10, 10, tzinfo=local)
    decided_case(city_world, decided_at=nov, due_at=nov + dt.timedelta(days=1))
    decided_case(city_world, decided_at=nov, due_at=nov)
    decided_case(city_world, decided_at=nov, due_at=nov - dt.timedelta(days=1))
    decided_case(city_world, decision="denied", decided_at=nov, due_at=None)
    decided_case(city_world, decided_at=dt.datetime(2026, 12, 1, 0, 30, tzinfo=local))

    rows = publication.department_month_figures(
        start=dt.datetime(2026, 11, 1, tzinfo=local), end=dt.datetime(2027, 1, 1, tzinfo=local)
    )
    by_month = {r.month: r for r in rows}
    nov_row = by_month["2026-11"]
    assert (nov_row.completed, nov_row.approved, nov_row.denied, nov_row.on_time) == (4, 3, 1, 3)
    assert nov_row.on_time_share == 75.0
    assert by_month["2026-12"].completed == 1
    assert nov_row.department_code == city_world["lead"].code
    assert nov_row.region_code == "445300"


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_pages_run_a_constant_number_of_queries(client, city_world):
    urls = [
        reverse("disclosure:cases"),
        reverse("disclosure:open_data_json", args=["department-monthly"]),
        reverse("disclosure:open_data_csv", args=["department-monthly"]),
    ]
    decided_case(city_world, enterprise=f.enterprise())
    small = [_count(client, u) for u in urls]
    other = f.department(name="云浮市公安局", reg=city_world["region"])
    other_item = f.published_item(lead=other)
    for n in range(10):
        decided_case(
            city_world, enterprise=f.enterprise(), decision="denied" if n % 3 else "approved"
        )
        decided_case(city_world, person=f.citizen()[1], service_item=other_item)
    assert [_count(client, u) for u in urls] == small
    # one query for the cases, one for the figures
    assert small[0] <= 3


def test_open_data_json_follows_its_schema(client, city_world):
    decided_case(city_world, enterprise=f.enterprise())
    response = client.get(reverse("disclosure:open_data_json", args=["department-monthly"]))
    doc = json.loads(response.content)
    schema = json.loads(
        client.get(reverse("disclosure:open_data_schema", args=["department-monthly"])).content
    )
    jsonschema.validate(doc, schema)
    assert doc["rows"][0]["completed"] == 1
    assert doc["source"] == {"replica": False, "lag_seconds": None}


def test_open_data_csv_neutralises_formulas(client, city_world):
    city_world["lead"].name = '=HYPERLINK("http://evil")'
    city_world["lead"].save()
    decided_case(city_world)
    response = client.get(reverse("disclosure:open_data_csv", args=["department-monthly"]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(opendata.COLUMNS)
    assert rows[1][3].startswith("'=")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("云浮", "云浮"),
        (-2, -2),
        (None, ""),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected
