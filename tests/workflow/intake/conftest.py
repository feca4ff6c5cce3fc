"""Process-centred items and their people for the intake tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from departments.models import Role
from tests.workflow import factories as f
from workflow.flows import registry


@pytest.fixture(autouse=True)
def _process_flow(monkeypatch):
    """Process-centred items need a flow to start: theirs where built, else the parallel one
    (what is under test here is the intake, not the flow)."""
    monkeypatch.setitem(
        registry.FLOWS,
        "process_centred",
        registry.FLOWS.get("process_centred", registry.FLOWS["parallel"]),
    )


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    office: object
    other: object
    item: object
    operator: object
    office_reviewer: object
    office_head: object
    stranger_staff: object
    citizen: object
    person: object
    citizen2: object


@pytest.fixture
def world(db):
    office = f.department("hotline12345", name="12345热线")
    other = f.department(name="市公安局")
    item = f.published_item(
        lead=office,
        service_model="process_centred",
        materials=[],
        form_fields=[
            {"name": "content", "label": "诉求内容", "type": "textarea", "required": True}
        ],
    )
    item.allows_anonymous = True
    item.category = "complaint"
    item.save(update_fields=["allows_anonymous", "category"])
    citizen, person = f.citizen()
    citizen2, _ = f.citizen()
    return World(
        office=office,
        other=other,
        item=item,
        operator=f.staff(office, role=Role.CLERK),
        office_reviewer=f.staff(office),
        office_head=f.staff(office, role=Role.HEAD),
        stranger_staff=f.staff(other),
        citizen=citizen,
        person=person,
        citizen2=citizen2,
    )
