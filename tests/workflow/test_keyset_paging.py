"""The applications list's keyset pages and capped count (issue 11; onestop.keyset): the same
rows in the same order as the full list, page after page and back, with no row twice and none
missing, even when cases share a creation instant; the count stops at the cap and says so; and
the department rule is the access rule's, unchanged (a department never sees another's case)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from departments.models import Role
from permits.models import Application, ApplicationDepartment
from tests.workflow import factories as f
from tests.workflow.journey import build_world, submitted_case
from workflow import selectors

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def api(user) -> APIClient:
    c = APIClient()
    # a fresh object per client: the access answers are cached per user object
    c.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return c


@pytest.fixture
def world():
    return build_world(1)


def _cases(world, n: int, *, same_instant: int = 0) -> list[Application]:
    """``n`` submitted cases; the first ``same_instant`` of them created at one instant (ties
    on the timestamp are settled by the id)."""
    cases = [submitted_case(world) for _ in range(n)]
    moment = timezone.now() - dt.timedelta(days=1)
    Application.objects.filter(pk__in=[c.pk for c in cases[:same_instant]]).update(
        created_at=moment
    )
    return cases


def _numbers_in_order(world) -> list[str]:
    return list(
        Application.objects.filter(participations__department=world.lead)
        .distinct()
        .order_by("-created_at", "-pk")
        .values_list("number", flat=True)
    )


def _walk(client, url: str, key: str) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.data
        pages.append([row["number"] for row in response.data["results"]])
        url = response.data[key]
    return pages


def test_pages_forward_and_back_hold_every_case_once_in_order(world):
    _cases(world, 7, same_instant=4)
    expected = _numbers_in_order(world)
    assert len(expected) == 7
    client = api(world.lead_staff["undertake"])
    first = client.get(URL, {"page_size": 3})
    assert first.data["count"] == 7 and "count_capped" not in first.data
    assert first.data["previous"] is None
    forward = _walk(client, first.wsgi_request.build_absolute_uri(), "next")
    assert [len(p) for p in forward] == [3, 3, 1]
    assert [n for page in forward for n in page] == expected

    # From the last page back to the first: the same pages, reversed.
    last_url = client.get(first.data["next"]).data["next"]
    backward = _walk(client, last_url, "previous")
    assert backward == forward[::-1]


def test_a_case_added_at_the_top_neither_repeats_nor_hides_a_row_on_the_next_page(world):
    _cases(world, 5)
    client = api(world.lead_staff["undertake"])
    first = client.get(URL, {"page_size": 2}).data
    submitted_case(world)  # newer than every row already shown
    second = client.get(first["next"]).data
    shown = [r["number"] for r in first["results"]] + [r["number"] for r in second["results"]]
    assert len(set(shown)) == 4
    assert shown == _numbers_in_order(world)[1:5]


def test_the_count_stops_at_the_cap_and_says_so(world, monkeypatch):
    from onestop import keyset

    _cases(world, 4)
    client = api(world.lead_staff["undertake"])
    monkeypatch.setattr(keyset, "COUNT_CAP", 3)
    data = client.get(URL, {"page_size": 2}).data
    assert data["count"] == 3 and data["count_capped"] is True
    assert len(data["results"]) == 2 and data["next"]
    monkeypatch.setattr(keyset, "COUNT_CAP", 4)
    data = client.get(URL).data
    assert data["count"] == 4 and "count_capped" not in data


def test_a_department_taking_part_twice_counts_its_case_once(world):
    app, _other = _cases(world, 2)
    row = ApplicationDepartment.objects.filter(application=app, department=world.lead).first()
    ApplicationDepartment.objects.create(
        application=app, department=world.lead, role="consult", round=2, stages=["undertake"]
    )
    assert row is not None
    reviewer = get_user_model().objects.get(pk=world.lead_staff["undertake"].pk)
    assert selectors.application_count_for_user(user=reviewer) == (2, False)
    assert selectors.application_count_for_user(user=reviewer, cap=1) == (1, True)
    data = api(reviewer).get(URL).data
    assert data["count"] == 2
    assert sorted(r["number"] for r in data["results"]) == sorted([app.number, _other.number])


def test_department_b_never_sees_department_as_case(world):
    case = submitted_case(world)
    outsider_dept = f.department(name="无关部门")
    outsider = f.staff(outsider_dept, Role.REVIEWER, "undertake")
    data = api(outsider).get(URL).data
    assert data["count"] == 0 and data["results"] == []
    assert case.number not in str(data)
    # The cursor of a foreign case's position shows only the caller's own cases after it.
    mine = api(world.lead_staff["undertake"]).get(URL, {"page_size": 1})
    assert [r["number"] for r in mine.data["results"]] == [case.number]
    reviewer = world.reviewer(world.departments[0])
    assert api(reviewer).get(URL).data["count"] == 1  # the participating department does
    # A participating department's reviewer sees it; the outsider's filtered count is 0 too.
    assert api(outsider).get(URL, {"status": case.status}).data["count"] == 0


def test_a_forged_cursor_is_400_invalid(world):
    client = api(world.lead_staff["undertake"])
    for cursor in ("nonsense", "W10", "WyIyMDI2LTAxLTAxIiwxLCJuIl0"):  # the last: naive time
        response = client.get(URL, {"cursor": cursor})
        assert response.status_code == 400
        assert response.data["code"] == "invalid"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_a_deep_page_costs_the_queries_of_the_first(world):
    _cases(world, 6)
    client = api(world.lead_staff["undertake"])
    client.get(URL)  # warm
    first = client.get(URL, {"page_size": 2}).data
    deep = client.get(client.get(first["next"]).data["next"])
    assert deep.data["results"] and deep.data["previous"]
    assert _queries(client, URL + "?page_size=2") == _queries(
        client, deep.wsgi_request.get_full_path()
    )


def test_the_fast_rows_are_the_summary_serializers_json(world):
    from workflow.api.serializers import ApplicationSummarySerializer
    from workflow.api.summary_rows import summary_rows

    cases = _cases(world, 2)
    Application.objects.filter(pk=cases[0].pk).update(paused=True, urgency="urgent")
    ApplicationDepartment.objects.filter(application=cases[1]).update(outcome="passed")
    Application.objects.filter(pk=cases[1].pk).update(
        caller={"phone": "13800138000", "called_at": "2026-01-02T09:00:00+08:00"}
    )
    reviewer = get_user_model().objects.get(pk=world.lead_staff["undertake"].pk)
    rows = list(selectors.application_summaries_for_user(user=reviewer))
    departments = selectors.application_summary_departments([r["pk"] for r in rows])
    assert len(rows) == 2 and all(departments[r["pk"]] for r in rows)
    # The model instances the serializer describes (the detail's read), in the same order.
    instances = list(selectors.application_list_for_user(user=reviewer))
    assert [a.number for a in instances] == [r["number"] for r in rows]
    fast = summary_rows(rows, departments)
    assert fast == ApplicationSummarySerializer(instances, many=True).data
    hotline = next(r for r in fast if r["number"] == cases[1].number)
    assert hotline["caller"]["phone"] and hotline["caller"]["phone"] != "13800138000"  # masked
    assert api(reviewer).get(URL).data["results"] == fast


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_fast_rows_follow_the_request_language_and_time_zone(world, settings, language):
    from django.utils import translation

    from workflow.api.serializers import ApplicationSummarySerializer
    from workflow.api.summary_rows import summary_rows

    _cases(world, 1)
    settings.TIME_ZONE = "UTC"
    reviewer = get_user_model().objects.get(pk=world.lead_staff["undertake"].pk)
    rows = list(selectors.application_summaries_for_user(user=reviewer))
    departments = selectors.application_summary_departments([r["pk"] for r in rows])
    instances = list(selectors.application_list_for_user(user=reviewer))
    with translation.override(language):
        fast = summary_rows(rows, departments)
        assert fast == ApplicationSummarySerializer(instances, many=True).data
    assert fast[0]["created_at"].endswith("Z")


def test_the_count_read_from_the_rows_index_is_the_lists_own(world):
    """Without filters the count reads each part's ids from its own table (the department
    rows' index); with one, from the cases: both say what the list holds."""
    from tests.workflow import factories as f

    cases = _cases(world, 3)
    both = world.lead_staff["undertake"]
    person = f.citizen()[1]
    person.user = both
    person.save()
    own = submitted_case(world, actor=world.citizen)
    Application.objects.filter(pk=own.pk).update(applicant_person=person)
    reviewer = get_user_model().objects.get(pk=both.pk)
    listed = list(selectors.application_summaries_for_user(user=reviewer))
    assert selectors.application_count_for_user(user=reviewer) == (len(listed), False)
    assert len(listed) == 4
    status = {"status": cases[0].status}
    assert selectors.application_count_for_user(user=reviewer, filters=status) == (
        len(list(selectors.application_summaries_for_user(user=reviewer, filters=status))),
        False,
    )
