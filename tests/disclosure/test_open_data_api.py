"""Open data (issue 13 item 5): ``GET /api/v1/open-data/`` lists every dataset; each dataset's
JSON validates against its schema, its CSV is neutralised and nothing personal is in either;
a constant number of queries whatever the amount of data; the list is in the OpenAPI schema
and on the /gongkai/data/ page."""

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

from disclosure import datasets, opendata
from evaluations.models import Rating
from stats.models import DailyFigure
from tests.disclosure.conftest import decided_case
from tests.workflow import factories as f

pytestmark = pytest.mark.django_db

NAMES = ["department-monthly", "item-monthly", "cases", "ratings-monthly"]


def _rating(n, dept, level, *, at=None, **kw):
    return Rating(
        subject_kind="case",
        subject_id=n,
        department=dept,
        department_ids=[dept.pk],
        region=dept.region,
        channel="online",
        level=level,
        source="site",
        rated_at=at or timezone.now() - dt.timedelta(days=1),
        **kw,
    )


def _daily(world, *, days_ago=0, **counters):
    return DailyFigure.objects.create(
        day=timezone.localdate() - dt.timedelta(days=days_ago),
        region_id=world["region"].pk,
        department_id=world["lead"].pk,
        item_id=world["item"].pk,
        channel="online",
        service_model=world["item"].service_model,
        **counters,
    )


def _people_world(world, *, persons=2, enterprises=1, start=0):
    """Decided cases of persons and enterprises, ratings by those persons, daily counters."""
    people = []
    for n in range(persons):
        _user, person = f.citizen()
        person.real_name = f"李秀{'英梅兰'[n % 3]}{start + n}"
        person.save()
        people.append(person)
        case = decided_case(world, person=person, decision="denied" if n % 2 else "approved")
        _rating(case.pk, world["lead"], 1 + n % 5, application=case).save()
    for _n in range(enterprises):
        decided_case(world, enterprise=f.enterprise())
    _daily(
        world,
        days_ago=start,
        applications=persons + enterprises,
        accepted=persons,
        approved=1,
        denied=1,
    )
    return people


def _api(client) -> list[dict]:
    response = client.get("/api/v1/open-data/")
    assert response.status_code == 200
    return response.json()


def test_the_list_names_every_dataset_with_its_files(client, city_world):
    body = _api(client)
    assert isinstance(body, list)  # API.md: a plain list, not paginated
    assert [d["name"] for d in body] == NAMES
    today = timezone.localdate()
    for entry in body:
        assert set(entry) == {"name", "title", "period", "schema_url", "csv_url", "json_url"}
        assert entry["title"]
        first, last = entry["period"].split("/")
        assert first <= last and last.startswith(f"{today:%Y-%m}")
        for kind in ("schema", "csv", "json"):
            assert entry[f"{kind}_url"].startswith("http://testserver/gongkai/data/")
            assert client.get(entry[f"{kind}_url"]).status_code == 200
    monthly = next(d for d in body if d["name"] == "department-monthly")
    assert monthly["csv_url"].endswith("/gongkai/data/department-monthly.csv")


def test_the_list_is_public_and_the_unknown_dataset_is_404(client, city_world):
    assert client.get("/api/v1/open-data/").status_code == 200  # no login
    assert client.get("/gongkai/data/nothing.json").status_code == 404
    assert client.get("/gongkai/data/nothing.schema.json").status_code == 404


def test_each_json_validates_against_its_schema_and_matches_its_csv(client, city_world):
    _people_world(city_world)
    for name in NAMES:
        doc = client.get(reverse("disclosure:open_data_json", args=[name])).json()
        schema = json.loads(client.get(reverse("disclosure:open_data_schema", args=[name])).content)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
        assert doc["dataset"] == name and doc["rows"], name
        dataset = datasets.DATASETS[name]
        # the schema's columns are the dataset's, in the same order
        assert schema["properties"]["rows"]["items"]["required"] == list(dataset.column_names)
        text = client.get(reverse("disclosure:open_data_csv", args=[name])).content
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        assert rows[0] == list(dataset.column_names)
        assert len(rows) - 1 == len(doc["rows"])


