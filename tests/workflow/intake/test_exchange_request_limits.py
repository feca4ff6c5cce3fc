"""An item's request limits (RequestLimit) in the catalogue exchange format: exported with the
item, imported back (round trip), replaced when the key is present, left alone when it is
absent, checked row by row with every problem's path, idempotent."""

from __future__ import annotations

import copy

import pytest

from permits.exchange import CatalogueImportInvalid, catalogue_export, catalogue_import
from tests.workflow import factories as f
from workflow.intake.models import RequestLimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    item = f.process_item(lead=f.department(name="12345热线中心"), category="complaint")
    RequestLimit.objects.create(item=item, request_kind="complaint", amount=7, unit="working_day")
    RequestLimit.objects.create(
        item=item, request_kind="complaint", urgency="urgent", amount=4, unit="hour"
    )
    return item


def limits(item) -> list[tuple]:
    return sorted(
        RequestLimit.objects.filter(item=item).values_list(
            "request_kind", "urgency", "amount", "unit"
        )
    )


def test_export_carries_the_request_limits(item):
    [entry] = catalogue_export(codes=[item.code])["items"]
    assert entry["request_limits"] == [
        {"request_kind": "complaint", "urgency": "", "amount": 7, "unit": "working_day"},
        {"request_kind": "complaint", "urgency": "urgent", "amount": 4, "unit": "hour"},
    ]


def test_round_trip_restores_them_and_a_second_import_changes_nothing(item):
    data = catalogue_export(codes=[item.code])
    before = limits(item)
    RequestLimit.objects.filter(item=item).delete()
    report = catalogue_import(data=data)
    assert report.updated == [item.code]
    assert limits(item) == before
    report = catalogue_import(data=data)
    assert report.unchanged == [item.code] and not report.updated


def test_present_key_replaces_absent_key_leaves_alone(item):
    data = catalogue_export(codes=[item.code])
    changed = copy.deepcopy(data)
    changed["items"][0]["request_limits"] = [
        {"request_kind": "complaint", "urgency": "", "amount": 10, "unit": "working_day"},
        {"request_kind": "enquiry", "amount": 1, "unit": "working_day"},  # urgency defaults ""
    ]
    assert catalogue_import(data=changed).updated == [item.code]
    assert limits(item) == [
        ("complaint", "", 10, "working_day"),
        ("enquiry", "", 1, "working_day"),
    ]
    # A file without the key (an older export) leaves the item's limits as they are.
    older = copy.deepcopy(changed)
    del older["items"][0]["request_limits"]
    assert catalogue_import(data=older).unchanged == [item.code]
    assert len(limits(item)) == 2
    # An empty list removes them.
    emptied = copy.deepcopy(changed)
    emptied["items"][0]["request_limits"] = []
    catalogue_import(data=emptied)
    assert limits(item) == []


def test_bad_rows_are_reported_with_their_paths_and_nothing_changes(item):
    data = catalogue_export(codes=[item.code])
    before = limits(item)
    bad = copy.deepcopy(data)
    bad["items"][0]["request_limits"] = [
        {"request_kind": "complaint", "urgency": "", "amount": 0, "unit": "working_day"},
        {"request_kind": "gossip", "urgency": "", "amount": 3, "unit": "fortnight"},
        {"request_kind": "enquiry", "urgency": "", "amount": 2, "unit": "working_day", "x": 1},
        {"request_kind": "enquiry", "urgency": "", "amount": 3, "unit": "working_day"},
    ]
    with pytest.raises(CatalogueImportInvalid) as caught:
        catalogue_import(data=bad)
    problems = "\n".join(caught.value.problems)
    assert "items[0].request_limits[0].amount" in problems
    assert "items[0].request_limits[1].request_kind" in problems
    assert "items[0].request_limits[1].unit" in problems
    assert "items[0].request_limits[2].x" in problems
    assert "items[0].request_limits[3]:" in problems  # the same kind and urgency twice
    assert limits(item) == before
