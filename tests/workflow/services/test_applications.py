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


def test_a_walk_in_with_a_known_id_number_and_another_name_is_stopped_until_confirmed():
    # Given a person on record
    world = build_world(1)
    clerk = _clerk(world)
    known = {**WALK_IN, "org_name": "", "id_number": world.person.id_number}
    known.pop("org_name")
    # When a clerk enters a walk-in case with that ID number under another name
    with pytest.raises(Invalid) as raised:
        applications.application_create(
            actor=clerk, item=world.item, form={}, channel="window", applicant=known
        )
    # Then nothing is filed and the clerk is asked to check and confirm
    fields = raised.value.fields["applicant"]
    assert "real_name" in fields and "confirm_existing" in fields
    assert world.person.real_name[0] + "*" in str(fields["real_name"][0])
    assert world.person.real_name not in str(fields["real_name"][0])
    assert not Application.objects.exists()
    # and the look-up is on the audit log, refused entry included
    from audit.models import AuditRecord

    audit = AuditRecord.objects.get(action="applicant.id_lookup")
    assert audit.object_id == str(world.person.pk) and audit.actor_id == clerk.pk
    assert world.person.id_number not in str(audit.detail)

    # When the clerk confirms with the ID card in hand, the case goes to the record on file
    app = applications.application_create(
        actor=clerk,
        item=world.item,
        form={},
        channel="window",
        applicant={**known, "confirm_existing": True},
    )
    assert app.applicant_person == world.person
    world.person.refresh_from_db()
    assert world.person.real_name != WALK_IN["real_name"]  # the record is not renamed


def test_the_same_name_files_into_the_record_without_asking():
    world = build_world(1)
    clerk = _clerk(world)
    same = {
        "real_name": f" {world.person.real_name} ",
        "id_number": world.person.id_number.lower(),
        "phone": "13900000009",
    }
    app = applications.application_create(
        actor=clerk, item=world.item, form={}, channel="window", applicant=same
    )
    assert app.applicant_person == world.person


def test_id_number_look_ups_are_throttled_by_address_and_by_number(settings):
    from workflow.exceptions import Throttled

    settings.ID_LOOKUP_PER_ID_HOUR = 2
    settings.ID_LOOKUP_PER_IP_HOUR = 2
    world = build_world(1)
    clerk = _clerk(world)
    walk_in = {"real_name": "王五", "id_number": f.resident_id(904), "phone": "13900000001"}

    def enter(applicant, address="10.0.0.1"):
        return applications.application_create(
            actor=clerk,
            item=world.item,
            form={},
            channel="window",
            applicant=applicant,
            client_address=address,
        )

    enter(walk_in)
    enter(walk_in, address="10.0.0.2")
    with pytest.raises(Throttled):  # the number's third look-up this hour, whatever the address
        enter(walk_in, address="10.0.0.3")
    other = {**walk_in, "id_number": f.resident_id(905)}
    enter(other, address="10.0.0.3")
    enter(other, address="10.0.0.1")
    with pytest.raises(Throttled):  # 10.0.0.1's third look-up this hour
        enter({**walk_in, "id_number": f.resident_id(906)}, address="10.0.0.1")
    from audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="applicant.id_lookup.throttled").count() == 2
