"""workflow.services.applications: creating a draft is one transaction."""

from __future__ import annotations

import pytest

from permits.exceptions import PermitsError
from permits.models import Application, Enterprise, Event, Person
from permits.selectors import persons_with_id
from tests.workflow import factories as f
from tests.workflow.journey import build_world
from workflow.exceptions import Invalid
from workflow.services import applications

pytestmark = pytest.mark.django_db


def _clerk(world):
    centre_dept = f.department(name="政务服务中心")
    f.centre(world.lead.region, centre_dept)
    return f.staff(centre_dept, role="clerk")


WALK_IN = {
    "real_name": "王五",
    "id_type": "resident_id",
    "phone": "13900000001",
    "org_name": "云浮窗口企业有限公司",
}


def test_a_failing_form_leaves_no_row_behind():
    # Given a clerk entering a walk-in applicant and their enterprise, neither known yet
    world = build_world(1)
    clerk = _clerk(world)
    walk_in = {**WALK_IN, "id_number": f.resident_id(901), "credit_code": f.credit_code(901)}
    counts = (Person.objects.count(), Enterprise.objects.count(), Application.objects.count())
    # When the form does not pass
    with pytest.raises(PermitsError) as raised:
        applications.application_create(
            actor=clerk,
            item=world.item,
            form={"no_such_field": "x"},
            channel="window",
            applicant=walk_in,
        )
    # Then the form's error is answered and nothing of the attempt stays
    assert "no_such_field" in raised.value.fields["form"]
    assert (
        Person.objects.count(),
        Enterprise.objects.count(),
        Application.objects.count(),
    ) == counts
    assert not persons_with_id("resident_id", walk_in["id_number"]).exists()
    assert not Enterprise.objects.filter(credit_code=walk_in["credit_code"]).exists()
    assert not Event.objects.filter(action="created").exists()


def test_a_walk_in_case_creates_its_applicant_and_enterprise_with_the_case():
    world = build_world(1)
    clerk = _clerk(world)
    walk_in = {**WALK_IN, "id_number": f.resident_id(902), "credit_code": f.credit_code(902)}
    app = applications.application_create(
        actor=clerk, item=world.item, form={"summary": "窗口"}, channel="window", applicant=walk_in
    )
    assert app.applicant_enterprise.credit_code == walk_in["credit_code"]
    assert app.handler.id_number == walk_in["id_number"] and app.applicant_person is None
    assert app.created_by == clerk and app.channel == "window" and app.centre_id
    assert list(app.events.values_list("action", flat=True)) == ["created"]


def test_an_unknown_enterprise_without_a_name_leaves_no_person_behind():
    world = build_world(1)
    clerk = _clerk(world)
    walk_in = {
        **WALK_IN,
        "org_name": "",
        "id_number": f.resident_id(903),
        "credit_code": f.credit_code(903),
    }
    with pytest.raises(Invalid) as raised:
        applications.application_create(
            actor=clerk, item=world.item, form={}, channel="window", applicant=walk_in
        )
    assert "org_name" in raised.value.fields["applicant"]
    assert not persons_with_id("resident_id", walk_in["id_number"]).exists()


def test_the_package_still_exports_the_application_services():
    from workflow import services

    assert services.application_create is applications.application_create
    assert services.material_replace.__module__ == "workflow.services.materials"