def test_the_figures_of_the_new_datasets(client, city_world):
    _people_world(city_world, persons=3, enterprises=1)
    item = client.get(reverse("disclosure:open_data_json", args=["item-monthly"])).json()
    (row,) = item["rows"]
    assert row["item_code"] == city_world["item"].code
    assert row["department_name"] == "云浮市市场监督管理局"
    assert (row["applications"], row["accepted"], row["approved"]) == (4, 3, 1)
    ratings = client.get(reverse("disclosure:open_data_json", args=["ratings-monthly"])).json()
    (row,) = ratings["rows"]
    # levels 1, 2, 3: one satisfied of three, two 差评, none rectified
    assert (row["ratings"], row["level_1"], row["level_2"], row["level_3"]) == (3, 1, 1, 1)
    assert row["satisfaction_rate"] == 33.3 and row["bad"] == 2
    assert row["rectified_on_time_share"] == 0.0
    cases = client.get(reverse("disclosure:open_data_json", args=["cases"])).json()
    assert [r["applicant_kind"] for r in cases["rows"]].count("person") == 3
    assert all(r["applicant_name"] for r in cases["rows"] if r["applicant_kind"] == "enterprise")


def test_no_personal_data_in_any_dataset(client, city_world):
    people = _people_world(city_world, persons=3)
    for name in NAMES:
        for fmt in ("json", "csv"):
            body = client.get(reverse(f"disclosure:open_data_{fmt}", args=[name])).content
            text = body.decode("utf-8-sig")
            for person in people:
                for personal in (
                    person.real_name,
                    person.masked_name,
                    person.id_number,
                    person.masked_id_number,
                    person.id_number[-6:],
                    person.phone,
                ):
                    assert personal not in text, (name, fmt, personal)


def test_every_csv_neutralises_formulas(client, city_world):
    city_world["lead"].name = '=HYPERLINK("http://evil")'
    city_world["lead"].save()
    city_world["item"].name = "@SUM(A1)"
    city_world["item"].save()
    _people_world(city_world, persons=1, enterprises=1)
    for name in NAMES:
        text = client.get(reverse("disclosure:open_data_csv", args=[name])).content
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        cells = [c for r in rows[1:] for c in r]
        assert any(c.startswith("'=HYPERLINK") for c in cells), name
        assert not any(c.startswith(("=", "@", "+")) for c in cells), name


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_constant_queries_whatever_the_amount_of_data(client, city_world):
    urls = ["/api/v1/open-data/", reverse("disclosure:open_data")] + [
        reverse(f"disclosure:open_data_{fmt}", args=[name])
        for name in NAMES
        for fmt in ("json", "csv")
    ]
    _people_world(city_world, persons=1, enterprises=1)
    small = [_count(client, u) for u in urls]
    other = f.department(name="云浮市公安局", reg=city_world["region"])
    other_item = f.published_item(lead=other)
    world2 = {"region": city_world["region"], "lead": other, "item": other_item}
    _people_world(city_world, persons=5, enterprises=3, start=10)
    _people_world(world2, persons=5, enterprises=3, start=20)
    assert [_count(client, u) for u in urls] == small
    assert small[0] == 0  # the list itself reads nothing
    assert max(small) <= 2


def test_the_list_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/open-data/"]["get"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["type"] == "array"  # a plain list, as API.md says
    ref = response["items"]["$ref"].rsplit("/", 1)[-1]
    props = schema["components"]["schemas"][ref]["properties"]
    assert set(props) == {"name", "title", "period", "schema_url", "csv_url", "json_url"}


def test_the_open_data_page_lists_every_dataset(client, city_world):
    html = client.get(reverse("disclosure:open_data")).content.decode()
    for name in NAMES:
        assert reverse("disclosure:open_data_csv", args=[name]) in html
        assert reverse("disclosure:open_data_schema", args=[name]) in html
    assert "/api/v1/open-data/" in html


def test_the_department_dataset_keeps_its_old_addresses():
    assert opendata.COLUMNS[0] == "month"
    assert reverse("disclosure:open_data_json", args=["department-monthly"]) == (
        "/gongkai/data/department-monthly.json"
    )
